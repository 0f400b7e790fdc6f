import type { ReactiveController, ReactiveControllerHost } from 'lit'
import {
  type ConnectionStatus,
  type DocumentHandle,
  type OpenDocumentOptions,
  openDocument,
} from '../connection/index.ts'

/**
 * Holds one open document for an element (STYLE 14): opens it while the host is
 * connected, mirrors its connection status into the host, and destroys it when the
 * host leaves the page.
 */
export class DocumentController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  #options: OpenDocumentOptions | null = null
  #handle: DocumentHandle | null = null
  #unsubscribe: (() => void)[] = []
  #status: ConnectionStatus | null = null

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  get handle(): DocumentHandle | null {
    return this.#handle
  }

  /** Null while no document is open. */
  get status(): ConnectionStatus | null {
    return this.#status
  }

  /** Local edits the server has not acknowledged as saved (0 while nothing is open). */
  get unsaved(): number {
    return this.#handle?.unsaved ?? 0
  }

  /** Whether the server ever acknowledged the open document. */
  get acknowledged(): boolean {
    return this.#handle?.acknowledged ?? false
  }

  /** Opens `options.docName` (closing whatever was open); opens on connect if detached. */
  open(options: OpenDocumentOptions): void {
    void this.#detach()
    this.#options = options
    this.#attach()
  }

  /** Closes the document; resolves once its IndexedDB connection is closed. */
  close(): Promise<void> {
    this.#options = null
    return this.#detach()
  }

  hostConnected(): void {
    this.#attach()
  }

  hostDisconnected(): void {
    void this.#detach()
  }

  #attach(): void {
    if (this.#options === null || this.#handle !== null) return
    const handle = openDocument(this.#options)
    this.#handle = handle
    this.#status = handle.status
    const update = () => this.#host.requestUpdate()
    this.#unsubscribe = [
      handle.on('status', (status) => {
        this.#status = status
        update()
      }),
      handle.on('unsaved', update),
      handle.on('saved', update),
    ]
    this.#host.requestUpdate()
  }

  #detach(): Promise<void> {
    const handle = this.#handle
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    this.#handle = null
    this.#status = null
    this.#host.requestUpdate()
    return handle === null ? Promise.resolve() : handle.destroy()
  }
}
