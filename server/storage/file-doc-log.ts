/**
 * Durable per-document update logs on the local filesystem (DESIGN §8).
 *
 * Layout under `dir`: `<encodeURIComponent(name)>.log` (append-only records) and
 * `<…>.snap` (latest snapshot); the byte format is documented in record-format.ts.
 *
 * Group commit: `append` only queues. One flush loop takes everything queued, writes
 * each document's records with a single write(), fdatasyncs every touched file in
 * parallel, and only then resolves those appends. Appends that arrive while a flush
 * is in flight form the next batch, so under load many appends share one fsync
 * and at low load an append waits for about one fsync.
 *
 * Per-document operations (flush, load, compact, remove) run under a per-document
 * lock, so compaction never races a write into the file it is replacing.
 */
import { mkdir, readdir } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { type DiskDoc, type DocPaths, docNameOf, docPaths, readDoc } from './doc-files.ts'
import { checkCompaction } from './doc-log-rules.ts'
import { fsyncDir, readIfExists, unlinkIfExists, writeAndRename, writeFully } from './fs-durable.ts'
import { HandleCache } from './handle-cache.ts'
import { KeyedLock } from './keyed-lock.ts'
import { defaultMaxOpenLogs } from './open-file-limit.ts'
import { encodeRecord, encodeSnapshot, LOG_MAGIC, scanLog } from './record-format.ts'
import type { DocLogStore, StoredDoc } from './types.ts'

export interface FileDocLogOptions {
  dir: string
  /** Called after each fdatasync of a log with its duration and how many records it made durable. */
  onFsync?: (ms: number, records: number) => void
  /**
   * Most log files kept open at once (least recently used are closed). Default: a quarter
   * of the process's open-file limit, between 64 and 4096 (open-file-limit.ts).
   */
  maxOpenFiles?: number
}

/** What we know about a document's files, so appends need not re-read them. */
interface DocState {
  lastSeq: number
  snapshotSeq: number
  logSize: number
  /** A torn tail was repaired outside `load` (by an append); the next `load` reports it. */
  tornUnreported: boolean
}

interface PendingAppend {
  update: Uint8Array
  /** The document's generation when queued: `remove` bumps it to abandon older appends. */
  gen: number
  resolve: (seq: number) => void
  reject: (err: unknown) => void
}

export class FileDocLogStore implements DocLogStore {
  readonly #dir: string
  readonly #onFsync: ((ms: number, records: number) => void) | undefined
  readonly #handles: HandleCache
  readonly #lock = new KeyedLock()
  readonly #ready: Promise<void>
  readonly #states = new Map<string, DocState>()
  readonly #gens = new Map<string, number>()
  /** Documents whose fdatasync failed: after that the page cache cannot be trusted (fsyncgate). */
  readonly #poisoned = new Map<string, Error>()
  #pending = new Map<string, PendingAppend[]>()
  #flushing: Promise<void> | null = null
  #closed = false

  constructor(options: FileDocLogOptions) {
    this.#dir = options.dir
    this.#onFsync = options.onFsync
    this.#handles = new HandleCache(options.maxOpenFiles ?? defaultMaxOpenLogs())
    this.#ready = mkdir(options.dir, { recursive: true }).then(() => undefined)
    this.#ready.catch(() => {}) // surfaced by the first operation that awaits it
  }

  /** Log files currently open (for metrics and tests). */
  get openFiles(): number {
    return this.#handles.size
  }

