/** The audit viewer's filter form → the query of GET /api/v1/audit (pure, for tests). */
import type { AuditFilters } from './types.ts'

/** What the form holds: text as typed, times as `<input type="datetime-local">` values. */
export interface FilterValues {
  subject: string
  user: string
  action: string
  from: string
  to: string
}

export const EMPTY_FILTERS: FilterValues = { subject: '', user: '', action: '', from: '', to: '' }

export type FilterProblems = Partial<Record<keyof FilterValues, string>>

/** Filters with only what was given; local times become ISO instants. */
export function filtersOf(
  values: FilterValues,
): { filters: AuditFilters } | { problems: FilterProblems } {
  const problems: FilterProblems = {}
  const filters: AuditFilters = {}
  for (const key of ['subject', 'user', 'action'] as const) {
    const value = values[key].trim()
    if (value !== '') filters[key] = value
  }
  if (filters.action !== undefined && !/^[A-Za-z0-9_.*-]+$/.test(filters.action))
    problems.action = 'An action is a dotted name like study.open, or a prefix like access.*'
  const from = instant(values.from)
  const to = instant(values.to)
  if (from === null) problems.from = 'Enter a date and time, or leave it empty.'
  if (to === null) problems.to = 'Enter a date and time, or leave it empty.'
  if (from && to && Date.parse(from) > Date.parse(to)) problems.to = '“To” must be after “From”.'
  if (from) filters.from = from
  if (to) filters.to = to
  return Object.keys(problems).length > 0 ? { problems } : { filters }
}

/** '' → undefined (no bound); a local "YYYY-MM-DDTHH:MM" → ISO; garbage → null. */
function instant(local: string): string | undefined | null {
  if (local.trim() === '') return undefined
  const ms = new Date(local).getTime()
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

/** Whether the applied filters name one study, so the timeline makes sense. */
export function isStudyFilter(
  filters: AuditFilters,
  firstSubjectType: string | undefined,
): boolean {
  return filters.subject !== undefined && firstSubjectType === 'study'
}
