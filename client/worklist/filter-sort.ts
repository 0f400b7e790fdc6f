/** Which rows the worklist shows, in which order: pure functions over the rows. */
import type { WorklistRow } from '../../shared/api-types.ts'
import { PRIORITIES, STUDY_STATUSES } from '../../shared/domain.ts'
import { patientName } from './format.ts'
import type { SortKey, WorklistFilters, WorklistSort } from './types.ts'

const ASSIGNMENTS = [
  'readingPhysician',
  'performingPhysician',
  'technologist',
  'transcriptionist',
] as const

export function matches(row: WorklistRow, filters: WorklistFilters, me: string | null): boolean {
  if (filters.status && row.status !== filters.status) return false
  if (filters.priority && row.priority !== filters.priority) return false
  if (filters.modality && row.modality !== filters.modality) return false
  if (filters.unassigned && row.readingPhysician) return false
  if (filters.assignedToMe && !ASSIGNMENTS.some((role) => me && row[role]?.id === me)) return false
  const text = filters.text.trim().toLowerCase()
  return text === '' || searchText(row).includes(text)
}

function searchText(row: WorklistRow): string {
  return [
    row.accession,
    row.patientId,
    patientName(row.patientName),
    row.description,
    row.modality,
    ...ASSIGNMENTS.map((role) => row[role]?.name ?? ''),
  ]
    .join('\n')
    .toLowerCase()
}

type Value = string | number

const rank = (list: readonly string[], value: string) => {
  const i = list.indexOf(value)
  return i === -1 ? list.length : i
}

const SORT_VALUE: Record<SortKey, (row: WorklistRow) => Value> = {
  access: (r) => r.access.length,
  priority: (r) => rank(PRIORITIES, r.priority),
  status: (r) => rank(STUDY_STATUSES, r.status),
  accession: (r) => r.accession,
  patient: (r) => patientName(r.patientName),
  modality: (r) => r.modality,
  description: (r) => r.description,
  reading: (r) => r.readingPhysician?.name ?? '',
  performing: (r) => r.performingPhysician?.name ?? '',
  images: (r) => r.imageCount,
  date: (r) => r.studyDate,
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}

/**
 * Sorted copy. Ties fall back to priority (most urgent first), then newest date,
 * then accession, so the order never depends on the server's.
 */
export function sortRows(rows: readonly WorklistRow[], sort: WorklistSort): WorklistRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1
  const primary = SORT_VALUE[sort.key]
  return [...rows].sort(
    (a, b) =>
      sign * compareValues(primary(a), primary(b)) ||
      compareValues(SORT_VALUE.priority(a), SORT_VALUE.priority(b)) ||
      compareValues(b.studyDate, a.studyDate) ||
      collator.compare(a.accession, b.accession),
  )
}

/** Most urgent first: the reading room's default. */
export const DEFAULT_SORT: WorklistSort = { key: 'priority', direction: 'ascending' }

/** Clicking the sorted column flips it; another column starts ascending (dates newest first). */
export function nextSort(current: WorklistSort, key: SortKey): WorklistSort {
  if (current.key === key) {
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
  }
  return { key, direction: key === 'date' ? 'descending' : 'ascending' }
}
