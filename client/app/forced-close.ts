/**
 * What the shell does with the feed's `forced-close` (DESIGN §4: merge and delete
 * force-close every open form): a blocking notice when it concerns what this tab
 * has open, and where to go next.
 */
import type { FeedEvent, Notice } from '../../shared/events.ts'
import { whenText, whoText } from '../notifications/format.ts'
import type { Route } from './contexts.ts'

export type ForcedClose = Extract<FeedEvent, { type: 'forced-close' }>['data']
type Subject = Notice['subject']

/** Whether `route` shows the subject (a study's form or desktop, a patient's form). */
export function routeShows(route: Route, subject: Subject): boolean {
  switch (route.page) {
    case 'study':
    case 'desktop':
      return subject.type === 'study' && route.accession === subject.id
    case 'patient':
      return subject.type === 'patient' && route.patientId === subject.id
    default:
      return false
  }
}

const SUBJECT = { study: 'Study', patient: 'Patient' } as const

/** "Study A10005 was deleted by ADMIN at 14:02:31", "… was merged into A10006 by …". */
export function forcedCloseText(data: ForcedClose): string {
  const subject = `${SUBJECT[data.subject.type]} ${data.subject.id}`
  const by = `by ${whoText(data.by)} at ${whenText(data.at)}`
  switch (data.reason) {
    case 'deleted':
      return `${subject} was deleted ${by}`
    case 'merged':
      return `${subject} was merged into ${data.mergedInto ?? 'another record'} ${by}`
    case 'access-revoked':
      return `Your access to ${subject.toLowerCase()} ${data.subject.id} was revoked ${by}`
    case 'claim-lost':
      return `${subject}: your reading claim was taken over ${by}`
  }
}

/** The blocking notice for a forced close; same subject and `at`, so it de-duplicates with the server's own notice. */
export function forcedCloseNotice(data: ForcedClose): Notice {
  return {
    kind: `${data.subject.type}.${data.reason}`,
    tier: 'blocking',
    subject: data.subject,
    by: data.by,
    at: data.at,
    text: forcedCloseText(data),
    details: data.mergedInto === undefined ? {} : { mergedInto: data.mergedInto },
  }
}

/** After a forced close the page is useless, except after a lost claim (it turns read-only). */
export function leavesPage(data: ForcedClose): boolean {
  return data.reason !== 'claim-lost'
}

/** "Open A10006" for a notice about a merge, else none. */
export function mergeTarget(notice: Pick<Notice, 'subject' | 'details'>): Route | null {
  const into = notice.details?.mergedInto
  if (typeof into !== 'string' || into === '') return null
  return notice.subject.type === 'study'
    ? { page: 'study', accession: into }
    : { page: 'patient', patientId: into }
}

/**
 * How long after leaving a study or patient this tab still counts as showing it. A
 * form closed with 4410 leaves for the worklist by itself, often before the feed's
 * forced-close or notice for the same event arrives; the dialog must still appear.
 */
export const LEFT_GRACE_MS = 15_000

/** What this tab shows now, and what it stopped showing moments ago. */
export class ShownSubjects {
  readonly #graceMs: number
  readonly #left = new Map<string, number>()
  #current: string | null = null

  constructor(graceMs = LEFT_GRACE_MS) {
    this.#graceMs = graceMs
  }

  /** Call whenever the route may have changed. */
  update(route: Route, now: number): void {
    const next = subjectKeyOf(route)
    if (next === this.#current) return
    if (this.#current !== null) this.#left.set(this.#current, now)
    if (next !== null) this.#left.delete(next)
    this.#current = next
    for (const [key, at] of this.#left) if (now - at > this.#graceMs) this.#left.delete(key)
  }

  /** Shown now, or left less than the grace period ago. */
  shows(subject: Subject, now: number): boolean {
    const key = keyOf(subject)
    if (key === this.#current) return true
    const left = this.#left.get(key)
    return left !== undefined && now - left <= this.#graceMs
  }
}

function subjectKeyOf(route: Route): string | null {
  switch (route.page) {
    case 'study':
    case 'desktop':
      return keyOf({ type: 'study', id: route.accession })
    case 'patient':
      return keyOf({ type: 'patient', id: route.patientId })
    default:
      return null
  }
}

function keyOf(subject: Subject): string {
  return `${subject.type}/${subject.id}`
}
