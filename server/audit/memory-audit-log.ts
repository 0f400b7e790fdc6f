/**
 * An in-memory audit log for tests. Same chaining, validation and query rules as the file
 * log; "durable" means held in this object, and `verify` checks the in-memory chain.
 *
 * Retention works as in the file log with each entry as its own "segment": the oldest
 * entries past the window are dropped (never the newest), the pruning is recorded in the
 * chain, and `verify` starts from the anchor. It runs only when `applyRetention` is called.
 */
import type { Clock } from '../clock.ts'
import { AuditIndex } from './audit-index.ts'
import { ChainVerifier, GENESIS_HASH } from './chain.ts'
import { chainEntry, prepareEntry } from './entry.ts'
import {
  anchorFields,
  checkRetentionMs,
  nextAnchor,
  RetainedChainCheck,
  retentionRecord,
  retentionRefusal,
} from './retention.ts'
import type {
  AuditEntry,
  AuditEntryInput,
  AuditLog,
  AuditQuery,
  AuditVerifyResult,
  RetentionAnchor,
  RetentionResult,
} from './types.ts'

export class MemoryAuditLog implements AuditLog {
  readonly #clock: Clock
  readonly #retentionMs: number | null
  readonly #entries: AuditEntry[] = []
  readonly #index = new AuditIndex()
  #anchor: RetentionAnchor | null = null
  #closed = false

  /** `retentionMs`: as FileAuditLogOptions (null or absent keeps everything). */
  constructor(opts: { clock: Clock; retentionMs?: number | null }) {
    this.#clock = opts.clock
    this.#retentionMs = checkRetentionMs(opts.retentionMs)
  }

  /** Every retained entry, oldest first (for tests). */
  get entries(): readonly AuditEntry[] {
    return this.#entries
  }

  async append(input: AuditEntryInput): Promise<AuditEntry> {
    this.#throwIfClosed()
    const prepared = prepareEntry(input, this.#clock.now())
    const prev = this.#entries.at(-1)
    const id = prev ? Number(prev.id) + 1 : 1
    const prevHash = prev?.hash ?? this.#anchor?.prunedThroughHash ?? GENESIS_HASH
    const { entry } = chainEntry(prepared, id, prevHash)
    this.#entries.push(entry)
    this.#index.push(entry)
    return entry
  }

  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    this.#throwIfClosed()
    const { positions, nextCursor } = this.#index.select(query)
    return { entries: positions.map((pos) => this.#entries[pos]!), nextCursor }
  }

  async verify(): Promise<AuditVerifyResult> {
    this.#throwIfClosed()
    const check = new RetainedChainCheck(this.#anchor)
    for (const entry of this.#entries) check.check(entry)
    const last = this.#entries.at(-1)
    return check.finish(last ? Number(last.id) : Number(this.#anchor?.prunedThroughId ?? 0))
  }

  async applyRetention(now = this.#clock.now()): Promise<RetentionResult> {
    this.#throwIfClosed()
    const retentionMs = this.#retentionMs
    const none = { prunedEntries: 0, prunedSegments: 0, anchor: this.#publicAnchor() }
    if (retentionMs === null) return none
    const cutoff = now - retentionMs
    let count = 0
    while (count < this.#entries.length - 1 && Date.parse(this.#entries[count]!.at) < cutoff) {
      count++
    }
    if (count === 0) return none
    const doomed = this.#entries.slice(0, count)
    const broken = brokenAt(doomed, this.#anchor)
    if (broken !== null) {
      await this.append(retentionRefusal(broken, `entry ${broken} does not verify`))
      return none
    }
    const last = doomed.at(-1)!
    const newestAt = Math.max(...doomed.map((e) => Date.parse(e.at)))
    const anchor = nextAnchor(last, newestAt, now)
    const run = { prunedEntries: count, prunedSegments: count, retentionMs }
    await this.append(retentionRecord(anchor, run))
    this.#anchor = anchor
    this.#entries.splice(0, count)
    this.#index.dropFirst(count)
    return { prunedEntries: count, prunedSegments: count, anchor: anchorFields(anchor) }
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #publicAnchor(): RetentionAnchor | null {
    return this.#anchor && anchorFields(this.#anchor)
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('MemoryAuditLog is closed')
  }
}

/** Where `entries` stop chaining on from `anchor`, or null when they are sound. */
function brokenAt(entries: readonly AuditEntry[], anchor: RetentionAnchor | null): string | null {
  const verifier = new ChainVerifier(
    anchor
      ? { afterId: Number(anchor.prunedThroughId), prevHash: anchor.prunedThroughHash }
      : undefined,
  )
  for (const entry of entries) verifier.check(entry)
  const result = verifier.result
  return result.ok ? null : result.brokenAt
}
