/**
 * Retention for the file audit log: prunes whole expired segments behind the anchor and
 * finishes a pruning that a crash cut short. The log owns the segments, the index and the
 * append queue; this owns the anchor and what the chain says about it. The steps and their
 * crash safety are described in file-retention.ts.
 */
import {
  ANCHOR_FILE,
  checkPrunable,
  deleteSegments,
  type FileAnchor,
  readAnchorFile,
  type SegmentStats,
  segmentsDue,
  writeAnchorFile,
} from './file-retention.ts'
import {
  anchorFields,
  nextAnchor,
  prunesFurther,
  type RecordedAnchor,
  recordedAnchor,
  retentionRecord,
  retentionRefusal,
  sameAnchor,
} from './retention.ts'
import {
  type AuditEntry,
  type AuditEntryInput,
  RETENTION_ACTION,
  type RetentionAnchor,
  type RetentionResult,
} from './types.ts'

/** What retention needs from the log. */
export interface RetentionHost {
  readonly dir: string
  /** The retained segments, oldest first; the newest is being written. */
  segments(): readonly SegmentStats[]
  /** Appends to the chain; resolves once durable. */
  enqueue(input: AuditEntryInput): Promise<AuditEntry>
  /** Drops the `count` oldest segments and their entries from memory: queries stop finding them. */
  forget(count: number): void
  warn(message: string): void
}

export class SegmentRetention {
  readonly #host: RetentionHost
  /** What retention has pruned, as the anchor file says. */
  #anchor: FileAnchor | null = null
  /** What the newest `audit.retention.prune` entry in the chain says. */
  #lastRecorded: RecordedAnchor | null = null
  /** Segment files the anchor covers that are still on disk (a pruning cut short). */
  #leftovers: number[] = []
  /** The last refusal to prune that was audited, so an hourly retry does not repeat it. */
  #lastRefusal: string | null = null

  constructor(host: RetentionHost) {
    this.#host = host
  }

  get anchor(): FileAnchor | null {
    return this.#anchor
  }

  /** Reads the anchor file; returns the segment numbers (of `numbers`) it does not cover, to load. */
  async open(numbers: readonly number[]): Promise<number[]> {
    this.#anchor = await readAnchorFile(this.#host.dir)
    const covered = this.#anchor?.prunedThroughSegment ?? 0
    this.#leftovers = numbers.filter((n) => n <= covered) // pruned: never read again
    return numbers.filter((n) => n > covered)
  }

  /** Sees every entry the log indexes, in order, to know the newest retention record. */
  note(entry: AuditEntry): void {
    if (entry.action === RETENTION_ACTION) {
      this.#lastRecorded = recordedAnchor(entry) ?? this.#lastRecorded
    }
  }

  nothingPruned(): RetentionResult {
    return { prunedEntries: 0, prunedSegments: 0, anchor: this.#publicAnchor() }
  }

  /** Prunes the segments whose newest entry is older than `now - retentionMs`. */
  async prune(now: number, retentionMs: number): Promise<RetentionResult> {
    await this.reconcile()
    if (!sameAnchor(this.#anchor, this.#lastRecorded)) {
      await this.#refuse(
        this.#firstRetainedId(),
        `${ANCHOR_FILE} does not match the newest ${RETENTION_ACTION} entry`,
      )
      return this.nothingPruned()
    }
    const due = segmentsDue(this.#host.segments(), now - retentionMs)
    const entries = due.reduce((sum, s) => sum + s.entries, 0)
    if (entries === 0) return this.nothingPruned()
    const numbers = due.map((s) => s.n)
    const check = await checkPrunable(this.#host.dir, numbers, this.#anchor)
    if (!check.ok) {
      await this.#refuse(check.brokenAt, `entry ${check.brokenAt} does not verify`)
      return this.nothingPruned()
    }
    if (check.entries !== entries) {
      await this.#refuse(this.#firstRetainedId(), 'segments due changed on disk since open')
      return this.nothingPruned()
    }
    const through = numbers.at(-1)!
    const newestAt = Math.max(...due.map((s) => s.newestAtMs))
    const anchor: FileAnchor = {
      ...nextAnchor(check.last, newestAt, now),
      prunedThroughSegment: through,
    }
    const run = {
      prunedEntries: entries,
      prunedSegments: due.length,
      retentionMs,
      prunedThroughSegment: through,
    }
    await this.#host.enqueue(retentionRecord(anchor, run)) // the chain vouches for the anchor first
    await this.#adopt(anchor)
    return { prunedEntries: entries, prunedSegments: due.length, anchor: anchorFields(anchor) }
  }

  /**
   * Finishes a pruning that a crash cut short: an `audit.retention.prune` entry newer than
   * the anchor file gets its anchor written; segment files the anchor covers are deleted.
   * Only what the chain itself records is acted on, so a forged anchor deletes nothing.
   */
  async reconcile(): Promise<void> {
    const recorded = this.#lastRecorded
    if (recorded && prunesFurther(recorded, this.#anchor)) {
      const through = recorded.prunedThroughSegment
      if (through === undefined || through >= (this.#host.segments().at(-1)?.n ?? 0)) {
        this.#host.warn(`the newest ${RETENTION_ACTION} entry names no segment it could prune`)
        return
      }
      await this.#adopt({ ...recorded, prunedThroughSegment: through })
      this.#host.warn(
        `finished a retention pruning cut short: wrote ${ANCHOR_FILE} from the ` +
          `${RETENTION_ACTION} entry (pruned through entry ${recorded.prunedThroughId})`,
      )
    } else if (this.#leftovers.length > 0 && sameAnchor(this.#anchor, recorded)) {
      const count = this.#leftovers.length
      await this.#deleteLeftovers()
      if (this.#leftovers.length === 0) {
        this.#host.warn(
          `finished a retention pruning cut short: deleted ${count} pruned segment(s)`,
        )
      }
    }
  }

  /** Writes the anchor, has the log forget the segments it covers, and deletes their files. */
  async #adopt(anchor: FileAnchor): Promise<void> {
    await writeAnchorFile(this.#host.dir, anchor)
    this.#anchor = anchor
    const gone = this.#host.segments().filter((s) => s.n <= anchor.prunedThroughSegment)
    this.#host.forget(gone.length)
    this.#leftovers.push(...gone.map((s) => s.n))
    await this.#deleteLeftovers()
  }

  async #deleteLeftovers(): Promise<void> {
    const error = await deleteSegments(this.#host.dir, this.#leftovers)
    if (error === null) this.#leftovers = []
    else this.#host.warn(`pruned segments not deleted yet (${error.message}); will retry`)
  }

  /** Records a refusal to prune once per reason; the warning repeats on every run. */
  async #refuse(brokenAt: string, reason: string): Promise<void> {
    this.#host.warn(`audit retention pruned nothing: ${reason}; the entries are kept as evidence`)
    if (this.#lastRefusal === reason) return
    this.#lastRefusal = reason
    await this.#host.enqueue(retentionRefusal(brokenAt, reason))
  }

  #publicAnchor(): RetentionAnchor | null {
    return this.#anchor && anchorFields(this.#anchor)
  }

  #firstRetainedId(): string {
    return String(Number(this.#anchor?.prunedThroughId ?? 0) + 1)
  }
}
