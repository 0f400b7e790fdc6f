/** Records kept in the registry (lowdb JSON under DATA_DIR). */
import type {
  Lifecycle,
  Modality,
  PersonRef,
  Priority,
  Privilege,
  Role,
  StudyStatus,
} from '../../shared/domain.ts'

export interface UserRecord {
  id: string
  username: string
  /** Display name, e.g. "BOSE". */
  name: string
  role: Role
  privileges: Privilege[]
  /** scrypt hash in PHC-like form: `scrypt$N$r$p$salt$hash` (base64url). */
  passwordHash: string
  groups: string[]
  disabled: boolean
}

export interface SessionRecord {
  /** sha256(token), base64url: the token itself is never stored. */
  id: string
  userId: string
  createdAt: number
  lastSeenAt: number
  revokedAt: number | null
  /** Where the session was created from (audit). */
  ip: string
  /** A patient session (reference number login) may read only this one study, read-only (S32). */
  scope?: { accession: string } | null
}

export interface PatientRecord {
  id: string
  /** Summary of the patient form's `name` (FAMILY^GIVEN), kept for worklists. */
  name: string
  lifecycle: Lifecycle
  mergedInto: string | null
  createdAt: number
  updatedBy: PersonRef | 'SYSTEM' | null
  updatedAt: number | null
}

export interface StudyRecord {
  accession: string
  patientId: string
  modality: Modality
  /** Summaries of the form's `priority` and `description`, kept for worklists. */
  priority: Priority
  description: string
  studyDate: string
  status: StudyStatus
  readingPhysician: PersonRef | null
  performingPhysician: PersonRef | null
  technologist: PersonRef | null
  transcriptionist: PersonRef | null
  imageCount: number
  srCount: number
  /** SOP instance UIDs that arrived through the API (duplicates are not counted twice). */
  imageUids: string[]
  srUids: string[]
  group: string | null
  /** The reading claim (DESIGN §4): who may write the report. */
  claim: { holder: PersonRef; since: number; view: 'desktop' | 'documents' } | null
  lifecycle: Lifecycle
  mergedInto: string | null
  rev: number
  updatedBy: PersonRef | 'SYSTEM' | null
  updatedAt: number | null
}

/** A per-study access grant to a user or a group (seed 002 "Users"). */
export interface AccessGrant {
  id: string
  accession: string
  userId: string | null
  groupId: string | null
  type: 'view' | 'edit' | 'report'
  /** Epoch ms; null = no end. */
  validUntil: number | null
  grantedBy: PersonRef
  grantedAt: number
  revokedAt: number | null
  revokedBy: PersonRef | null
}

/** A user group with members and contact details (seed 002). */
export interface UserGroup {
  id: string
  name: string
  members: string[]
  contact: { address: string; phone: string; email: string }
}

/** Break-the-glass: an unlock with a reason, time-boxed (S31). */
export interface BreakGlassRecord {
  id: string
  accession: string
  user: PersonRef
  at: number
  reason: string
  expiresAt: number
  acknowledgedBy: PersonRef | null
  acknowledgedAt: number | null
}

/** A patient reference number for the patient login (S32). The PIN is stored hashed only. */
export interface ReferenceNumberRecord {
  id: string
  accession: string
  number: string
  validFrom: number
  validTo: number
  pinHash: string | null
  failedAttempts: number
  lockedOut: boolean
  compliant: boolean
  createdAt: number
  withdrawnAt: number | null
}

/** Forwarded to or downloaded by a PACS (seed 002 "PACS (Transferred)"). */
export interface TransferRecord {
  id: string
  accession: string
  kind: 'forwarded' | 'downloaded'
  destination: string
  by: PersonRef | 'SYSTEM'
  at: number
}

/** A bucket of studies shared together (seed 002 "Buckets"). */
export interface BucketRecord {
  id: string
  name: string
  accessions: string[]
  owner: PersonRef
  sharedWith: string[]
  revokedAt: number | null
}

export interface RegistryData {
  version: 1
  users: UserRecord[]
  sessions: SessionRecord[]
  patients: PatientRecord[]
  studies: StudyRecord[]
  settings: Record<string, unknown>
  groups: UserGroup[]
  grants: AccessGrant[]
  breakGlass: BreakGlassRecord[]
  referenceNumbers: ReferenceNumberRecord[]
  transfers: TransferRecord[]
  buckets: BucketRecord[]
}

export function emptyRegistry(): RegistryData {
  return {
    version: 1,
    users: [],
    sessions: [],
    patients: [],
    studies: [],
    settings: {},
    groups: [],
    grants: [],
    breakGlass: [],
    referenceNumbers: [],
    transfers: [],
    buckets: [],
  }
}
