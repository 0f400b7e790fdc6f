import type { Awareness } from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CloseCode, PERMANENT_CLOSE_CODES, parseDocName } from '../../shared/protocol.ts'
import { quarantineEntry } from '../quarantine/capture.ts'
import { QuarantineStore } from '../quarantine/store.ts'
import type { QuarantineEntry, RefusalReason } from '../quarantine/types.ts'
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  jitteredBackoff,
  type RandomSource,
} from './backoff.ts'
import { Emitter, type Listener } from './emitter.ts'
import { browserNetwork, browserTimers, type Network, type Timers } from './environment.ts'
import { Replica } from './replica.ts'
import {
  type ClosedStatus,
  type ConnectionStatus,
  parseGoneReason,
  type RefusedEvent,
} from './status.ts'
import { deleteDatabase, documentDatabaseName } from './storage.ts'
import { captureUnsaved, type UnsavedEdits } from './unsaved-edits.ts'

/** Keeps refused edits; the default writes to the user's IndexedDB quarantine. */
export type QuarantineSink = (entry: QuarantineEntry) => Promise<void>

/**
 * Permanent closes after which the local copy can never be synced again: its
 * unsaved edits go to quarantine and the copy is purged (a deleted or merged study
 * must not come back from a tablet, S27). 4401 keeps it: signing in again syncs it.
 */
const PURGE_CODES: ReadonlySet<number> = new Set([
  CloseCode.forbidden,
  CloseCode.noSuchDocument,
  CloseCode.gone,
])

/** Payload of `saved`: the server acknowledged `stateVector` as durable. */
export interface SavedEvent {
  readonly stateVector: ReadonlyMap<number, number>
  /** Local edits still not covered after this acknowledgement. */
  readonly unsaved: number
}

export interface OpenDocumentOptions {
  /** A doc name of API.md "Sync", e.g. `study/56365`; anything else throws. */
  readonly docName: string
  /** Namespaces the IndexedDB copy (DESIGN §6). */
  readonly userId: string
  /** Sync endpoint without the doc name; default `ws(s)://<location.host>/sync`. */
  readonly serverUrl?: string
  /** Sent as `?token=`; omit to authenticate with the session cookie instead. */
  readonly token?: string
  readonly backoff?: BackoffPolicy
  readonly random?: RandomSource
  readonly timers?: Timers
  readonly network?: Network
  /** Relay updates to this browser's other tabs over BroadcastChannel (default off). */
  readonly crossTab?: boolean
  readonly WebSocketImpl?: typeof WebSocket
  readonly indexedDB?: IDBFactory
  /** Where refused unsaved edits go; default the user's quarantine store. */
  readonly quarantine?: QuarantineSink
}

/** What a consumer binds to; replaced as a whole after a 4409 (see `reset`). */
export interface ReplicaView {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  readonly awareness: Awareness
}

export interface DocumentEvents {
  /** Every status change, including `online` becoming synced. */
  status: ConnectionStatus
  /** A permanent close (4401/4403/4404/4410): no further attempts are made. */
  closed: ClosedStatus
  /** 4409: the server refused our local writes. Fired before the local copy is dropped. */
  refused: RefusedEvent
  /** After a 4409: a fresh, empty replica replaced the old one and will now resync. */
  reset: ReplicaView
  /** The count of local edits not yet acknowledged as saved on the server changed. */
  unsaved: number
  /** A saved acknowledgement from the server arrived. */
  saved: SavedEvent
  /** Refused unsaved edits were stored in the quarantine (before the copy was dropped). */
  quarantined: QuarantineEntry
}

export interface DocumentHandle extends ReplicaView {
  readonly docName: string
  readonly userId: string
  readonly databaseName: string
  readonly status: ConnectionStatus
  /** Resolves once the IndexedDB copy is loaded into `doc`; needs no network. */
  readonly whenLocalLoaded: Promise<void>
  /** Resolves on the first completed sync with the server. */
  readonly whenSynced: Promise<void>
  /** Local edits (transactions) the server has not acknowledged as durable yet. */
  readonly unsaved: number
  /** Whether the server ever acknowledged this copy: only then is `unsaved === 0` "all saved". */
  readonly acknowledged: boolean
  on<K extends keyof DocumentEvents>(type: K, listener: Listener<DocumentEvents[K]>): () => void
  off<K extends keyof DocumentEvents>(type: K, listener: Listener<DocumentEvents[K]>): void
  /** Closes everything; with `clearLocalCopy` also deletes this user's IndexedDB copy. */
  destroy(options?: { clearLocalCopy?: boolean }): Promise<void>
}

