/**
 * The HTTP entry point: security headers, routing, the patient-session guard,
 * static files, and one place that turns every error into the JSON body of
 * API.md "Errors" (storage faults become a clear 503 or 500).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { scopedSessionRefusal } from '../access/route-guard.ts'
import type { SessionService } from '../auth/sessions.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics.ts'
import { StorageUnavailableError, storageFaultOf } from '../storage/guarded.ts'
import { HttpError } from './errors.ts'
import { sendJson } from './request.ts'
import { allowedMethods, type Router } from './router.ts'
import { setSecurityHeaders } from './security.ts'
import { serveStatic } from './static-files.ts'

export interface RequestHandlerDeps {
  router: Router
  sessions: SessionService
  staticRoot: string | null
  metrics: Metrics
  logger: Logger
}

export function createRequestHandler(deps: RequestHandlerDeps) {
  const { router, sessions, staticRoot, metrics, logger } = deps

  return async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res)
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      const match = router.match(req.method ?? 'GET', url.pathname)
      if (match === 'method') {
        res.setHeader('allow', allowedMethods(router, url.pathname).join(', ')) // RFC 9110 §15.5.6
        throw new HttpError(405, 'method_not_allowed', 'Method not allowed.')
      }
      const scoped = match ? scopedSessionRefusal(req, url, sessions) : null
      if (scoped) throw scoped
      if (match) return await match.handler({ req, res, url, params: match.params })
      if (url.pathname.startsWith('/api/'))
        throw new HttpError(404, 'not_found', 'No such endpoint.')
      if (staticRoot && (req.method === 'GET' || req.method === 'HEAD')) {
        if (await serveStatic(staticRoot, url.pathname, res)) return
      }
      throw new HttpError(404, 'not_found', 'Not found.')
    } catch (error) {
      if (res.headersSent) return void res.destroy()
      // A body abandoned part-way (413) leaves its rest on the socket: a client reusing the
      // connection would wait ~5 s for nothing, then see ECONNRESET. Close it after the answer.
      if (!req.complete) res.setHeader('connection', 'close')
      if (error instanceof HttpError) {
        if (error.status === 413 || error.status === 429)
          metrics.limitHits.inc({ limit: error.code })
        return sendJson(res, error.status, error.toJSON())
      }
      const fault = storageFaultOf(error)
      if (fault) return sendStorageFault(res, fault, url.pathname, error)
      logger.error('request failed', { path: url.pathname, error: String(error) })
      sendJson(res, 500, { error: 'internal', message: 'Something went wrong on the server.' })
    }
  }

  /** Registry/audit faults were counted where they happened; document loads are counted here. */
  function sendStorageFault(
    res: ServerResponse,
    fault: 'unavailable' | 'corrupt',
    path: string,
    error: unknown,
  ): void {
    if (!(error instanceof StorageUnavailableError)) {
      metrics.storageErrors.inc()
      logger.error('storage read failed', { path, error: String(error) })
    }
    if (fault === 'corrupt') {
      return sendJson(res, 500, {
        error: 'storage_corrupt',
        message: 'Stored data needed for this request is damaged; the server log names the file.',
      })
    }
    res.setHeader('retry-after', '5')
    sendJson(res, 503, {
      error: 'storage_unavailable',
      message:
        'The server cannot write to its storage (disk full or failing), so this request was not completed. Try again later.',
    })
  }
}
