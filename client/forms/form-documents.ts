import type { ReactiveController, ReactiveControllerHost } from 'lit'
import {
  type ClosedStatus,
  type ConnectionStatus,
  type DocumentHandle,
  openDocument,
  type ReplicaView,
} from '../connection/index.ts'
import type { QuarantineEntry } from '../quarantine/types.ts'

export interface FormDocumentsOptions {
  /** `study/<acc>` or `patient/<id>`: the form's fields. */
  readonly docName: string
  /** `…/state`: server-owned, read-only here. */
  readonly stateDocName: string
  readonly userId: string
  readonly token: string | null
  /** Sync endpoint override (tests); default this origin's `/sync`. */
  readonly serverUrl?: string | undefined
}

export interface FormDocumentsCallbacks {
  /** The replicas changed (opened, reset after a 4409, closed): rebind everything. */
  rebind(main: ReplicaView | null, state: ReplicaView | null): void
  /** The form document finished a sync round with the server (every reconnect, too). */
  synced?(): void
  /** A permanent close (4401/4403/4404/4410) of either document; called once. */
  closed?(status: ClosedStatus): void
  /** The server refused our local copy (4409); it was dropped and resyncs. */
  refused?(): void
  /** Unsaved edits the server refused (or can no longer take) went to the quarantine. */
  quarantined?(entry: QuarantineEntry): void
}

/**
 * The two documents of a form (fields + server state) for one element (STYLE 14):
 * opened while the host is connected, destroyed when it leaves, and re-reported after
 * a 4409 `reset`, when doc, provider and awareness are new objects.
 */
export class FormDocuments implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #callbacks: FormDocumentsCallbacks
  #options: FormDocumentsOptions | null = null
  #main: DocumentHandle | null = null
  #state: DocumentHandle | null = null
  #cleanup: Array<() => void> = []
  #connected = false
  #status: ConnectionStatus | null = null
  #closed: ClosedStatus | null = null

  constructor(host: ReactiveControllerHost, callbacks: FormDocumentsCallbacks) {
    this.#host = host
    this.#callbacks = callbacks
    host.addController(this)
  }

  /** The form document's connection; null while nothing is open. */
  get status(): ConnectionStatus | null {
    return this.#status
  }

  /** Set once a document closed for good; the form shows why. */
  get closed(): ClosedStatus | null {
    return this.#closed
  }

  /** Local edits the server has not acknowledged as saved: kept on this device only. */
  get unsaved(): number {
    return this.#main?.unsaved ?? 0
  }

  /** Whether the server ever acknowledged the form document (then 0 unsaved means all saved). */
  get acknowledged(): boolean {
    return this.#main?.acknowledged ?? false
  }

  /** Opens these documents (closing others); null closes. The same options again are a no-op. */
  configure(options: FormDocumentsOptions | null): void {
    if (sameOptions(options, this.#options)) return
    void this.#detach()
    this.#options = options
    this.#closed = null
    if (this.#connected) this.#attach()
  }

  /** Closes for good after a 4410, deleting this user's local copies (they must not resurrect it). */
  async discard(): Promise<void> {
    this.#options = null
    await this.#detach({ clearLocalCopy: true })
  }

  hostConnected(): void {
    this.#connected = true
    this.#attach()
  }

  hostDisconnected(): void {
    this.#connected = false
    void this.#detach()
  }

  #attach(): void {
    const options = this.#options
    if (options === null || this.#main !== null || this.#closed !== null) return
    const common = {
      userId: options.userId,
      ...(options.token === null ? {} : { token: options.token }),
      ...(options.serverUrl === undefined ? {} : { serverUrl: options.serverUrl }),
    }
    const main = openDocument({ docName: options.docName, ...common })
    const state = openDocument({ docName: options.stateDocName, ...common })
    this.#main = main
    this.#state = state
    this.#status = main.status
    state.awareness.setLocalState(null) // presence lives on the form document only
    this.#cleanup = [
      main.on('status', (status) => this.#onStatus(status)),
      main.on('closed', (status) => this.#onClosed(status)),
      state.on('closed', (status) => this.#onClosed(status)),
      main.on('reset', () => this.#rebind()),
      state.on('reset', (view) => {
        view.awareness.setLocalState(null)
        this.#rebind()
      }),
      main.on('refused', () => this.#callbacks.refused?.()),
      main.on('unsaved', () => this.#host.requestUpdate()),
      main.on('saved', () => this.#host.requestUpdate()),
      main.on('quarantined', (entry) => this.#callbacks.quarantined?.(entry)),
    ]
    this.#rebind()
  }

  #detach(options: { clearLocalCopy?: boolean } = {}): Promise<void> {
    const handles = [this.#main, this.#state]
    for (const off of this.#cleanup) off()
    this.#cleanup = []
    this.#main = null
    this.#state = null
    this.#status = null
    this.#callbacks.rebind(null, null)
    this.#host.requestUpdate()
    return Promise.all(handles.map((h) => h?.destroy(options))).then(() => {})
  }

  #rebind(): void {
    const main = this.#main
    if (main === null) return
    this.#callbacks.rebind(viewOf(main), this.#state === null ? null : viewOf(this.#state))
    this.#host.requestUpdate()
  }

  #onStatus(status: ConnectionStatus): void {
    this.#status = status
    if (status.kind === 'online' && status.synced) {
      this.#callbacks.synced?.()
    }
    this.#host.requestUpdate()
  }

  #onClosed(status: ClosedStatus): void {
    if (this.#closed !== null) return
    this.#closed = status
    this.#status = status
    this.#callbacks.closed?.(status)
    this.#host.requestUpdate()
  }
}

function viewOf(handle: DocumentHandle): ReplicaView {
  return { doc: handle.doc, provider: handle.provider, awareness: handle.awareness }
}

function sameOptions(a: FormDocumentsOptions | null, b: FormDocumentsOptions | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.docName === b.docName &&
    a.stateDocName === b.stateDocName &&
    a.userId === b.userId &&
    a.token === b.token &&
    a.serverUrl === b.serverUrl
  )
}
