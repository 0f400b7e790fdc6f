import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { IndexeddbPersistence } from 'y-indexeddb'
import * as syncProtocol from 'y-protocols/sync'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CustomMessageType, MessageType } from '../../shared/protocol.ts'
import { type PendingEdit, type SavedSnapshot, SavedTracker } from './saved-tracker.ts'

/** Key in y-indexeddb's `custom` store of the document's own database. */
export const SAVED_STORAGE_KEY = 'studysync:saved'

export interface SavedAckListener {
  /** The unsaved count may have changed. */
  changed(): void
  /** The server acknowledged `vector` as durable. */
  acknowledged(vector: Map<number, number>): void
}

/**
 * Connects a SavedTracker to one replica: reads the server's saved acknowledgements
 * (message type 100, sent because we connect with `?savedAck=1`), asks for the
 * server's delete set when pure deletions wait for it, and keeps the pending edits
 * in the document's IndexedDB database so the count survives an offline reload.
 */
export class SavedAcks {
  readonly tracker: SavedTracker
  readonly #provider: WebsocketProvider
  readonly #persistence: IndexeddbPersistence
  readonly #listener: SavedAckListener
  #writeQueued = false
  #destroyed = false

  constructor(
    doc: Y.Doc,
    provider: WebsocketProvider,
    persistence: IndexeddbPersistence,
    listener: SavedAckListener,
  ) {
    this.#provider = provider
    this.#persistence = persistence
    this.#listener = listener
    this.tracker = new SavedTracker(doc, () => this.#changed())
    provider.messageHandlers[CustomMessageType.savedAck] = (_encoder, decoder) =>
      this.#onAck(Y.decodeStateVector(decoding.readVarUint8Array(decoder)))
    const sync = provider.messageHandlers[MessageType.sync]
    if (sync !== undefined) {
      provider.messageHandlers[MessageType.sync] = (encoder, decoder, ...rest) => {
        // Peek before the stock handler consumes the message.
        if (this.tracker.awaitsDeleteSet) this.#peekStep2(decoding.clone(decoder))
        sync(encoder, decoder, ...rest)
      }
    }
    persistence.whenSynced.then(
      () => this.#load(),
      () => {},
    )
  }

  /** Call before the persistence is destroyed: a queued write still goes out first. */
  destroy(): void {
    if (this.#writeQueued) this.#write()
    this.#destroyed = true
    this.tracker.destroy()
  }

  async #load(): Promise<void> {
    const stored: unknown = await this.#persistence.get(SAVED_STORAGE_KEY).catch(() => undefined)
    const snapshot = typeof stored === 'string' ? parseSavedSnapshot(stored) : null
    if (snapshot !== null && !this.#destroyed) this.tracker.restore(snapshot)
  }

  #onAck(vector: Map<number, number>): void {
    this.tracker.acknowledge(vector)
    if (this.tracker.awaitsDeleteSet) this.#askForDeleteSet()
    this.#listener.acknowledged(vector)
  }

  /** A sync step 1: the server answers with a step 2 carrying its (durable) delete set. */
  #askForDeleteSet(): void {
    const ws = this.#provider.ws
    if (ws === null || ws.readyState !== WebSocket.OPEN) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    syncProtocol.writeSyncStep1(encoder, this.#provider.doc)
    ws.send(encoding.toUint8Array(encoder))
  }

  #peekStep2(decoder: decoding.Decoder): void {
    try {
      if (decoding.readVarUint(decoder) !== syncProtocol.messageYjsSyncStep2) return
      this.tracker.serverDeleted(Y.decodeUpdate(decoding.readVarUint8Array(decoder)).ds)
    } catch {
      // Malformed: the stock handler reports it; nothing counts as saved.
    }
  }

  #changed(): void {
    this.#listener.changed()
    if (this.#writeQueued || this.#destroyed) return
    this.#writeQueued = true
    queueMicrotask(() => {
      if (this.#writeQueued && !this.#destroyed) this.#write()
    })
  }

  #write(): void {
    this.#writeQueued = false
    // Lost only if the database is gone (reset, purge), which is what we want then.
    this.#persistence
      .set(SAVED_STORAGE_KEY, JSON.stringify(this.tracker.snapshot()))
      .catch(() => {})
  }
}

/** Parses what `SavedAcks` persisted; null when it is not that. */
export function parseSavedSnapshot(text: string): SavedSnapshot | null {
  try {
    const value = JSON.parse(text) as { pending?: unknown; acked?: unknown }
    const pending = Array.isArray(value.pending) ? value.pending.filter(isPendingEdit) : []
    const acked = Array.isArray(value.acked) ? value.acked.filter(isPair) : null
    return { pending, acked }
  } catch {
    return null
  }
}

function isPendingEdit(value: unknown): value is PendingEdit {
  const edit = value as Partial<PendingEdit> | null
  return (
    typeof edit?.client === 'number' &&
    typeof edit.clock === 'number' &&
    Array.isArray(edit.paths) &&
    (edit.deletes === undefined || Array.isArray(edit.deletes))
  )
}

function isPair(value: unknown): value is [number, number] {
  return Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number'
}
