import { IndexeddbPersistence } from 'y-indexeddb'
import { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { type Deferred, deferred } from './deferred.ts'
import { type SavedAckListener, SavedAcks } from './saved-acks.ts'

export interface ReplicaOptions {
  readonly docName: string
  readonly databaseName: string
  /** e.g. `wss://host/sync`; the provider appends `/<docName>`. */
  readonly serverUrl: string
  readonly params: Record<string, string>
  readonly crossTab: boolean
  readonly WebSocketImpl: typeof WebSocket | undefined
  /** Told when the unsaved count changes and when the server acknowledges. */
  readonly saved: SavedAckListener
}

/**
 * One local replica of a document: a Y.Doc with its awareness, its IndexedDB copy
 * and a stock `WebsocketProvider`. A 4409 replaces the whole replica, because the
 * refused edits live in the Y.Doc itself: reconnecting with the same doc would
 * offer them to the server again and be refused forever.
 */
export class Replica {
  readonly doc = new Y.Doc()
  readonly awareness = new Awareness(this.doc)
  readonly persistence: IndexeddbPersistence
  readonly provider: WebsocketProvider
  readonly localLoaded: Deferred<void> = deferred()
  readonly synced: Deferred<void> = deferred()
  /** Local edits the server has not acknowledged as durable yet. */
  readonly saved: SavedAcks
  #closed: Promise<void> | null = null

  constructor(options: ReplicaOptions) {
    this.persistence = new IndexeddbPersistence(options.databaseName, this.doc)
    this.persistence.whenSynced.then(() => this.localLoaded.resolve())
    // y-indexeddb never settles `whenSynced` when the database cannot be opened
    // (storage disabled, quota): surface that instead of waiting forever.
    this.persistence._db.catch((error: unknown) => this.localLoaded.reject(error))
    this.provider = new WebsocketProvider(options.serverUrl, options.docName, this.doc, {
      // We drive every (re)connection ourselves: y-websocket's backoff has no jitter.
      connect: false,
      awareness: this.awareness,
      params: options.params,
      // The BroadcastChannel name is not namespaced by user, so another user's tab in
      // the same browser profile would receive this document without any server check.
      disableBc: !options.crossTab,
      // Never let y-websocket schedule a retry of its own after a server close.
      shouldReconnect: () => false,
      ...(options.WebSocketImpl === undefined ? {} : { WebSocketPolyfill: options.WebSocketImpl }),
    })
    this.saved = new SavedAcks(this.doc, this.provider, this.persistence, options.saved)
  }

  /**
   * Tears everything down; resolves once the IndexedDB connection is closed, so the
   * database can be deleted right after. Idempotent.
   */
  destroy(reason: Error): Promise<void> {
    if (this.#closed !== null) return this.#closed
    this.localLoaded.reject(reason)
    this.synced.reject(reason)
    this.saved.destroy()
    this.provider.destroy()
    this.awareness.destroy()
    this.#closed = this.persistence.destroy()
    this.doc.destroy()
    return this.#closed
  }
}
