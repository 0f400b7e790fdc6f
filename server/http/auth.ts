/** Resolving the caller of an HTTP request, with the CSRF rule for cookie-authenticated writes. */
import type { AuthenticatedSession, SessionService } from '../auth/sessions.ts'
import { forbidden, unauthorized } from './errors.ts'
import { findToken } from './request.ts'
import type { RequestContext } from './router.ts'
import { originAllowed } from './security.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function sessionOf(
  ctx: RequestContext,
  sessions: SessionService,
  allowedOrigins: readonly string[],
  options: { allowQueryToken?: boolean } = {},
): AuthenticatedSession | null {
  const found = findToken(ctx.req, ctx.url, options.allowQueryToken ?? false)
  if (!found) return null
  if (found.source === 'cookie' && !SAFE_METHODS.has(ctx.req.method ?? 'GET')) {
    if (!originAllowed(ctx.req, allowedOrigins)) throw forbidden('Cross-site request refused.')
  }
  return sessions.authenticate(found.token)
}

export function requireSession(
  ctx: RequestContext,
  sessions: SessionService,
  allowedOrigins: readonly string[],
  options: { allowQueryToken?: boolean } = {},
): AuthenticatedSession {
  const session = sessionOf(ctx, sessions, allowedOrigins, options)
  if (!session) throw unauthorized()
  return session
}
