/** POST/DELETE /api/v1/session and GET /api/v1/me. */
import { z } from 'zod'
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.ts'
import { identityOf, type SessionService } from '../auth/sessions.ts'
import type { Logger } from '../logger.ts'
import type { UserRecord } from '../registry/types.ts'
import type { RegistryStore } from '../storage/types.ts'
import { requireSession } from './auth.ts'
import { HttpError } from './errors.ts'
import { clientIp, parseBody, readJson, sendJson } from './request.ts'
import type { Router } from './router.ts'
import { clearedSessionCookie, sessionCookie } from './security.ts'

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
})

export interface SessionRouteDeps {
  registry: RegistryStore
  sessions: SessionService
  logger: Logger
  sessionTtlMs: number
  maxBodyBytes: number
  allowedOrigins: readonly string[]
}

export function sessionRoutes(router: Router, deps: SessionRouteDeps): void {
  router.on('POST', '/api/v1/session', async (ctx) => {
    const body = parseBody(LoginBody, await readJson(ctx.req, deps.maxBodyBytes))
    const user = deps.registry.read().users.find((u) => u.username === body.username)
    // Hash even for unknown users so timing does not reveal which usernames exist.
    const valid = verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH)
    if (!user || !valid || user.disabled) {
      deps.logger.warn('login failed', { username: body.username, ip: clientIp(ctx.req) })
      throw new HttpError(401, 'invalid_credentials', 'Wrong username or password.')
    }
    const { token } = await deps.sessions.create(user, clientIp(ctx.req))
    const secure = (ctx.req.socket as { encrypted?: boolean }).encrypted === true
    ctx.res.setHeader('set-cookie', sessionCookie(token, secure, deps.sessionTtlMs / 1000))
    deps.logger.info('login', { user: user.id, ip: clientIp(ctx.req) })
    sendJson(ctx.res, 200, { token, user: publicUser(user) })
  })

  router.on('DELETE', '/api/v1/session', async (ctx) => {
    const session = requireSession(ctx, deps.sessions, deps.allowedOrigins)
    await deps.sessions.revoke(session.sessionId)
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
