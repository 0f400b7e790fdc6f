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
 * appended since open; other entries are read back from their segment (located-index.ts).
 *
 * Retention (optional): at open and then hourly, whole rotated segments whose newest entry
 * is past the window are removed, oldest first, behind a durable anchor that lets the rest
 * of the chain verify (file-retention.ts has the order of steps and why a crash is safe).
 */
import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Clock } from '../clock.ts'
import { fdatasyncFile, fsyncDir, writeFully } from '../storage/fs-durable.ts'
import { GENESIS_HASH } from './chain.ts'
import { chainEntry, type PreparedEntry, prepareEntry } from './entry.ts'
import { type SegmentStats, verifySegments } from './file-retention.ts'
import { LocatedIndex } from './located-index.ts'
import { checkRetentionMs, RETENTION_INTERVAL_MS } from './retention.ts'
import { ReadWriteLock } from './rw-lock.ts'
import { SegmentRetention } from './segment-retention.ts'
import { listSegments, scanSegment, segmentName } from './segments.ts'
import type {
  AuditEntry,
  AuditEntryInput,
  AuditLog,
  AuditQuery,
  AuditVerifyResult,
  RetentionResult,
} from './types.ts'

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
  /** Told when retention prunes nothing although due, fails, or finishes a pruning cut short (default: onWarning). */
  onRetentionWarning?: (message: string) => void
  /** Called after each fdatasync of a segment with its duration and how many entries it made durable. */
  onFsync?: (ms: number, entries: number) => void
  /**
   * Prune entries older than this (whole rotated segments) at open and then every
   * `retentionIntervalMs`; null or absent keeps everything. A RangeError unless positive.
   */
  retentionMs?: number | null
  /** How often an open log looks for expired segments (default hourly). */
  retentionIntervalMs?: number
}

interface Segment extends SegmentStats {
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
  readonly #onFsync: ((ms: number, entries: number) => void) | undefined
  readonly #warn: (message: string) => void
  readonly #warnRetention: (message: string) => void
  readonly #retentionMs: number | null
  readonly #lock = new ReadWriteLock()
  readonly #segments: Segment[] = []
  readonly #index: LocatedIndex
  #lastId = 0
  #lastHash = GENESIS_HASH
  #handle: FileHandle | null = null
  #pending: PendingAppend[] = []
  #flushing: Promise<void> | null = null
  #failure: Error | null = null
  #closed = false
  readonly #retention: SegmentRetention
  #timer: NodeJS.Timeout | null = null

