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

const SUBJECT_LABEL = { study: 'Study', patient: 'Patient' } as const

const EVENT_PHRASE: Record<string, string> = {
  deleted: 'deleted',
  merged: 'merged',
  'access-revoked': 'access revoked',
  'claim-lost': 'reading claim lost',
}

/** A dialog title: "Study A10005 deleted", or just "Study A10005" for other kinds. */
export function noticeTitle(notice: Pick<Notice, 'kind' | 'subject'>): string {
  const subject = `${SUBJECT_LABEL[notice.subject.type] ?? 'Item'} ${notice.subject.id}`
  const phrase = EVENT_PHRASE[notice.kind.slice(notice.kind.lastIndexOf('.') + 1)]
  return phrase === undefined ? subject : `${subject} ${phrase}`
}

function sameDay(a: Date, b: Date): boolean {
  return isoDate(a) === isoDate(b)
}

function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
