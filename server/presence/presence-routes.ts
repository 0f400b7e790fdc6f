/** GET /api/v1/presence (admins only): everyone connected, with what they have open (API.md). */
import type { Role } from '../../shared/domain.ts'
import type { SessionService } from '../auth/sessions.ts'
import { requireSession } from '../http/auth.ts'
import { forbidden } from '../http/errors.ts'
import { sendJson } from '../http/request.ts'
import type { Router } from '../http/router.ts'
import type { PresenceIndex } from './presence-index.ts'

const PRESENCE_READERS: ReadonlySet<Role> = new Set<Role>(['admin', 'systemAdmin'])

export interface PresenceRouteDeps {
  index: PresenceIndex
  sessions: SessionService
  allowedOrigins: readonly string[]
}

export function presenceRoutes(router: Router, deps: PresenceRouteDeps): void {
  router.on('GET', '/api/v1/presence', (ctx) => {
    const session = requireSession(ctx, deps.sessions, deps.allowedOrigins)
    if (!PRESENCE_READERS.has(session.user.role))
      throw forbidden('Only admins see everyone’s presence.')
    sendJson(ctx.res, 200, deps.index.snapshot())
  })
}
