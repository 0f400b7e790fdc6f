/**
 * The presence dashboard's data, as plain functions: the live index (subject →
 * entries, replaced per subject by feed `presence` events), the table rows,
 * filters, counters and freshness wording (DESIGN §3, S4).
 */
import type { PresenceMode, UserIdentity, View } from '../../shared/domain.ts'
import type { PresenceEntry } from '../../shared/events.ts'

export type Subject = PresenceEntry['subject']
export type PresenceIndex = ReadonlyMap<string, readonly PresenceEntry[]>

export const subjectKey = (subject: Subject): string => `${subject.type}/${subject.id}`

export function indexOf(entries: readonly PresenceEntry[]): Map<string, PresenceEntry[]> {
  const index = new Map<string, PresenceEntry[]>()
  for (const entry of entries) {
    const key = subjectKey(entry.subject)
    index.set(key, [...(index.get(key) ?? []), entry])
  }
  return index
}

/** A `presence` event carries all of that subject's entries: replace them. */
export function withSubject(
  index: PresenceIndex,
  subject: Subject,
  entries: readonly PresenceEntry[],
): Map<string, readonly PresenceEntry[]> {
  const next = new Map(index)
  if (entries.length === 0) next.delete(subjectKey(subject))
  else next.set(subjectKey(subject), entries)
  return next
}

/**
 * One person's presence on one subject in one view. A user with a study open
 * has an awareness entry per document (form, report), which are one row here.
 */
export interface PresenceRow {
  readonly key: string
  readonly user: UserIdentity
  readonly subject: Subject
  readonly view: View | null
  readonly mode: PresenceMode
  readonly since: string
  readonly lastActiveAt: string
  readonly connection: 'live' | 'lost'
  readonly device: string | null
}

const MODE_RANK: Record<PresenceMode, number> = { viewing: 0, editing: 1, reading: 2 }

export function rowsOf(index: PresenceIndex): PresenceRow[] {
  const rows = new Map<string, PresenceRow>()
  for (const entry of [...index.values()].flat()) {
    const key = `${entry.user.id}|${subjectKey(entry.subject)}|${entry.view ?? ''}`
    const row = rows.get(key)
    rows.set(key, row === undefined ? rowOf(key, entry) : merged(row, entry))
  }
  // Grouped by what they have open, then who came first.
  return [...rows.values()].sort(
    (a, b) =>
      a.subject.id.localeCompare(b.subject.id) ||
      a.since.localeCompare(b.since) ||
      a.user.name.localeCompare(b.user.name),
  )
}

function rowOf(key: string, entry: PresenceEntry): PresenceRow {
  const { user, subject, view, mode, since, lastActiveAt, connection } = entry
  return {
    key,
    user,
    subject,
    view,
    mode,
    since,
    lastActiveAt,
    connection,
    device: deviceOf(entry),
  }
}

function merged(row: PresenceRow, entry: PresenceEntry): PresenceRow {
  return {
    ...row,
    mode: MODE_RANK[entry.mode] > MODE_RANK[row.mode] ? entry.mode : row.mode,
    since: entry.since < row.since ? entry.since : row.since,
    lastActiveAt: entry.lastActiveAt > row.lastActiveAt ? entry.lastActiveAt : row.lastActiveAt,
    connection: row.connection === 'live' || entry.connection === 'live' ? 'live' : 'lost',
    device: row.device ?? deviceOf(entry),
  }
}

/** Entries may name the device (tablet, workstation); the contract does not promise it. */
function deviceOf(entry: PresenceEntry): string | null {
  const device = (entry as PresenceEntry & { device?: unknown }).device
  return typeof device === 'string' && device !== '' ? device : null
}

export interface PresenceFilter {
  /** Part of the user's name or id, any case. */
  readonly user: string
  /** Part of the accession or patient id, any case. */
  readonly subject: string
  /** A role, or '' for all. */
  readonly role: string
}

export const NO_FILTER: PresenceFilter = { user: '', subject: '', role: '' }

export function matches(row: PresenceRow, filter: PresenceFilter): boolean {
  const has = (text: string, part: string) => text.toLowerCase().includes(part.trim().toLowerCase())
  return (
    (has(row.user.name, filter.user) || has(row.user.id, filter.user)) &&
    has(row.subject.id, filter.subject) &&
    (filter.role === '' || row.user.role === filter.role)
  )
}

export interface PresenceCounts {
  /** Distinct users with a live connection. */
  readonly people: number
  /** Distinct studies somebody has open. */
  readonly studies: number
  /** Distinct users in `reading` mode (on the desktop or document viewer). */
  readonly readers: number
  /** Rows whose connection dropped (shown until the awareness timeout). */
  readonly lost: number
}

export function countsOf(rows: readonly PresenceRow[]): PresenceCounts {
  const live = rows.filter((r) => r.connection === 'live')
  const distinct = (values: string[]) => new Set(values).size
  return {
    people: distinct(live.map((r) => r.user.id)),
    studies: distinct(rows.filter((r) => r.subject.type === 'study').map((r) => r.subject.id)),
    readers: distinct(live.filter((r) => r.mode === 'reading').map((r) => r.user.id)),
    lost: rows.length - live.length,
  }
}

/** "active 10 s ago" or "connection lost" (S4). */
export function freshness(row: PresenceRow, now: number): string {
  if (row.connection === 'lost') return 'connection lost'
  const seconds = Math.max(0, Math.round((now - Date.parse(row.lastActiveAt)) / 1000))
  if (seconds < 5) return 'active just now'
  if (seconds < 120) return `active ${seconds} s ago`
  return `active ${Math.round(seconds / 60)} min ago`
}

/** Local wall-clock time, e.g. 14:02. */
export function clockTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}
