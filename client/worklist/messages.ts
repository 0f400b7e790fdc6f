/**
 * What a refused worklist action tells the user. The error body's extra members
 * (`by`/`at` on 409 stale, `holder` on 423) are read defensively: an older client
 * build, a proxy or a test may leave them out.
 */
import { ApiError } from '../api.ts'
import { clockSeconds } from './format.ts'

/** A person as the server may spell one: a display name, `{id, name}` or "SYSTEM". */
function nameOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'object' && value !== null && 'name' in value) {
    const { name } = value as { name: unknown }
    return typeof name === 'string' && name !== '' ? name : null
  }
  return null
}

function bodyOf(error: ApiError): Record<string, unknown> {
  const body = (error as { body?: unknown }).body
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
}

/** S11: "Updated by HUYEN at 14:02:31; your change was discarded." (time in the user's zone). */
export function staleMessage(error: ApiError): string {
  const body = bodyOf(error)
  const by = nameOf(body.by)
  const at = typeof body.at === 'string' ? clockSeconds(body.at) : null
  if (by && at) return `Updated by ${by} at ${at}; your change was discarded.`
  if (/discarded/i.test(error.message)) return error.message
  return `Updated by ${by ?? 'someone else'} meanwhile; your change was discarded.`
}

/** "<holder> has this study open for reading". */
export function lockedMessage(error: ApiError): string {
  const holder = nameOf(bodyOf(error).holder)
  return holder
    ? `${holder} has this study open for reading`
    : error.message || 'Another reading physician has this study open for reading'
}

/** The text for a refused or failed call; `stale` says whether the row needs a fresh copy. */
export function refusal(error: unknown): { text: string; stale: boolean } {
  if (error instanceof ApiError) {
    if (error.status === 409 && error.code === 'stale') {
      return { text: staleMessage(error), stale: true }
    }
    if (error.status === 423) return { text: lockedMessage(error), stale: true }
    return { text: error.message || `Refused (${error.status})`, stale: error.status === 409 }
  }
  return { text: error instanceof Error ? error.message : String(error), stale: false }
}
