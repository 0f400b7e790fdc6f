/** How notices say who and when (DESIGN §5: every notice says what, who and when). */
import type { PersonRef } from '../../shared/domain.ts'
import type { Notice } from '../../shared/events.ts'

export function whoText(by: PersonRef | 'SYSTEM'): string {
  return by === 'SYSTEM' ? 'SYSTEM' : by.name
}

/**
 * Local wall-clock time, "14:02:31"; with the date in front when `at` is not today
 * ("2026-11-21 14:02:31"). An unparsable value is shown as it came.
 */
export function whenText(at: string, now: Date = new Date()): string {
  const date = new Date(at)
  if (Number.isNaN(date.getTime())) return at
  const time = date.toLocaleTimeString('en-GB', { hour12: false })
  return sameDay(date, now) ? time : `${isoDate(date)} ${time}`
}

/** "by BOSE at 14:02:31". */
export function byLine(notice: Pick<Notice, 'by' | 'at'>, now?: Date): string {
  return `by ${whoText(notice.by)} at ${whenText(notice.at, now)}`
}

/** The "by … at …" line under a notice's text, unless the text says who and when already. */
export function metaLine(
  notice: Pick<Notice, 'by' | 'at' | 'text'>,
  now?: Date,
): string | undefined {
  const line = byLine(notice, now)
  return notice.text.includes(line) ? undefined : line
}

const SUBJECT_LABEL = { study: 'Study', patient: 'Patient record' } as const

/** Titles of the safety events (DESIGN §5), by the last part of the notice kind. */
const EVENT_TITLE: Record<string, (subject: string) => string> = {
  deleted: (subject) => `${subject} deleted`,
  merged: (subject) => `${subject} merged`,
  'access-revoked': () => 'Your access was revoked',
  'claim-lost': () => 'You are no longer reading this study',
}

/**
 * A blocking dialog's title says what happened: "Priority raised to STAT", "Study
 * deleted", "Study merged", "You are no longer reading this study"; the text under it
 * names the study. Other kinds: "Study A10005".
 */
export function noticeTitle(notice: Pick<Notice, 'kind' | 'subject' | 'changes'>): string {
  if (notice.changes?.some((c) => c.field === 'priority' && c.to === 'STAT'))
    return 'Priority raised to STAT'
  const label = SUBJECT_LABEL[notice.subject.type] ?? 'Item'
  const event = notice.kind === 'claim.lost' ? 'claim-lost' : notice.kind.split('.').at(-1)
  const title = event === undefined ? undefined : EVENT_TITLE[event]
  return title === undefined ? `${label} ${notice.subject.id}` : title(label)
}

function sameDay(a: Date, b: Date): boolean {
  return isoDate(a) === isoDate(b)
}

function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
