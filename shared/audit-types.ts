/**
 * What `GET /api/v1/audit/verify` answers (API.md "Access and audit", S33), shared by the
 * server that computes it and the audit viewer that shows it.
 */

/**
 * What retention has pruned so far (DESIGN §7): every entry up to `prunedThroughId` is gone
 * by policy, and the chain is checked from here. Kept durably beside the log and, for each
 * pruning, in an `audit.retention.prune` entry of the chain itself.
 */
export interface RetentionAnchor {
  /** The newest pruned entry; the first retained entry is the next id. */
  prunedThroughId: string
  /** That entry's hash: the first retained entry's `prevHash` must equal it. */
  prunedThroughHash: string
  /** The newest `at` among the pruned entries. */
  prunedThroughAt: string
  /** Entries pruned in all (ids start at 1, so this is `prunedThroughId`). */
  prunedEntries: number
  /** When the latest pruning ran. */
  prunedAt: string
}

export interface AuditVerifyResult {
  ok: boolean
  /** Retained entries checked. */
  entries: number
  /** The id where the chain first fails to verify. */
  brokenAt?: string
  /** Why it failed, in words. */
  reason?: string
  /** Present once retention has pruned: older entries were removed by policy, not checked. */
  anchor?: RetentionAnchor
}
