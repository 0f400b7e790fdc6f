/**
 * Audit retention (DESIGN §7, issue 6), the parts both logs share: the anchor that lets a
 * pruned chain still verify, the entry that records each pruning, and the check that
 * starts from the anchor.
 *
 * Pruning removes the oldest entries only, so what is left is still one unbroken chain:
 * its first entry links to the hash of the last pruned one, which the anchor keeps. The
 * anchor alone would let someone who deletes retained entries claim they were pruned, so
 * every pruning is also recorded in the chain (`audit.retention.prune`, with the anchor it
 * wrote), and verification requires the newest such record to match the anchor.
 */
import { ChainVerifier, canonicalJson, GENESIS_HASH } from './chain.ts'
import {
  type AuditEntry,
  type AuditEntryInput,
  type AuditVerifyResult,
  RETENTION_ACTION,
  type RetentionAnchor,
} from './types.ts'

export const DAY_MS = 86_400_000
/** How often a long-running log looks for expired segments. */
export const RETENTION_INTERVAL_MS = 3_600_000

const HEX64 = /^[0-9a-f]{64}$/
const ID = /^[1-9][0-9]{0,15}$/

/** Throws a RangeError unless `ms` is null/undefined (keep forever) or a positive whole number of ms. */
export function checkRetentionMs(ms: number | null | undefined): number | null {
  if (ms === null || ms === undefined) return null
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new RangeError(`audit retention must be a positive number of milliseconds, got ${ms}`)
  }
  return ms
}

/** Entries whose `at` is before this are past the retention window. */
export function retentionCutoff(now: number, retentionMs: number): number {
  return now - retentionMs
}

/** A structural check of an anchor read back from disk or from a record. */
export function isRetentionAnchor(value: unknown): value is RetentionAnchor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const a = value as Record<string, unknown>
  return (
    typeof a.prunedThroughId === 'string' &&
    ID.test(a.prunedThroughId) &&
    typeof a.prunedThroughHash === 'string' &&
    HEX64.test(a.prunedThroughHash) &&
    isTime(a.prunedThroughAt) &&
    isTime(a.prunedAt) &&
    a.prunedEntries === Number(a.prunedThroughId)
  )
}

function isTime(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}

/** Only the anchor's own fields, in a fixed shape (a file may carry more). */
export function anchorFields(a: RetentionAnchor): RetentionAnchor {
  return {
    prunedThroughId: a.prunedThroughId,
    prunedThroughHash: a.prunedThroughHash,
    prunedThroughAt: a.prunedThroughAt,
    prunedEntries: a.prunedEntries,
    prunedAt: a.prunedAt,
  }
}

export function sameAnchor(a: RetentionAnchor | null, b: RetentionAnchor | null): boolean {
  if (a === null || b === null) return a === b
  return canonicalJson(anchorFields(a)) === canonicalJson(anchorFields(b))
}

/** The anchor after pruning through `last` (the newest pruned entry). */
export function nextAnchor(
  last: { id: string; hash: string },
  prunedThroughAtMs: number,
  now: number,
): RetentionAnchor {
  return {
    prunedThroughId: last.id,
    prunedThroughHash: last.hash,
    prunedThroughAt: new Date(prunedThroughAtMs).toISOString(),
    prunedEntries: Number(last.id),
    prunedAt: new Date(now).toISOString(),
  }
}

/** One pruning, as its record tells it. */
export interface PruneRun {
  prunedEntries: number
  /** Null when not known (a pruning finished at start-up after a crash). */
  prunedSegments: number | null
  retentionMs: number | null
  /** File log: the newest segment number the pruning removes. */
  prunedThroughSegment?: number
}

/**
 * The entry that records a pruning, with the anchor it makes. The file log appends it
 * before it writes the anchor file, so the chain itself vouches for every anchor.
 */
