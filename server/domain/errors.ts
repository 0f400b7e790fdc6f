/** Domain refusals, mapped to HTTP statuses by the routes (API.md "Errors"). */
import { HttpError } from '../http/errors.ts'
import type { StudyRecord } from '../registry/types.ts'

export const studyNotFound = (accession: string) =>
  new HttpError(404, 'not_found', `There is no study ${accession}.`)

export const patientNotFound = (patientId: string) =>
  new HttpError(404, 'not_found', `There is no patient ${patientId}.`)

export const gone = (what: string, lifecycle: string, mergedInto: string | null) =>
  new HttpError(
    410,
    'gone',
    `${what} was ${lifecycle}${mergedInto ? ` into ${mergedInto}` : ''}.`,
    undefined,
    {
      lifecycle,
      ...(mergedInto ? { mergedInto } : {}),
    },
  )

export const notAllowed = (message: string) => new HttpError(403, 'forbidden', message)

export const stale = (by: string, at: string, time: string) =>
  new HttpError(
    409,
    'stale',
    `Updated by ${by} at ${time}; your change was discarded.`,
    undefined,
    { by, at },
  )

export const locked = (holder: { id: string; name: string }, message: string) =>
  new HttpError(423, 'locked', message, undefined, { holder })

export const conflict = (message: string, extra?: Record<string, unknown>) =>
  new HttpError(409, 'conflict', message, undefined, extra)

/** 409 naming who changed the study last and when (S11). */
export function staleFor(study: StudyRecord, now: number): HttpError {
  const by = study.updatedBy === 'SYSTEM' || !study.updatedBy ? 'SYSTEM' : study.updatedBy.name
  const at = study.updatedAt ?? now
  return stale(
    by,
    new Date(at).toISOString(),
    new Date(at).toLocaleTimeString('en-GB', { hour12: false }),
  )
}
