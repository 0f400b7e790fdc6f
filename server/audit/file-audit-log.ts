/**
 * The audit trail on the local filesystem (DESIGN §7–8): JSON-lines segments, fdatasync'd,
 * hash-chained across segments (format in segments.ts, hashing in chain.ts).
 *
 * Group commit: `append` validates and queues. One flush loop takes everything queued,
 * gives it ids and hashes in call order, writes it with one write(), fdatasyncs once and
 * only then resolves those appends. Appends arriving meanwhile form the next batch.
 *
 * A failed write or fdatasync leaves the file's tail unknown (and after a failed fsync the
 * page cache cannot be trusted), so the log then refuses every append until it is reopened;
 * reopening cuts a torn tail. Complete lines of a failed batch may survive: the trail can
 * hold an entry whose append was reported failed, never the reverse.
 *
 * `query` answers from an in-memory index of every entry plus a cache of the newest ones
 * appended since open; other entries are read back from their segment by offset.
 */
import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Clock } from '../clock.ts'
import { fdatasyncFile, fsyncDir, readIfExists, writeFully } from '../storage/fs-durable.ts'
import { AuditIndex, Column } from './audit-index.ts'
import { ChainVerifier, computeHash, GENESIS_HASH } from './chain.ts'
import { chainEntry, deepFreeze, type PreparedEntry, prepareEntry } from './entry.ts'
import {
  corrupt,
  listSegments,
  parseLine,
  scanSegment,
  segmentName,
  splitLines,
} from './segments.ts'
import type { AuditEntry, AuditEntryInput, AuditLog, AuditQuery } from './types.ts'

export const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024
export const DEFAULT_CACHE_ENTRIES = 10_000

export interface FileAuditLogOptions {
  clock: Clock
  /** A segment that has reached this size gets no more entries; the next batch starts a new one. */
  maxSegmentBytes?: number
  /** Entries appended since open that stay in memory for `query` (newest kept); others are read from disk. */
  cacheEntries?: number
  /** Told about repairs made on open (a torn final line cut off). */
  onWarning?: (message: string) => void
  /** Called after each fdatasync of a segment with its duration and how many entries it made durable. */
  onFsync?: (ms: number, entries: number) => void
}

interface Segment {
  n: number
  path: string
  /** Bytes known good and durable: the end of the last committed line. */
  size: number
}

interface PendingAppend {
  prepared: PreparedEntry
  resolve: (entry: AuditEntry) => void
  reject: (err: unknown) => void
}

export class FileAuditLog implements AuditLog {
  readonly #dir: string
  readonly #clock: Clock
  readonly #maxSegmentBytes: number
  readonly #cacheEntries: number
  readonly #onFsync: ((ms: number, entries: number) => void) | undefined
  readonly #segments: Segment[] = []
  readonly #index = new AuditIndex()
  /** Where each indexed entry's line is: segment number, byte offset, length without '\n'. */
  readonly #seg = new Column(Uint32Array)
  readonly #offset = new Column(Float64Array)
  readonly #length = new Column(Uint32Array)
  /** The newest entries by index position, oldest first. */
  readonly #recent = new Map<number, AuditEntry>()
  #lastId = 0
  #lastHash = GENESIS_HASH
  #handle: FileHandle | null = null
  #pending: PendingAppend[] = []
  #flushing: Promise<void> | null = null
  #failure: Error | null = null
  #closed = false

  private constructor(dir: string, opts: FileAuditLogOptions) {
    this.#dir = dir
    this.#clock = opts.clock
    this.#maxSegmentBytes = opts.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES
    this.#cacheEntries = opts.cacheEntries ?? DEFAULT_CACHE_ENTRIES
    this.#onFsync = opts.onFsync
  }

  /**
   * Opens (creating `dir` if needed) and reads the stored log to find where the chain ends.
   * A torn final line is cut off and reported through `onWarning`; any other unreadable
   * line throws StorageCorruptError naming the file and line.
   */
  static async open(dir: string, opts: FileAuditLogOptions): Promise<FileAuditLog> {
    await mkdir(dir, { recursive: true })
    const log = new FileAuditLog(dir, opts)
    await log.#load(opts.onWarning ?? (() => {}))
    return log
  }

