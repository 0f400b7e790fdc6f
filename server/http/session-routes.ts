/** POST/DELETE /api/v1/session and GET /api/v1/me. */
import { z } from 'zod'
import type { AuditLog } from '../audit/types.ts'
import type { LoginThrottle } from '../auth/login-throttle.ts'
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.ts'
import { identityOf, type SessionService } from '../auth/sessions.ts'
import type { Logger } from '../logger.ts'
import type { UserRecord } from '../registry/types.ts'
import type { RegistryStore } from '../storage/types.ts'
import { requireSession } from './auth.ts'
import { HttpError } from './errors.ts'
import { clientIp, parseBody, readJson, sendJson } from './request.ts'
import type { Router } from './router.ts'
import { clearedSessionCookie, requestIsTls, sessionCookie } from './security.ts'

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
})

export interface SessionRouteDeps {
  registry: RegistryStore
  audit: AuditLog
  throttle: LoginThrottle
  sessions: SessionService
  logger: Logger
  sessionTtlMs: number
  maxBodyBytes: number
  allowedOrigins: readonly string[]
}

export function sessionRoutes(router: Router, deps: SessionRouteDeps): void {
  router.on('POST', '/api/v1/session', async (ctx) => {
    const body = parseBody(LoginBody, await readJson(ctx.req, deps.maxBodyBytes))
    const ip = clientIp(ctx.req)
    const audit = (
      outcome: 'success' | 'failure',
      action: string,
      actor: { id: string; name: string },
      details: Record<string, unknown>,
    ) =>
      deps.audit.append({
        actor,
        action,
        subject: { type: 'user', id: actor.id },
        outcome,
        source: { ip, session: null },
        details,
      })
    const claimed = { id: `username:${body.username}`, name: body.username }
    const verdict = deps.throttle.check(body.username, ip)
    if (!verdict.allowed) {
      await audit('failure', 'login.failure', claimed, {
        reason: 'locked-out',
        retryAfterS: verdict.retryAfterS,
      })
      ctx.res.setHeader('retry-after', String(verdict.retryAfterS))
      throw new HttpError(
        429,
        'locked_out',
        `Too many failed sign-ins. Try again in ${verdict.retryAfterS} s.`,
      )
    }
    const user = deps.registry.read().users.find((u) => u.username === body.username)
    // Hash even for unknown users so timing does not reveal which usernames exist.
    const valid = verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH)
    if (!user || !valid || user.disabled) {
      const lockedNow = deps.throttle.fail(body.username, ip)
      const reason = !user ? 'unknown-user' : user.disabled ? 'disabled' : 'bad-password'
      await audit('failure', 'login.failure', user ? { id: user.id, name: user.name } : claimed, {
        reason,
        lockedOut: lockedNow,
      })
      deps.logger.warn('login failed', { username: body.username, ip, reason })
      throw new HttpError(401, 'invalid_credentials', 'Wrong username or password.')
    }
    deps.throttle.succeed(body.username)
    const { token, session } = await deps.sessions.create(user, ip)
    await deps.audit.append({
      actor: { id: user.id, name: user.name },
      action: 'login.success',
      subject: { type: 'user', id: user.id },
      outcome: 'success',
      source: { ip, session: session.id.slice(0, 16) },
    })
    const secure = requestIsTls(ctx.req) // behind a TLS-terminating proxy too
    ctx.res.setHeader('set-cookie', sessionCookie(token, secure, deps.sessionTtlMs / 1000))
    deps.logger.info('login', { user: user.id, ip })
    sendJson(ctx.res, 200, { token, user: publicUser(user) })
  })

  router.on('DELETE', '/api/v1/session', async (ctx) => {
    const session = requireSession(ctx, deps.sessions, deps.allowedOrigins)
    await deps.sessions.revoke(session.sessionId)
    await deps.audit.append({
      actor: { id: session.user.id, name: session.user.name },
      action: 'logout',
      subject: { type: 'user', id: session.user.id },
      outcome: 'success',
      source: { ip: clientIp(ctx.req), session: session.sessionId.slice(0, 16) },
    })
    ctx.res.setHeader('set-cookie', clearedSessionCookie())
    ctx.res.writeHead(204).end()
  })

  router.on('GET', '/api/v1/me', (ctx) => {
    const session = requireSession(ctx, deps.sessions, deps.allowedOrigins)
    sendJson(ctx.res, 200, { user: publicUser(session.user) })
  })
}

function publicUser(user: UserRecord) {
  return { ...identityOf(user), username: user.username, privileges: user.privileges }
}
