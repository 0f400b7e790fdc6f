/** GET /healthz, /readyz and /metrics (API.md "Running"). */
import { timingSafeEqual } from 'node:crypto'
import type { SessionService } from '../auth/sessions.ts'
import type { Config } from '../config.ts'
import type { Metrics } from '../metrics.ts'
import { forbidden, HttpError, unauthorized } from './errors.ts'
import { findToken, sendJson } from './request.ts'
import type { Router } from './router.ts'

export interface HealthDeps {
  isReady(): boolean
  metrics: Metrics
  sessions: SessionService
  config: Config
}

export function healthRoutes(router: Router, deps: HealthDeps): void {
  router.on('GET', '/healthz', (ctx) => sendJson(ctx.res, 200, { ok: true }))
  router.on('GET', '/readyz', (ctx) => {
    if (!deps.isReady()) throw new HttpError(503, 'not_ready', 'Storage is still loading.')
    sendJson(ctx.res, 200, { ok: true })
  })
  router.on('GET', '/metrics', async (ctx) => {
    const found = findToken(ctx.req, ctx.url, false)
    if (!found) throw unauthorized('Metrics need an admin session or the metrics token.')
    if (!isMetricsToken(found.token, deps.config.metricsToken)) {
      const session = deps.sessions.authenticate(found.token)
      if (!session) throw unauthorized()
      if (session.user.role !== 'admin' && session.user.role !== 'systemAdmin') throw forbidden()
    }
    const text = await deps.metrics.registry.metrics()
    ctx.res.writeHead(200, { 'content-type': deps.metrics.registry.contentType })
    ctx.res.end(text)
  })
}

function isMetricsToken(given: string, expected: string | null): boolean {
  if (!expected) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