export function retentionRecord(anchor: RetentionAnchor, run: PruneRun): AuditEntryInput {
  return {
    actor: 'SYSTEM',
    action: RETENTION_ACTION,
    subject: { type: 'audit', id: 'audit-log' },
    outcome: 'success',
    source: { ip: 'server', session: null },
    details: {
      prunedEntries: run.prunedEntries,
      prunedSegments: run.prunedSegments,
      retentionDays: run.retentionMs === null ? null : run.retentionMs / DAY_MS,
      anchor: anchorFields(anchor),
      prunedThroughSegment: run.prunedThroughSegment,
    },
  }
}

/** The entry that records a refusal to prune entries that do not verify (they are kept as evidence). */
export function retentionRefusal(brokenAt: string, reason: string): AuditEntryInput {
  return {
    actor: 'SYSTEM',
    action: RETENTION_ACTION,
    subject: { type: 'audit', id: 'audit-log' },
    outcome: 'failure',
    source: { ip: 'server', session: null },
    details: { brokenAt, reason },
  }
}

/** An anchor as a retention record carries it, with the file log's segment number when present. */
export type RecordedAnchor = RetentionAnchor & { prunedThroughSegment?: number }

/** The anchor a successful retention record carries, or null for any other entry. */
export function recordedAnchor(entry: AuditEntry): RecordedAnchor | null {
  if (entry.action !== RETENTION_ACTION || entry.outcome !== 'success') return null
  const anchor = entry.details?.anchor
  if (!isRetentionAnchor(anchor)) return null
  const segment = entry.details?.prunedThroughSegment
  return Number.isSafeInteger(segment) && (segment as number) > 0
    ? { ...anchorFields(anchor), prunedThroughSegment: segment as number }
    : anchorFields(anchor)
}

/** True when `a` prunes further than `b` (null: nothing pruned). */
export function prunesFurther(a: RetentionAnchor | null, b: RetentionAnchor | null): boolean {
  return Number(a?.prunedThroughId ?? 0) > Number(b?.prunedThroughId ?? 0)
}

/**
 * Verification of what retention left: the chain from the anchor (or the genesis), plus the
 * check that the newest retention record in the chain is this anchor's.
 */
export class RetainedChainCheck {
  readonly #anchor: RetentionAnchor | null
  readonly #chain: ChainVerifier
  #lastRecorded: RetentionAnchor | null = null

  constructor(anchor: RetentionAnchor | null) {
    this.#anchor = anchor
    this.#chain = new ChainVerifier(
      anchor
        ? { afterId: Number(anchor.prunedThroughId), prevHash: anchor.prunedThroughHash }
        : { afterId: 0, prevHash: GENESIS_HASH },
    )
  }

  /** The next stored entry (`undefined` for a line that did not parse). */
  check(entry: unknown): void {
    if (!this.#chain.check(entry)) return
    this.#lastRecorded = recordedAnchor(entry) ?? this.#lastRecorded
  }

  /** The result, once every stored entry was fed; `lastId` is the newest id the log committed. */
  finish(lastId: number): AuditVerifyResult {
    this.#chain.expectAtLeast(lastId)
    const chain = this.#chain.result
    const anchor = this.#anchor ? { anchor: anchorFields(this.#anchor) } : {}
    const entries = this.#chain.count
    if (!chain.ok) {
      return {
        ok: false,
        entries,
        brokenAt: chain.brokenAt,
        reason: this.#why(chain.brokenAt),
        ...anchor,
      }
    }
    if (this.#anchor && !sameAnchor(this.#anchor, this.#lastRecorded)) {
      return {
        ok: false,
        entries,
        brokenAt: String(Number(this.#anchor.prunedThroughId) + 1),
        reason:
          'the retention anchor does not match the newest audit.retention.prune entry: ' +
          'the anchor was altered, or retained entries were removed and passed off as pruned',
        ...anchor,
      }
    }
    return { ok: true, entries, ...anchor }
  }

  #why(brokenAt: string): string {
    const first = this.#anchor ? Number(this.#anchor.prunedThroughId) + 1 : 1
    if (Number(brokenAt) === first && this.#anchor) {
      return (
        `entry ${brokenAt}, the first retained one, is missing or does not link to the ` +
        'retention anchor: retained entries were removed, or the anchor was altered'
      )
    }
    return `entry ${brokenAt} is missing, altered or out of order`
  }
}
