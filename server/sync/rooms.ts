/**
 * Loads rooms on demand, shares them between connections, and unloads them
 * (after compacting) once idle. Documents therefore stay available after the
 * last client leaves: they are on disk, and come back on the next acquire.
 */
import * as Y from 'yjs'
import { type DocName, parseDocName } from '../../shared/protocol.ts'
import type { Logger } from '../logger.ts'
import type { DocLogStore } from '../storage/types.ts'
import { Room, type RoomHooks } from './room.ts'

interface Slot {
  room: Promise<Room>
  refs: number
  idleTimer: NodeJS.Timeout | null
}

export interface RoomManagerOptions {
  log: DocLogStore
  logger: Logger
  hooks: RoomHooks
  idleMs: number
  compactEvery: number
  /** A member with more than this many bytes queued unsent is closed (4429 'too slow'). */
  maxBufferedBytes?: number
  /** Called once per load, after stored history is applied (e.g. re-project server state). */
  onLoad?(room: Room): void | Promise<void>
}

export class RoomManager {
  private readonly slots = new Map<string, Slot>()
  /** Rooms being unloaded; a new acquire waits for the unload to finish. */
  private readonly unloading = new Map<string, Promise<void>>()

  constructor(private readonly options: RoomManagerOptions) {}

  /** Gets a room, loading it if needed. Pair every acquire with a release. */
  async acquire(name: string): Promise<Room> {
    await this.unloading.get(name)
    let slot = this.slots.get(name)
    if (!slot) {
      slot = { room: this.load(name), refs: 0, idleTimer: null }
      this.slots.set(name, slot)
      slot.room.catch(() => this.slots.delete(name))
    }
    slot.refs++
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer)
      slot.idleTimer = null
    }
    return slot.room
  }

  release(name: string): void {
    const slot = this.slots.get(name)
    if (!slot) return
    slot.refs--
    if (slot.refs > 0) return
    slot.idleTimer = setTimeout(() => void this.unload(name, slot), this.options.idleMs)
    slot.idleTimer.unref()
  }

  /** A loaded room, without loading it (for server-side writes to open documents). */
  async peek(name: string): Promise<Room | null> {
    const slot = this.slots.get(name)
    return slot ? slot.room : null
  }

  /** Runs `fn` on a room, loading it for the duration if it was not loaded. */
  async with<T>(name: string, fn: (room: Room) => T | Promise<T>): Promise<T> {
    const room = await this.acquire(name)
    try {
      return await fn(room)
    } finally {
      this.release(name)
    }
  }

  get loadedCount(): number {
    return this.slots.size
  }

  async loadedRooms(): Promise<Room[]> {
    return Promise.all([...this.slots.values()].map((s) => s.room))
  }

  /**
   * Throws a document's history away and starts it afresh (server-owned
   * documents only: their content is re-projected from the registry on load).
   * Open connections are closed first with `close`; clients that still hold
   * the old history are refused on reconnect (4409) and resync.
   */
  async discard(name: string, close: (room: Room) => void): Promise<void> {
    await this.unloading.get(name)
    const slot = this.slots.get(name)
    if (slot) {
      close(await slot.room)
      await this.unload(name, slot, true, { keepHistory: false })
    }
    await this.options.log.remove(name)
  }

  /** Flushes and unloads every room (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.slots.entries()].map(([name, slot]) => this.unload(name, slot, true)),
    )
  }

  private async load(name: string): Promise<Room> {
    const docName = parseDocName(name)
    if (!docName) throw new Error(`invalid document name ${name}`)
    const stored = await this.options.log.load(name)
    if (stored.droppedTornTail) {
      this.options.logger.warn('dropped a torn final log record (crash mid-write)', { doc: name })
    }
    // The name as guid: a random one costs 31 crypto draws per load, and nothing reads it
    // (guids matter only for subdocuments, which no StudySync document has).
    const doc = new Y.Doc({ guid: name })
    const records = this.applyStored(doc, name, stored.snapshot, stored.updates)
    const lastSeq = stored.updates.at(-1)?.seq ?? stored.snapshotSeq
    const room = new Room(
      name,
      docName as DocName,
      doc,
      this.options.log,
      this.options.logger,
      this.options.hooks,
      { lastSeq, recordsSinceSnapshot: records },
      this.options.compactEvery,
      this.options.maxBufferedBytes,
    )
    await this.options.onLoad?.(room)
    return room
  }

  private applyStored(
    doc: Y.Doc,
    name: string,
    snapshot: Uint8Array | null,
    updates: { seq: number; update: Uint8Array }[],
  ): number {
    if (snapshot) Y.applyUpdate(doc, snapshot)
    for (const { seq, update } of updates) {
      try {
        Y.applyUpdate(doc, update)
      } catch (error) {
        // Records are CRC-checked; one Yjs cannot apply was validated on the way in,
        // so this is a Yjs-level incompatibility. Skip it rather than lose the document.
        this.options.logger.error('skipped an unappliable log record', {
          doc: name,
          seq,
          error: String(error),
        })
      }
    }
    return updates.length
  }

  private unload(
    name: string,
    slot: Slot,
    force = false,
    options = { keepHistory: true },
  ): Promise<void> {
    if (this.slots.get(name) !== slot || (slot.refs > 0 && !force)) return Promise.resolve()
    this.slots.delete(name)
    if (slot.idleTimer) clearTimeout(slot.idleTimer)
    const done = slot.room
      .then(async (room) => {
        if (options.keepHistory) await room.flush()
        else await room.settled()
        room.destroy()
      })
      .catch((error) =>
        this.options.logger.error('unload failed', { doc: name, error: String(error) }),
      )
      .finally(() => this.unloading.delete(name))
    this.unloading.set(name, done)
    return done
  }
}