  /** Entries in the log (for metrics and tests). */
  get size(): number {
    return this.#lastId
  }

  async append(input: AuditEntryInput): Promise<AuditEntry> {
    this.#throwIfUnusable()
    const prepared = prepareEntry(input, this.#clock.now())
    return new Promise<AuditEntry>((resolve, reject) => {
      this.#pending.push({ prepared, resolve, reject })
      this.#kick()
    })
  }

  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    this.#throwIfClosed()
    const { positions, nextCursor } = this.#index.select(query)
    return { entries: await this.#materialize(positions), nextCursor }
  }

  /**
   * Re-reads every segment from disk and checks every line's id, link and hash. Only the
   * committed part of the newest segment is read (memory supplies that bound and how many
   * entries must be there), so appends can go on meanwhile and a cut-off tail is caught.
   */
  async verify(): Promise<{ ok: boolean; entries: number; brokenAt?: string }> {
    this.#throwIfClosed()
    const segments = this.#segments.map((s) => ({ ...s }))
    const committed = this.#lastId
    const verifier = new ChainVerifier()
    for (const [i, seg] of segments.entries()) {
      const buf = (await readIfExists(seg.path)) ?? Buffer.alloc(0)
      const limit = i === segments.length - 1 ? Math.min(seg.size, buf.length) : buf.length
      for (const span of splitLines(buf, limit)) {
        verifier.check(span.terminated ? parseLine(buf, span.start, span.end) : undefined)
      }
    }
    verifier.expectAtLeast(committed)
    const result = verifier.result
    return result.ok
      ? { ok: true, entries: verifier.count }
      : { ok: false, entries: verifier.count, brokenAt: result.brokenAt }
  }

  /** Writes what is queued, then releases the file. Later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    while (this.#flushing) await this.#flushing
    await this.#handle?.close()
    this.#handle = null
  }

  async #load(warn: (message: string) => void): Promise<void> {
    const numbers = await listSegments(this.#dir)
    for (const [i, n] of numbers.entries()) {
      const path = join(this.#dir, segmentName(n))
      const newest = i === numbers.length - 1
      const scan = scanSegment(this.#dir, n, await readFile(path), newest, (e) =>
        this.#remember(e.entry, n, e.offset, e.length, false),
      )
      if (scan.torn) {
        await truncate(path, scan.goodEnd)
        await fdatasyncFile(path)
        warn(
          `${path}: cut off a torn final line (line ${scan.torn.line}, ${scan.torn.bytes} bytes) ` +
            'left by an interrupted write',
        )
      }
      this.#segments.push({ n, path, size: scan.goodEnd })
    }
  }

  /** Indexes an entry; `cache` keeps it in memory (entries read on open are not: most are never asked for). */
  #remember(entry: AuditEntry, seg: number, offset: number, length: number, cache: boolean): void {
    const pos = this.#index.push(entry)
    this.#seg.push(seg)
    this.#offset.push(offset)
    this.#length.push(length)
    this.#lastId = Number(entry.id)
    this.#lastHash = entry.hash
    if (!cache || this.#cacheEntries === 0) return
    this.#recent.set(pos, entry) // already frozen by chainEntry
    if (this.#recent.size > this.#cacheEntries) {
      this.#recent.delete(this.#recent.keys().next().value!)
    }
  }

  /** Starts the flush loop unless it is running; it drains every batch queued meanwhile. */
  #kick(): void {
    if (this.#flushing) return
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = null
      if (this.#pending.length > 0) this.#kick()
    })
  }

