/**
 * Response shapes of the REST API (API.md "Studies, patients and worklist"),
 * shared by the server routes and the web app's typed client.
 */
import type {
  Lifecycle,
  Modality,
  PersonRef,
  PresenceMode,
  Priority,
  Role,
  StudyStatus,
  View,
} from './domain.ts'

export interface AccessEntry {
  id: string
  name: string
  role: Role | string
  mode: PresenceMode | string
  view: View | null | string
  /** ISO time they opened it. */
  since: string
  connection: 'live' | 'lost' | string
}

export interface ClaimState {
  holder: PersonRef
  since: string
  view: 'desktop' | 'documents'
}

export interface StudyState {
  status: StudyStatus
  readingPhysician: PersonRef | null
  performingPhysician: PersonRef | null
  technologist: PersonRef | null
  transcriptionist: PersonRef | null
  imageCount: number
  srCount: number
  claim: ClaimState | null
  group: string | null
  lifecycle: Lifecycle
  mergedInto: string | null
  rev: number
}

export interface WorklistRow {
  accession: string
  patientId: string
  patientName: string
  modality: Modality
  description: string
  priority: Priority
  status: StudyStatus
  studyDate: string
  readingPhysician: PersonRef | null
  performingPhysician: PersonRef | null
  technologist: PersonRef | null
  transcriptionist: PersonRef | null
  imageCount: number
  srCount: number
  group: string | null
  rev: number
  access: AccessEntry[]
}

export interface OpenResult {
  readOnly: boolean
  claim: ClaimState | null
  assigned: boolean
  assignedRoles: string[]
  canTakeOver: boolean
  notices: { kind: string; text: string }[]
  state: StudyState
  /** The caller's active break-the-glass unlock, when that is how they see the study (S31). */
  breakGlass?: { expiresAt: string; reason: string } | null
}

export interface StudyDetail {
  accession: string
  patientId: string
  modality: Modality
  fields: Record<string, unknown>
  state: StudyState
  access: AccessEntry[]
}

/** API.md "Errors". */
export interface ApiErrorBody {
  error: string
  message: string
  fields?: Record<string, string>
  by?: string
  at?: string
  holder?: PersonRef
}
