/** Shapes shared by the worklist's elements and controllers, and its typed events (STYLE 14). */
import type { Modality, Priority, StudyStatus } from '../../shared/domain.ts'

export interface WorklistFilters {
  status: StudyStatus | ''
  priority: Priority | ''
  modality: Modality | ''
  /** Any assignment (reading, performing, technologist, transcriptionist) is the signed-in user. */
  assignedToMe: boolean
  /** No reading physician yet. */
  unassigned: boolean
  /** Free text over accession, patient, description and physicians. */
  text: string
}

export const NO_FILTERS: WorklistFilters = {
  status: '',
  priority: '',
  modality: '',
  assignedToMe: false,
  unassigned: false,
  text: '',
}

export const SORT_KEYS = [
  'access',
  'priority',
  'status',
  'accession',
  'patient',
  'modality',
  'description',
  'reading',
  'performing',
  'images',
  'date',
] as const
export type SortKey = (typeof SORT_KEYS)[number]

export interface WorklistSort {
  key: SortKey
  direction: 'ascending' | 'descending'
}

/** The two assignments a worklist quick edit can change (S11). */
export type QuickEditRole = 'readingPhysician' | 'performingPhysician'

export type RowAction =
  | 'open'
  | 'read'
  | 'assign-reading'
  | 'assign-performing'
  | 'unassign-reading'
  | 'unassign-performing'

export interface RowActionDetail {
  accession: string
  action: RowAction
}

export interface AssignDetail {
  accession: string
  role: QuickEditRole
  userId: string
}

export type BulkAction = 'assign' | 'unassign' | 'group' | 'clear'

export interface BulkActionDetail {
  action: BulkAction
  /** The reading physician for `assign`. */
  userId?: string
}

export interface SelectionDetail {
  accessions: string[]
  selected: boolean
}

/** Someone a study can be assigned to (GET /api/v1/users). */
export interface UserOption {
  id: string
  name: string
  role: string
}

/** What a bulk assign/unassign answered, study by study (S17). */
export type BulkOutcome =
  | {
      kind: 'results'
      action: 'assign' | 'unassign'
      userName: string | null
      results: { accession: string; ok: boolean; error?: string }[]
    }
  | { kind: 'failed'; action: 'assign' | 'unassign'; message: string }

/** What grouping answered (S20). */
export type GroupOutcome =
  | {
      kind: 'results'
      grouped: string[]
      group: string | null
      excluded: { accession: string; reason: string; by: string | null; at: string | null }[]
    }
  | { kind: 'failed'; message: string }

/** A message about one study shown above the table (a refused quick edit, say). */
export interface RowMessage {
  accession: string
  kind: 'error' | 'info'
  text: string
}

declare global {
  interface HTMLElementEventMap {
    'ss-row-action': CustomEvent<RowActionDetail>
    'ss-assign': CustomEvent<AssignDetail>
    'ss-bulk-action': CustomEvent<BulkActionDetail>
    'ss-selection-change': CustomEvent<SelectionDetail>
    'ss-sort-change': CustomEvent<{ key: SortKey }>
    'ss-filter-change': CustomEvent<WorklistFilters>
    'ss-results-dismiss': CustomEvent<void>
  }
}