  private constructor(dir: string, opts: FileAuditLogOptions, retentionMs: number | null) {
    this.#dir = dir
    this.#clock = opts.clock
    this.#maxSegmentBytes = opts.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES
    this.#index = new LocatedIndex(dir, opts.cacheEntries ?? DEFAULT_CACHE_ENTRIES)
    this.#onFsync = opts.onFsync
    this.#warn = opts.onWarning ?? (() => {})
    this.#warnRetention = opts.onRetentionWarning ?? this.#warn
    this.#retentionMs = retentionMs
    this.#retention = new SegmentRetention({
      dir,
      segments: () => this.#segments,
      enqueue: (input) => this.#enqueue(input),
      forget: (count) => this.#forget(count),
      warn: this.#warnRetention,
    })
  }

  /**
   * Opens (creating `dir` if needed) and reads the stored log to find where the chain ends.
   * A torn final line is cut off and reported through `onWarning`; any other unreadable
   * line throws StorageCorruptError naming the file and line. A pruning that a crash cut
   * short is finished; with `retentionMs`, expired segments are pruned before it resolves.
   */
  static async open(dir: string, opts: FileAuditLogOptions): Promise<FileAuditLog> {
    const retentionMs = checkRetentionMs(opts.retentionMs)
    await mkdir(dir, { recursive: true })
    const log = new FileAuditLog(dir, opts, retentionMs)
    await log.#load()
    await log.#retention.reconcile() // a pruning a crash cut short
    if (retentionMs !== null) {
      await log.#scheduledRetention()
      const every = opts.retentionIntervalMs ?? RETENTION_INTERVAL_MS
      log.#timer = setInterval(() => void log.#scheduledRetention(), every)
      log.#timer.unref() // housekeeping never keeps the process alive
    }
    return log
  }

  /** The newest entry's id: entries ever appended, pruned ones included (for metrics and tests). */
  get size(): number {
    return this.#lastId
  }

  async append(input: AuditEntryInput): Promise<AuditEntry> {
    this.#throwIfUnusable()
    return this.#enqueue(input)
  }

  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    this.#throwIfClosed()
    // Shared with verify, exclusive of pruning: it shifts index positions and deletes files.
    return this.#lock.read(() => this.#index.query(query))
  }

  /**
   * Re-reads the anchor and every retained segment from disk and checks every line's id,
   * link and hash, from the anchor on. Only the committed part of the newest segment is
   * read (memory supplies that bound and how many entries must be there), so appends can
   * go on meanwhile and a cut-off tail is caught.
   */
  async verify(): Promise<AuditVerifyResult> {
    this.#throwIfClosed()
    return this.#lock.read(() => {
      const segments = this.#segments.map((s) => ({ path: s.path, size: s.size }))
      return verifySegments(this.#dir, segments, this.#lastId, this.#retention.anchor)
    })
  }

  /**
   * Prunes the segments due at `now` (see AuditLog). Resolves with what it removed; entries
   * that do not verify are never pruned (the refusal is audited and reported as a warning).
   */
  async applyRetention(now = this.#clock.now()): Promise<RetentionResult> {
    this.#throwIfUnusable()
    const retentionMs = this.#retentionMs
    if (retentionMs === null) return this.#retention.nothingPruned()
    return this.#lock.write(() => this.#retention.prune(now, retentionMs))
  }

  /** Writes what is queued, then releases the file. Later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#lock.write(async () => {}) // a pruning under way finishes, record included
    while (this.#flushing) await this.#flushing
    await this.#handle?.close()
    this.#handle = null
  }

  async #load(): Promise<void> {
    const kept = await this.#retention.open(await listSegments(this.#dir))
    for (const [i, n] of kept.entries()) {
      const path = join(this.#dir, segmentName(n))
      const seg: Segment = { n, path, size: 0, entries: 0, newestAtMs: -Infinity }
      const newest = i === kept.length - 1
      const scan = scanSegment(this.#dir, n, await readFile(path), newest, (e) =>
        this.#remember(e.entry, seg, e.offset, e.length, false),
      )
      if (scan.torn) {
        await truncate(path, scan.goodEnd)
        await fdatasyncFile(path)
        this.#warn(
          `${path}: cut off a torn final line (line ${scan.torn.line}, ${scan.torn.bytes} bytes) ` +
            'left by an interrupted write',
        )
      }
      seg.size = scan.goodEnd
      this.#segments.push(seg)
    }
  }

  /** Retention at open and from the timer: a failure is a warning (it retries), never a crash. */
  async #scheduledRetention(): Promise<void> {
    if (this.#closed) return
    try {
      await this.applyRetention()
    } catch (error) {
      this.#warnRetention(`audit retention failed; it will retry: ${messageOf(error)}`)
    }
  }

  /** Indexes an entry; `cache` keeps it in memory (entries read on open are not: most are never asked for). */
  #remember(entry: AuditEntry, seg: Segment, offset: number, length: number, cache: boolean): void {
    this.#index.push(entry, seg.n, offset, length, cache)
    this.#lastId = Number(entry.id)
    this.#lastHash = entry.hash
    seg.entries++
    seg.newestAtMs = Math.max(seg.newestAtMs, Date.parse(entry.at))
    this.#retention.note(entry)
  }

  /** Pruned: the `count` oldest segments and their entries leave memory. */
  #forget(count: number): void {
    const gone = this.#segments.splice(0, count)
    this.#index.dropFirst(gone.reduce((sum, s) => sum + s.entries, 0))
  }

  /** Queues a validated entry for the next group commit (also used by retention after close began). */
  #enqueue(input: AuditEntryInput): Promise<AuditEntry> {
    const prepared = prepareEntry(input, this.#clock.now())
    return new Promise<AuditEntry>((resolve, reject) => {
      this.#pending.push({ prepared, resolve, reject })
      this.#kick()
    })
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
      this.#remember(entry, seg, seg.size, bytes.length - 1, true)
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
    // Past any pruned number too: a segment file a failed delete left must not be reused.
    const n = Math.max(last?.n ?? 0, this.#retention.anchor?.prunedThroughSegment ?? 0) + 1
    const seg: Segment = {
      n,
      path: join(this.#dir, segmentName(n)),
      size: 0,
      entries: 0,
      newestAtMs: -Infinity,
    }
    this.#handle = await open(seg.path, 'ax') // never append to a file we did not know about
    await fsyncDir(this.#dir) // the new file must still be there after a crash
    this.#segments.push(seg)
    return seg
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function writeFailure(cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause)
  return new Error(
    'audit log write failed; refusing further appends until it is reopened ' +
      `(the kernel may have dropped unwritten data): ${message}`,
    { cause },
  )
}
