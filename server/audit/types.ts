/**
 * The audit trail (DESIGN §7): append-only, fsync'd, hash-chained. Every
 * access, change, command, claim, forced close, refused write, login and
 * failure lands here. Security-relevant entries are durable before the HTTP
 * response that reports them.
 */

import type { AuditVerifyResult, RetentionAnchor } from '../../shared/audit-types.ts'
import type { PersonRef } from '../../shared/domain.ts'

export type { AuditVerifyResult, RetentionAnchor }

export type AuditActor = PersonRef | 'SYSTEM'

export type AuditOutcome = 'success' | 'failure' | 'refused'

export type AuditSubjectType =
  | 'study'
  | 'patient'
  | 'user'
  | 'session'
  | 'audit'
  | 'document'
  | 'system'

export interface AuditEntryInput {
  actor: AuditActor
  onBehalfOf?: PersonRef
  /** Dotted verb, e.g. `study.open`, `claim.acquire`, `sync.write-refused`, `login.failure`. */
  action: string
  subject: { type: AuditSubjectType; id: string }
  patientId?: string
  outcome: AuditOutcome
  source: { ip: string; session: string | null }
  details?: Record<string, unknown>
}

export interface AuditEntry extends AuditEntryInput {
  /** Position in the chain, as a decimal string ("1", "2", …). */
  id: string
  at: string
  /** sha256 (hex) over prevHash and the canonical JSON of every other field. */
  hash: string
  prevHash: string
}

export interface AuditQuery {
  subject?: string
  user?: string
  action?: string
  /** ISO timestamps, inclusive. */
  from?: string
  to?: string
  cursor?: string
  limit?: number
}

export interface RetentionResult {
  /** Entries and (file log) segments this run removed; 0 when nothing was due. */
  prunedEntries: number
  prunedSegments: number
  /** The anchor after this run, or null while nothing was ever pruned. */
  anchor: RetentionAnchor | null
}

/** The action of the entry that records a pruning (outcome success) or a refusal to prune (failure). */
export const RETENTION_ACTION = 'audit.retention.prune'

export interface AuditLog {
  /** Appends and resolves once the entry is durable (fsync'd). Appends are serialised in call order. */
  append(entry: AuditEntryInput): Promise<AuditEntry>
  /** Newest first; `nextCursor` pages further back. Pruned entries are not found. */
  query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }>
  /** Re-reads the stored log (not memory) and checks every retained hash and link, from the anchor. */
  verify(): Promise<AuditVerifyResult>
  /**
   * Prunes the oldest entries whose retention window has passed at `now` (the log's clock
   * by default): whole rotated segments only, never the one being written. A no-op when
   * the log keeps everything.
   */
  applyRetention(now?: number): Promise<RetentionResult>
  close(): Promise<void>
}
