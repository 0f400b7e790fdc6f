/**
 * Wording of the Access tab and the audit viewer: dates in the browser's local
 * time with a 24-hour clock, grant types, people. `<time datetime>` carries the
 * exact instant for assistive technology and copy-paste.
 */
import { html, type TemplateResult } from 'lit'
import type { GrantType } from '../../shared/access-types.ts'
import type { PersonRef } from '../../shared/domain.ts'

/** "22 Nov 2026, 14:02" */
export function dateTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', hour12: false })
}

/** "22 Nov 2026, 14:02:31", for the audit trail where seconds matter. */
export function dateTimeSeconds(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium', hour12: false })
}

/** "18:02" today, else "23 Nov 2026, 18:02". */
export function untilText(iso: string, now = Date.now()): string {
  const date = new Date(iso)
  const sameDay = new Date(now).toDateString() === date.toDateString()
  return sameDay
    ? date.toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit' })
    : dateTime(iso)
}

/** A `<time>` element showing `text` (default: date and time) for the instant `iso`. */
export function timeEl(iso: string, text = dateTime(iso)): TemplateResult {
  return html`<time datetime=${iso}>${text}</time>`
}

export function who(person: PersonRef | 'SYSTEM' | null | undefined): string {
  if (person === 'SYSTEM') return 'SYSTEM'
  return person?.name ?? '—'
}

export const GRANT_TYPES: readonly GrantType[] = ['view', 'edit', 'report']

export const GRANT_TYPE_LABEL: Readonly<Record<GrantType, string>> = {
  view: 'View',
  edit: 'Edit',
  report: 'Report',
}

/** What each grant type allows, for the add-access form. */
export const GRANT_TYPE_HINT: Readonly<Record<GrantType, string>> = {
  view: 'see the study, read-only',
  edit: 'see and change the study information',
  report: 'see, change and report on the study',
}

/** The message of an API failure, for people. */
export function failureText(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message
  return 'The server could not be reached; try again.'
}

/** The HTTP status of an ApiError, else null (no answer at all). */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : null
}
