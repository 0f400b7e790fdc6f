import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import type {
  ClosedStatus,
  ConnectionStatus,
  DocumentHandle,
  OpenDocumentOptions,
  RefusedEvent,
} from '../connection/index.ts'
import { DocumentController } from '../controllers/document-controller.ts'

export interface LiveDocumentHooks {
  /**
   * Called with the document and its awareness once it is open and again after every
   * 4409 reset (a fresh Y.Doc and awareness replace the refused ones); returns what
   * undoes the binding.
   */
  bind?(doc: Y.Doc, awareness: Awareness): () => void
  /** 4409: the server refused our writes; the payload holds our local content. */
  refused?(event: RefusedEvent): void
  /** A permanent close (4401/4403/4404/4410). */
  closed?(status: ClosedStatus): void
}

/**
 * A DocumentController plus the document's events: re-binds the host to the new
 * Y.Doc after a 4409 reset and reports refusals and permanent closes.
 */
export class LiveDocumentController implements ReactiveController {
  readonly #document: DocumentController
  readonly #hooks: LiveDocumentHooks
  #handle: DocumentHandle | null = null
  #cleanup: (() => void)[] = []
  #unbind: (() => void) | null = null

  constructor(host: ReactiveControllerHost, hooks: LiveDocumentHooks) {
    // Added first, so its hostConnected (which re-attaches the handle) runs before ours.
    this.#document = new DocumentController(host)
    this.#hooks = hooks
    host.addController(this)
  }

  get doc(): Y.Doc | null {
    return this.#handle?.doc ?? null
  }

  get status(): ConnectionStatus | null {
    return this.#document.status
  }

  /** Local edits not yet acknowledged as saved on the server. */
  get unsaved(): number {
    return this.#document.unsaved
  }

  get acknowledged(): boolean {
    return this.#document.acknowledged
  }

  open(options: OpenDocumentOptions): void {
    this.#release()
    this.#document.open(options)
    this.#watch()
  }

  close(): Promise<void> {
    this.#release()
    return this.#document.close()
  }

  hostConnected(): void {
    this.#watch()
  }

  hostDisconnected(): void {
    this.#release()
  }

  #watch(): void {
    const handle = this.#document.handle
    if (handle === null || handle === this.#handle) return
    this.#release()
    this.#handle = handle
    this.#cleanup = [
      handle.on('reset', ({ doc, awareness }) => this.#rebind(doc, awareness)),
      handle.on('refused', (event) => this.#hooks.refused?.(event)),
      handle.on('closed', (status) => this.#hooks.closed?.(status)),
    ]
    this.#rebind(handle.doc, handle.awareness)
  }

  #rebind(doc: Y.Doc, awareness: Awareness): void {
    this.#unbind?.()
    this.#unbind = this.#hooks.bind?.(doc, awareness) ?? null
  }

  #release(): void {
    for (const off of this.#cleanup) off()
    this.#cleanup = []
    this.#unbind?.()
    this.#unbind = null
    this.#handle = null
  }
}
