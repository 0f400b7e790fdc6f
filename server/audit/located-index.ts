/**
 * The file audit log's query side: the AuditIndex plus, per entry, where its line is
 * (segment number, byte offset, length without '\n'), and a cache of the newest entries
 * appended since open. Other entries are read back from their segment by offset when a
 * query asks for them; most entries read on open are never asked for, so they are not kept.
 */
import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { AuditIndex, Column } from './audit-index.ts'
import { computeHash } from './chain.ts'
import { deepFreeze } from './entry.ts'
import { corrupt, parseLine, segmentName } from './segments.ts'
import type { AuditEntry, AuditQuery } from './types.ts'

export class LocatedIndex {
  readonly #dir: string
  readonly #cacheEntries: number
  readonly #index = new AuditIndex()
  readonly #seg = new Column(Uint32Array)
  readonly #offset = new Column(Float64Array)
  readonly #length = new Column(Uint32Array)
  /** The newest entries by index position, oldest first. */
  #recent = new Map<number, AuditEntry>()

  constructor(dir: string, cacheEntries: number) {
    this.#dir = dir
    this.#cacheEntries = cacheEntries
  }

  /** Indexes the next entry; `cache` keeps it in memory for queries. */
  push(entry: AuditEntry, seg: number, offset: number, length: number, cache: boolean): void {
    const pos = this.#index.push(entry)
    this.#seg.push(seg)
    this.#offset.push(offset)
    this.#length.push(length)
    if (!cache || this.#cacheEntries === 0) return
    this.#recent.set(pos, entry) // already frozen by chainEntry
    if (this.#recent.size > this.#cacheEntries) {
      this.#recent.delete(this.#recent.keys().next().value!)
    }
  }

  /** Forgets the `count` oldest entries (pruned): queries no longer find them. */
  dropFirst(count: number): void {
    this.#index.dropFirst(count)
    this.#seg.dropFirst(count)
    this.#offset.dropFirst(count)
    this.#length.dropFirst(count)
    const recent = new Map<number, AuditEntry>()
    for (const [pos, entry] of this.#recent) if (pos >= count) recent.set(pos - count, entry)
    this.#recent = recent
  }

  /** Matching entries, newest first (AuditLog.query). Positions must not shift meanwhile. */
  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const { positions, nextCursor } = this.#index.select(query)
    return { entries: await this.#materialize(positions), nextCursor }
  }

  /** Entries at index positions: from the cache, else read back from their segments. */
  async #materialize(positions: number[]): Promise<AuditEntry[]> {
    const handles = new Map<number, FileHandle>()
    try {
      const out: AuditEntry[] = []
      for (const pos of positions) {
        out.push(this.#recent.get(pos) ?? (await this.#readBack(pos, handles)))
      }
      return out
    } finally {
      for (const h of handles.values()) await h.close()
    }
  }

  async #readBack(pos: number, handles: Map<number, FileHandle>): Promise<AuditEntry> {
    const [n, offset, length] = [this.#seg.at(pos), this.#offset.at(pos), this.#length.at(pos)]
    let handle = handles.get(n)
    if (!handle) {
      handle = await open(join(this.#dir, segmentName(n)), 'r')
      handles.set(n, handle)
    }
    const buf = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buf, 0, length, offset)
    const entry = bytesRead === length ? parseLine(buf, 0, length) : null
    // The entry's own hash catches a hand edit here; verify() is what checks the links.
    if (entry === null || Number(entry.id) !== this.#index.idAt(pos) || !hashesToItself(entry)) {
      throw corrupt(
        this.#dir,
        n,
        `the entry at byte ${offset} changed on disk since the log was opened`,
      )
    }
    return deepFreeze(entry)
  }
}

function hashesToItself(entry: AuditEntry): boolean {
  try {
    return computeHash(entry.prevHash, entry) === entry.hash
  } catch {
    return false
  }
}
