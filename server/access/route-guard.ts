/**
 * Scoped sessions (a patient's reference-number login, S32) reach only a short
 * list of API routes: who am I, sign out, and the study itself (docAccess decides
 * which study). Checked once in front of the router, so a route added later is
 * closed to them unless it is listed here.
 */
import type { IncomingMessage } from 'node:http'
import type { SessionService } from '../auth/sessions.ts'
import { forbidden, type HttpError } from '../http/errors.ts'
import { findToken } from '../http/request.ts'
import { ROLE_POLICY } from './roles.ts'

const SCOPED_ROUTES: readonly { method: string; path: RegExp }[] = [
  { method: 'GET', path: /^\/api\/v1\/me$/ },
  { method: 'DELETE', path: /^\/api\/v1\/session$/ },
  { method: 'GET', path: /^\/api\/v1\/studies\/[^/]+$/ },
  // Public routes stay public whatever credentials come along.
  { method: 'POST', path: /^\/api\/v1\/session$/ },
  { method: 'POST', path: /^\/api\/v1\/patient-session$/ },
  { method: 'GET', path: /^\/api\/v1\/openapi\.json$/ },
]

/** 403 when a scoped session asks for an API route outside its list; null otherwise. */
export function scopedSessionRefusal(
  req: IncomingMessage,
  url: URL,
  sessions: SessionService,
): HttpError | null {
  if (!url.pathname.startsWith('/api/')) return null
  const found = findToken(req, url, true)
  if (!found) return null
  const session = sessions.authenticate(found.token)
  if (!session || !ROLE_POLICY[session.user.role].scoped) return null
  const method = req.method ?? 'GET'
  const listed = SCOPED_ROUTES.some((r) => r.method === method && r.path.test(url.pathname))
  return listed ? null : forbidden('A patient session can only read its own study.')
}
