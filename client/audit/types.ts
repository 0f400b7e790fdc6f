/**
 * The audit trail as the REST API returns it (API.md "Access and audit", S33).
 * Mirrors the server's entry shape; the web app only reads it.
 */
import type { PersonRef } from '../../shared/domain.ts'

export type AuditOutcome = 'success' | 'failure' | 'refused'

export interface AuditEntry {
  /** Position in the chain, as a decimal string. */
  id: string
  at: string
  actor: PersonRef | 'SYSTEM'
  onBehalfOf?: PersonRef
  /** Dotted verb, e.g. `study.open`, `access.grant`, `login.failure`. */
  action: string
  subject: { type: string; id: string }
  patientId?: string
  outcome: AuditOutcome | string
  source: { ip: string; session: string | null }
  details?: Record<string, unknown>
  hash: string
  prevHash: string
}

/** The viewer's filters; empty strings are "any". `from`/`to` are ISO instants. */
export interface AuditFilters {
  subject?: string
  user?: string
  action?: string
  from?: string
  to?: string
}

export interface AuditQueryParams extends AuditFilters {
  cursor?: string
  limit?: number
}

export interface AuditPage {
  entries: AuditEntry[]
  nextCursor: string | null
}

export type {
  AuditVerifyResult,
  RetentionAnchor as AuditRetentionAnchor,
} from '../../shared/audit-types.ts'