/** Why a `whenLocalLoaded`/`whenSynced` promise will never resolve. */
export class DocumentUnavailableError extends Error {
  constructor(
    readonly why: 'closed' | 'reset' | 'destroyed',
    readonly status?: ClosedStatus,
  ) {
    super(`document unavailable: ${why}${status ? ` (${status.code} ${status.reason})` : ''}`)
    this.name = 'DocumentUnavailableError'
  }
}

/** Opens a document: local copy first, then the server, reconnecting with jitter. */
export function openDocument(options: OpenDocumentOptions): DocumentHandle {
  return new DocumentConnection(options)
}

export function defaultSyncUrl(location: Location = globalThis.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/sync`
}

class DocumentConnection implements DocumentHandle {
  readonly docName: string
  readonly userId: string
  readonly databaseName: string
  readonly #options: OpenDocumentOptions
  readonly #timers: Timers
  readonly #network: Network
  readonly #events = new Emitter<DocumentEvents>()
  readonly #unsubscribeNetwork: () => void
  #replica: Replica
  #status: ConnectionStatus = { kind: 'connecting' }
  /** Failed attempts since the last successful sync; 0 while healthy. */
  #attempt = 0
  #retry: { id: unknown } | null = null
  #destroying: Promise<void> | null = null

  constructor(options: OpenDocumentOptions) {
    if (parseDocName(options.docName) === null) {
      throw new TypeError(`not a document name: ${JSON.stringify(options.docName)}`)
    }
    this.docName = options.docName
    this.userId = options.userId
    this.databaseName = documentDatabaseName(options.userId, options.docName)
    this.#options = options
    this.#timers = options.timers ?? browserTimers
    this.#network = options.network ?? browserNetwork
    this.#replica = this.#createReplica()
    this.#unsubscribeNetwork = this.#network.subscribe((online) =>
      online ? this.#onOnline() : this.#onOffline(),
    )
    // Load the local copy before the first sync, so the first exchange already offers
    // the offline edits (and a 4409's snapshot holds them). A broken IndexedDB must not
    // keep us offline, hence connect on rejection too.
    const connect = () => this.#connect()
    this.#replica.localLoaded.promise.then(connect, connect)
  }

  get doc(): Y.Doc {
    return this.#replica.doc
  }
  get provider(): WebsocketProvider {
    return this.#replica.provider
  }
  get awareness(): Awareness {
    return this.#replica.awareness
  }
  get status(): ConnectionStatus {
    return this.#status
  }
  get whenLocalLoaded(): Promise<void> {
    return this.#replica.localLoaded.promise
  }
  get whenSynced(): Promise<void> {
    return this.#replica.synced.promise
  }
  get unsaved(): number {
    return this.#replica.saved.tracker.unsaved
  }
  get acknowledged(): boolean {
    return this.#replica.saved.tracker.acknowledged
  }

  on<K extends keyof DocumentEvents>(type: K, listener: Listener<DocumentEvents[K]>): () => void {
    return this.#events.on(type, listener)
  }
  off<K extends keyof DocumentEvents>(type: K, listener: Listener<DocumentEvents[K]>): void {
    this.#events.off(type, listener)
  }

  destroy(options: { clearLocalCopy?: boolean } = {}): Promise<void> {
    this.#destroying ??= this.#destroy(options.clearLocalCopy === true)
    return this.#destroying
  }

  async #destroy(clearLocalCopy: boolean): Promise<void> {
    this.#cancelRetry()
    this.#unsubscribeNetwork()
    this.#events.clear()
    await this.#replica.destroy(new DocumentUnavailableError('destroyed'))
    if (clearLocalCopy) await deleteDatabase(this.#indexedDB, this.databaseName)
  }

  get #indexedDB(): IDBFactory {
    return this.#options.indexedDB ?? indexedDB
  }

  get #inactive(): boolean {
    return this.#destroying !== null || this.#status.kind === 'closed'
  }

  #createReplica(): Replica {
    const { docName, token, crossTab, WebSocketImpl } = this.#options
    const replica: Replica = new Replica({
      docName,
      databaseName: this.databaseName,
      serverUrl: this.#options.serverUrl ?? defaultSyncUrl(),
      // Always ask for saved acknowledgements: "saved" is shown only from them.
      params: { ...(token === undefined ? {} : { token }), savedAck: '1' },
      crossTab: crossTab === true,
      WebSocketImpl,
      saved: {
        changed: () => {
          if (this.#replica === replica) this.#events.emit('unsaved', replica.saved.tracker.unsaved)
        },
        acknowledged: (stateVector) => {
          if (this.#replica !== replica) return
          this.#events.emit('saved', { stateVector, unsaved: replica.saved.tracker.unsaved })
        },
      },
    })
    const { provider } = replica
    provider.on('status', ({ status }) => {
      if (this.#replica !== replica || this.#inactive) return
      if (status === 'connecting') this.#setStatus({ kind: 'connecting' })
      if (status === 'connected') this.#setStatus({ kind: 'online', synced: false })
    })
    provider.on('sync', (synced) => {
      if (this.#replica !== replica || this.#inactive || !synced) return
      this.#attempt = 0
      replica.synced.resolve()
      this.#setStatus({ kind: 'online', synced: true })
    })
    provider.on('connection-close', (event) => {
      // Synchronously, before y-websocket's own retry timer could ever act on it.
      provider.shouldConnect = false
      // Deferred: the provider is still inside its close routine, and a 4409 destroys it.
      queueMicrotask(() => this.#onConnectionClose(replica, event))
    })
    return replica
  }

  #onConnectionClose(replica: Replica, event: CloseEvent | null): void {
    if (this.#replica !== replica || this.#inactive) return
    if (event === null) {
      // We closed it. Only y-websocket's 30 s silence watchdog does so while we want
      // to be connected; our own disconnects (offline, reset) changed the status first.
      if (this.#status.kind === 'online' || this.#status.kind === 'connecting') {
        this.#scheduleRetry()
      }
      return
    }
    if (PERMANENT_CLOSE_CODES.has(event.code)) {
      this.#closePermanently(event.code, event.reason)
    } else if (event.code === CloseCode.localCopyRefused) {
      void this.#resetAfterRefusal(replica, event.reason)
    } else if (this.#status.kind !== 'offline') {
      // 1006 (network), 1001/4503 (server going away), 4400/4413/4429: try again later.
      this.#scheduleRetry()
    }
  }

  #closePermanently(code: number, reason: string): void {
    this.#cancelRetry()
    this.#unsubscribeNetwork()
    const gone = code === CloseCode.gone ? parseGoneReason(reason) : undefined
    const replica = this.#replica
    // Captured before anyone hears of the close: listeners may destroy the document.
    const unsaved = PURGE_CODES.has(code) ? this.#capture(replica) : null
    const status: ClosedStatus =
      gone === undefined
        ? { kind: 'closed', code, reason, permanent: true }
        : { kind: 'closed', code, reason, permanent: true, gone }
    this.#setStatus(status)
    this.#replica.synced.reject(new DocumentUnavailableError('closed', status))
    this.#events.emit('closed', status)
    if (unsaved !== null)
      void this.#purge(replica, unsaved, gone ? { code, reason, gone } : { code, reason })
  }

  /** Quarantines what was never saved, then deletes the local copy for good. */
  async #purge(replica: Replica, unsaved: UnsavedEdits, why: RefusalReason): Promise<void> {
    await this.#quarantine(unsaved, why)
    await replica.destroy(new DocumentUnavailableError('closed'))
    await deleteDatabase(this.#indexedDB, this.databaseName).catch(() => {})
  }

  #capture(replica: Replica): UnsavedEdits {
    return captureUnsaved(replica.doc, replica.saved.tracker)
  }

  /** Stores unsaved edits in the quarantine; nothing to do when all were saved. */
  async #quarantine(unsaved: UnsavedEdits, why: RefusalReason): Promise<void> {
    if (unsaved.count === 0) return
    const entry = quarantineEntry(this.userId, this.docName, unsaved, why)
    const sink =
      this.#options.quarantine ??
      ((e: QuarantineEntry) => new QuarantineStore(this.userId, this.#indexedDB).add(e))
    try {
      await sink(entry)
      this.#events.emit('quarantined', entry)
    } catch (error) {
      // The `refused` event still carried the content; say loudly that it is not kept.
      console.error(`could not quarantine unsaved edits of ${this.docName}`, error)
    }
  }

  /**
   * 4409: hand the refused content to listeners, drop the replica and its IndexedDB
   * copy, and resync into a fresh doc. Counts as a failed attempt, so a server that
   * keeps refusing is met with growing delays rather than a tight loop.
   */
  async #resetAfterRefusal(old: Replica, reason: string): Promise<void> {
    this.#cancelRetry()
    this.#setStatus({ kind: 'connecting' })
    const localUpdate = Y.encodeStateAsUpdate(old.doc)
    const unsaved = this.#capture(old)
    const code = CloseCode.localCopyRefused
    this.#events.emit('refused', { code, reason, localUpdate, unsaved })
    await this.#quarantine(unsaved, { code, reason })
    await old.destroy(new DocumentUnavailableError('reset'))
    await deleteDatabase(this.#indexedDB, this.databaseName)
    if (this.#destroying !== null) return
    this.#replica = this.#createReplica()
    const { doc, provider, awareness } = this.#replica
    this.#events.emit('reset', { doc, provider, awareness })
    await this.#replica.localLoaded.promise.catch(() => {})
    if (this.#destroying !== null) return
    this.#scheduleRetry()
  }

  #scheduleRetry(): void {
    this.#cancelRetry()
    if (!this.#network.isOnline()) {
      this.#setStatus({ kind: 'offline' })
      return
    }
    this.#attempt += 1
    const retryInMs = jitteredBackoff(
      this.#attempt,
      this.#options.random ?? Math.random,
      this.#options.backoff ?? DEFAULT_BACKOFF,
    )
    const retry: { id: unknown } = { id: undefined }
    retry.id = this.#timers.setTimeout(() => {
      if (this.#retry !== retry) return
      this.#retry = null
      this.#connect()
    }, retryInMs)
    this.#retry = retry
    this.#setStatus({ kind: 'reconnecting', attempt: this.#attempt, retryInMs })
  }

  #cancelRetry(): void {
    if (this.#retry === null) return
    this.#timers.clearTimeout(this.#retry.id)
    this.#retry = null
  }

  #connect(): void {
    if (this.#inactive) return
    if (!this.#network.isOnline()) {
      this.#setStatus({ kind: 'offline' })
      return
    }
    this.#setStatus({ kind: 'connecting' })
    // Whoever is waiting for the local load (constructor, reset) connects afterwards.
    if (!this.#replica.localLoaded.settled) return
    this.#replica.provider.connect()
  }

  #onOffline(): void {
    if (this.#inactive) return
    this.#cancelRetry()
    this.#setStatus({ kind: 'offline' })
    this.#replica.provider.disconnect()
  }

  #onOnline(): void {
    if (this.#inactive) return
    if (this.#status.kind !== 'offline' && this.#status.kind !== 'reconnecting') return
    // The network changed: what failed before says little about what happens now.
    this.#cancelRetry()
    this.#attempt = 0
    this.#connect()
  }

  #setStatus(next: ConnectionStatus): void {
    if (sameStatus(this.#status, next)) return
    this.#status = next
    this.#events.emit('status', next)
  }
}

function sameStatus(a: ConnectionStatus, b: ConnectionStatus): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  const ra = a as unknown as Record<string, unknown>
  const rb = b as unknown as Record<string, unknown>
  return [...keys].every((key) => ra[key] === rb[key])
}
