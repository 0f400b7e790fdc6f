/**
 * REST shapes of the exam Access tab and the audit API (API.md "Access and audit",
 * seed 002). Times are ISO strings. PINs and their hashes never appear here.
 */
import type { PersonRef } from './domain.ts'

export type GrantType = 'view' | 'edit' | 'report'

export interface GroupView {
  id: string
  name: string
  members: PersonRef[]
  contact: { address: string; phone: string; email: string }
}

export interface GrantView {
  id: string
  user?: PersonRef
  group?: GroupView
  type: GrantType
  /** null: no end. */
  validUntil: string | null
  grantedBy: PersonRef
  grantedAt: string
}

export interface BreakGlassView {
  id: string
  accession: string
  user: PersonRef
  at: string
  reason: string
  expiresAt: string
  /** Unlocked now (not yet expired). */
  active: boolean
  acknowledgedBy: PersonRef | null
  acknowledgedAt: string | null
}

export interface TransferView {
  id: string
  kind: 'forwarded' | 'downloaded'
  destination: string
  by: PersonRef | 'SYSTEM'
  at: string
}

/** Someone a bucket is shared with: a user or a group. */
export interface PrincipalView {
  kind: 'user' | 'group' | 'unknown'
  id: string
  name: string
}

export interface BucketView {
  id: string
  name: string
  owner: PersonRef
  sharedWith: PrincipalView[]
  accessions: string[]
}

export interface ReferenceNumberView {
  id: string
  number: string
  validFrom: string
  validTo: string
  hasPin: boolean
  failedAttempts: number
  lockedOut: boolean
  /** Meets the department's minimum complexity; a non-compliant number cannot be used. */
  compliant: boolean
  /** A patient could log in with it now (compliant, in its validity window, not locked out). */
  usable: boolean
  createdAt: string
}

/** `GET /api/v1/studies/:accession/access`. */
export interface StudyAccessView {
  accession: string
  grants: GrantView[]
  breakGlass: BreakGlassView[]
  transfers: TransferView[]
  buckets: BucketView[]
  referenceNumbers: ReferenceNumberView[]
}

/** `POST /api/v1/patient-session`. */
export interface PatientSessionResult {
  token: string
  accession: string
  readOnly: true
}
