/**
 * A bounded LRU of open append-mode file handles, so active documents skip an
 * open()/close() per group commit while thousands of idle ones hold no descriptors.
 */
import { type FileHandle, open } from 'node:fs/promises'

interface Entry {
  handle: FileHandle
  busy: number
}

export class HandleCache {
  /** Map iteration order is insertion order: re-inserting on use makes the first entry the LRU. */
  readonly #open = new Map<string, Entry>()
  /** Opens in flight: they count against the limit before they land in the map. */
  #opening = 0

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('HandleCache limit must be ≥ 1')
  }

  get size(): number {
    return this.#open.size
  }

  /** Runs `fn` with an append-mode handle on `file`; the handle is not closed while in use. */
  async use<T>(file: string, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    const entry = this.#open.get(file) ?? (await this.#openNew(file))
    this.#open.delete(file) // re-insert as most recently used
    this.#open.set(file, entry)
    entry.busy++
    try {
      return await fn(entry.handle)
    } finally {
      entry.busy--
    }
  }

  /**
   * Closes the handle on `file`, if open. Callers do this before renaming or deleting the
   * file (a cached descriptor would keep appending to the unlinked inode) and must
   * ensure nothing is using it — the store holds the document's lock.
   */
  async drop(file: string): Promise<void> {
    const entry = this.#open.get(file)
    if (!entry) return
    this.#open.delete(file)
    await entry.handle.close()
  }

  async closeAll(): Promise<void> {
    const entries = [...this.#open.values()]
    this.#open.clear()
    await Promise.allSettled(entries.map((e) => e.handle.close()))
  }

  /**
   * Makes room first, then opens: the limit holds even while opens are in flight.
   * Only idle handles are closed, so with more busy users than `limit` it is exceeded;
   * the store never runs more than `limit` users at once.
   */
  async #openNew(file: string): Promise<Entry> {
    const closing: Promise<void>[] = []
    for (const [key, entry] of this.#open) {
      if (this.#open.size + this.#opening < this.limit) break
      if (entry.busy > 0) continue
      this.#open.delete(key)
      closing.push(entry.handle.close())
    }
    this.#opening++
    try {
      await Promise.allSettled(closing)
      return { handle: await open(file, 'a'), busy: 0 }
    } finally {
      this.#opening--
    }
  }
}
