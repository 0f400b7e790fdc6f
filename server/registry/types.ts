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

export interface RegistryData {
  version: 1
  users: UserRecord[]
  sessions: SessionRecord[]
  patients: PatientRecord[]
  studies: StudyRecord[]
  settings: Record<string, unknown>
}

export function emptyRegistry(): RegistryData {
  return { version: 1, users: [], sessions: [], patients: [], studies: [], settings: {} }
}