  async #flushLoop(): Promise<void> {
    // Yield one turn so that appends issued together share the first fsync.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#pending.length > 0) {
      const batch = this.#pending
      this.#pending = []
      await this.#commit(batch)
    }
  }

  /** Chains, writes and fdatasyncs one batch; settles every append in it, never throws. */
  async #commit(batch: PendingAppend[]): Promise<void> {
    if (this.#failure) {
      for (const item of batch) item.reject(this.#failure)
      return
    }
    let prevHash = this.#lastHash
    const chained = batch.map((item, i) => {
      const c = chainEntry(item.prepared, this.#lastId + 1 + i, prevHash)
      prevHash = c.entry.hash
      return { entry: c.entry, bytes: Buffer.from(c.line, 'utf8') }
    })
    let seg: Segment
    try {
      seg = await this.#writeDurably(Buffer.concat(chained.map((c) => c.bytes)), batch.length)
    } catch (err) {
      if (err instanceof RecoveredWriteError) {
        // The file is back to its committed end: refuse this batch, keep serving (issue 8).
        for (const item of batch) item.reject(err)
        return
      }
      this.#failure = writeFailure(err)
      for (const item of batch) item.reject(this.#failure)
      return
    }
    for (const { entry, bytes } of chained) {
      this.#remember(entry, seg.n, seg.size, bytes.length - 1, true)
      seg.size += bytes.length
    }
    for (const [i, c] of chained.entries()) batch[i]!.resolve(c.entry)
  }

  async #writeDurably(bytes: Buffer, entries: number): Promise<Segment> {
    const seg = await this.#writableSegment()
    const handle = this.#handle!
    try {
      await writeFully(handle, bytes)
    } catch (err) {
      await this.#cutBack(seg) // if this fails too, the caller fails closed
      throw new RecoveredWriteError(err)
    }
    const start = performance.now()
    await handle.datasync()
    this.#reportFsync(performance.now() - start, entries)
    return seg
  }

  /**
   * A write() that failed (disk full) left part of a batch after the committed end.
   * Nothing of it was fsync'd, so — unlike after a failed fdatasync — the page cache
   * still tells the truth: cutting the file back to `seg.size` restores exactly the
   * committed log, and appends can resume once the disk has room again.
   */
  async #cutBack(seg: Segment): Promise<void> {
    await this.#handle?.close()
    this.#handle = null
    await truncate(seg.path, seg.size)
    await fdatasyncFile(seg.path)
  }

  /** The newest segment, or a new one once it is full; opens its append handle. */
  async #writableSegment(): Promise<Segment> {
    const last = this.#segments.at(-1)
    if (last && (last.size === 0 || last.size < this.#maxSegmentBytes)) {
      this.#handle ??= await open(last.path, 'a')
      return last
    }
    await this.#handle?.close()
    this.#handle = null
    const n = (last?.n ?? 0) + 1
    const seg = { n, path: join(this.#dir, segmentName(n)), size: 0 }
    this.#handle = await open(seg.path, 'ax') // never append to a file we did not know about
    await fsyncDir(this.#dir) // the new file must still be there after a crash
    this.#segments.push(seg)
    return seg
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

  /** The hook feeds metrics; a throwing observer must not fail durable appends. */
  #reportFsync(ms: number, entries: number): void {
    try {
      this.#onFsync?.(ms, entries)
    } catch {
      // ignored on purpose
    }
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('FileAuditLog is closed')
  }

  #throwIfUnusable(): void {
    this.#throwIfClosed()
    if (this.#failure) throw this.#failure
  }
}

function hashesToItself(entry: AuditEntry): boolean {
  try {
    return computeHash(entry.prevHash, entry) === entry.hash
  } catch {
    return false
  }
}

/** A write that failed before its fsync, after the file was cut back to its committed end. */
class RecoveredWriteError extends Error {
  constructor(cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause)
    super(`audit log write failed; nothing was appended, later appends will retry: ${message}`, {
      cause,
    })
    this.name = 'RecoveredWriteError'
  }
}

function writeFailure(cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause)
  return new Error(
    'audit log write failed; refusing further appends until it is reopened ' +
      `(the kernel may have dropped unwritten data): ${message}`,
    { cause },
  )
}