  async load(docName: string): Promise<StoredDoc> {
    const paths = this.#paths(docName)
    return this.#lock.run(docName, async () => {
      await this.#ready
      const prev = this.#states.get(docName)
      const disk = await readDoc(paths)
      this.#states.set(docName, stateOf(disk, false))
      return {
        snapshot: disk.snapshot && new Uint8Array(disk.snapshot),
        snapshotSeq: disk.snapshotSeq,
        updates: disk.records.map((r) => ({ seq: r.seq, update: new Uint8Array(r.payload) })),
        droppedTornTail: disk.torn || (prev?.tornUnreported ?? false),
      }
    })
  }

  async append(docName: string, update: Uint8Array): Promise<number> {
    this.#paths(docName) // validate the name now, not in the flush
    // Copy: the caller may reuse its buffer before the flush writes it.
    const copy = new Uint8Array(update)
    return new Promise<number>((resolve, reject) => {
      const queue = this.#pending.get(docName) ?? []
      queue.push({ update: copy, gen: this.#gen(docName), resolve, reject })
      this.#pending.set(docName, queue)
      this.#kick()
    })
  }

  async compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    const paths = this.#paths(docName)
    const copy = new Uint8Array(snapshot)
    await this.#lock.run(docName, async () => {
      this.#throwIfPoisoned(docName)
      const state = await this.#state(docName, paths)
      checkCompaction(throughSeq, state.snapshotSeq, state.lastSeq)
      try {
        // 1. New snapshot, atomically. From here on load skips log records ≤ throughSeq.
        await writeAndRename(paths.snapTmp, paths.snap, encodeSnapshot(throughSeq, copy))
        await fsyncDir(this.#dir)
        state.snapshotSeq = throughSeq
        // 2. Drop the covered prefix of the log, also by temp file + rename.
        await this.#rewriteLog(paths, state, throughSeq)
      } catch (err) {
        this.#states.delete(docName) // re-read the files next time rather than trust memory
        throw err
      }
    })
  }

  async remove(docName: string): Promise<void> {
    const paths = this.#paths(docName)
    this.#gens.set(docName, this.#gen(docName) + 1)
    await this.#lock.run(docName, async () => {
      await this.#ready
      await this.#handles.drop(paths.log)
      for (const file of [paths.log, paths.snap, paths.logTmp, paths.snapTmp]) {
        await unlinkIfExists(file)
      }
      await fsyncDir(this.#dir)
      this.#states.delete(docName)
      this.#poisoned.delete(docName)
    })
  }

  async list(): Promise<string[]> {
    this.#throwIfClosed()
    await this.#ready
    const names = new Set<string>()
    for (const file of await readdir(this.#dir)) {
      const name = docNameOf(file)
      if (name !== null) names.add(name)
    }
    return [...names].sort()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    while (this.#flushing) await this.#flushing
    await this.#handles.closeAll()
  }

  #paths(docName: string): DocPaths {
    this.#throwIfClosed()
    return docPaths(this.#dir, docName)
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('FileDocLogStore is closed')
  }

  #throwIfPoisoned(docName: string): void {
    const err = this.#poisoned.get(docName)
    if (err) throw err
  }

  #gen(docName: string): number {
    return this.#gens.get(docName) ?? 0
  }

  async #state(docName: string, paths: DocPaths): Promise<DocState> {
    let state = this.#states.get(docName)
    if (!state) {
      await this.#ready
      const disk = await readDoc(paths)
      state = stateOf(disk, disk.torn)
      this.#states.set(docName, state)
    }
    return state
  }

  /** Starts the flush loop unless it is running; it drains every batch queued meanwhile. */
  #kick(): void {
    if (this.#flushing) return
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = null
      if (this.#pending.size > 0) this.#kick()
    })
  }

  async #flushLoop(): Promise<void> {
    // Yield one turn so that appends issued together (a burst of messages) share the first fsync.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#pending.size > 0) {
      const batch = [...this.#pending]
      this.#pending = new Map()
      // At most `limit` documents in flight, so one batch cannot open more files than that.
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < batch.length) await this.#flushDoc(...batch[next++]!)
      }
      await Promise.all(Array.from({ length: Math.min(this.#handles.limit, batch.length) }, worker))
    }
  }

  /** Writes one document's share of a batch; settles every append in it, never throws. */
  async #flushDoc(docName: string, items: PendingAppend[]): Promise<void> {
    await this.#lock.run(docName, async () => {
      const gen = this.#gen(docName)
      for (const item of items.filter((i) => i.gen !== gen)) {
        item.reject(new Error(`document ${docName} was removed before this append was written`))
      }
      const live = items.filter((item) => item.gen === gen)
      if (live.length === 0) return
      try {
        this.#throwIfPoisoned(docName)
        const first = await this.#writeDurably(docName, live)
        for (const [i, item] of live.entries()) item.resolve(first + i)
      } catch (err) {
        for (const item of live) item.reject(err)
      }
    })
  }

  /** Appends records, fdatasyncs, and returns the first record's seq. Caller holds the lock. */
  async #writeDurably(docName: string, items: PendingAppend[]): Promise<number> {
    const paths = docPaths(this.#dir, docName)
    const state = await this.#state(docName, paths)
    const first = state.lastSeq + 1
    const records = items.map((item, i) => encodeRecord(first + i, item.update))
    const isNew = state.logSize === 0
    const bytes = Buffer.concat(isNew ? [LOG_MAGIC, ...records] : records)
    try {
      await this.#handles.use(paths.log, async (handle) => {
        await writeFully(handle, bytes)
        const start = performance.now()
        await handle.datasync().catch((err: Error) => {
          this.#poisoned.set(docName, poisonError(docName, err))
          throw err
        })
        this.#reportFsync(performance.now() - start, items.length)
      })
      // A just-created log is only findable after a crash once its directory entry is durable.
      if (isNew) await fsyncDir(this.#dir)
    } catch (err) {
      // The file may hold part of this batch: forget what we knew and re-scan next time
      // (the scan treats the partial record as a torn tail and cuts it off).
      this.#states.delete(docName)
      await this.#handles.drop(paths.log).catch(() => {})
      throw err
    }
    state.lastSeq += items.length
    state.logSize += bytes.length
    return first
  }

  /** Rewrites the log without records ≤ throughSeq. Caller holds the lock. */
  async #rewriteLog(paths: DocPaths, state: DocState, throughSeq: number): Promise<void> {
    const buf = await readIfExists(paths.log)
    if (!buf) return
    const scan = scanLog(buf) // just validated by #state under this lock
    const keepFrom = scan.records.find((r) => r.seq > throughSeq)?.offset ?? scan.goodEnd
    if (keepFrom === LOG_MAGIC.length && !scan.torn) return // nothing to drop
    await this.#handles.drop(paths.log) // a cached descriptor would keep writing the old inode
    if (keepFrom >= scan.goodEnd) {
      // The snapshot covers everything: delete the log rather than keep an empty one, so that
      // loading the document after a restart opens one file, not two (the storm workload).
      // The next append recreates it (and fsyncs the directory entry).
      await unlinkIfExists(paths.log)
      await fsyncDir(this.#dir)
      state.logSize = 0
      return
    }
    const kept = Buffer.concat([LOG_MAGIC, buf.subarray(keepFrom, scan.goodEnd)])
    await writeAndRename(paths.logTmp, paths.log, kept)
    await fsyncDir(this.#dir)
    state.logSize = kept.length
  }

  /** The hook feeds metrics; a throwing observer must not fail durable appends. */
  #reportFsync(ms: number, records: number): void {
    try {
      this.#onFsync?.(ms, records)
    } catch {
      // ignored on purpose
    }
  }
}

function stateOf(disk: DiskDoc, tornUnreported: boolean): DocState {
  // Copy the numbers only: keeping `disk` would pin the whole log buffer in memory.
  const { lastSeq, snapshotSeq, logSize } = disk
  return { lastSeq, snapshotSeq, logSize, tornUnreported }
}

function poisonError(docName: string, cause: Error): Error {
  return new Error(
    `fdatasync failed for document ${docName}; refusing further writes to it until restart ` +
      `(the kernel may have dropped unwritten data): ${cause.message}`,
    { cause },
  )
}
