/**
 * createServer: builds one StudySync server instance from injected storage,
 * clock, logger and configuration (STYLE 10). It owns its rooms, sessions and
 * metrics; nothing lives at module level, so tests run many side by side.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { CloseCode, type GoneReason, parseDocName } from '../shared/protocol.ts'
import { PATIENT_FORM, REPORT_BODY_MAX_LENGTH, STUDY_FORM } from '../shared/schema.ts'
import { type DocAccess, docAccess, userMaySee } from './access/policy.ts'
import { scopedSessionRefusal } from './access/route-guard.ts'
import { AccessWatcher } from './access/watcher.ts'
import type { AuditLog } from './audit/types.ts'
import { LoginThrottle } from './auth/login-throttle.ts'
import { SessionService } from './auth/sessions.ts'
import type { Clock } from './clock.ts'
import type { Config } from './config.ts'
import { FieldAttribution } from './domain/attribution.ts'
import { ClaimTracker } from './domain/claims.ts'
import type { DomainContext } from './domain/context.ts'
import { StateProjector } from './domain/projector.ts'
import { ViewerDirectory } from './domain/viewers.ts'
import { EventHub } from './events/hub.ts'
import { eventRoutes } from './events/sse-routes.ts'
import { accessRoutes } from './http/access-routes.ts'
import { auditRoutes } from './http/audit-routes.ts'
import { HttpError } from './http/errors.ts'
import { healthRoutes } from './http/health-routes.ts'
import { lifecycleRoutes } from './http/lifecycle-routes.ts'
import { openapiRoutes } from './http/openapi.ts'
import { sendJson } from './http/request.ts'
import { Router } from './http/router.ts'
import { setSecurityHeaders } from './http/security.ts'
import { sessionRoutes } from './http/session-routes.ts'
import { serveStatic } from './http/static-files.ts'
import { studyRoutes } from './http/study-routes.ts'
import type { Logger } from './logger.ts'
import { createMetrics } from './metrics.ts'
import { PresenceIndex } from './presence/presence-index.ts'
import { presenceRoutes } from './presence/presence-routes.ts'
import {
  guardAudit,
  guardRegistry,
  StorageUnavailableError,
  storageFaultOf,
} from './storage/guarded.ts'
import type { DocLogStore, RegistryStore } from './storage/types.ts'
import type { ConnectionPolicy, WriteVerdict } from './sync/connection.ts'
import { validateFieldsUpdate, validateReportUpdate } from './sync/field-validator.ts'
import type { Room } from './sync/room.ts'
import { RoomManager } from './sync/rooms.ts'
import { SyncEndpoint } from './sync/sync-endpoint.ts'

export interface ServerDeps {
  config: Config
  registry: RegistryStore
  docs: DocLogStore
  audit: AuditLog
  clock: Clock
  logger: Logger
  metrics?: ReturnType<typeof createMetrics>
}

export interface StudySyncServer {
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>
  /** Graceful shutdown: stop accepting, close clients with 4503, flush, close storage. */
  close(): Promise<void>
  readonly url: string
  readonly rooms: RoomManager
  readonly sessions: SessionService
  readonly sync: SyncEndpoint
  readonly metrics: ReturnType<typeof createMetrics>
  readonly domain: DomainContext
  readonly claims: ClaimTracker
  readonly presence: PresenceIndex
  readonly hub: EventHub
  /** Every registered HTTP route, `:param` segments kept (the API reference test checks them). */
  readonly routes: { method: string; path: string }[]
}

export function createServer(deps: ServerDeps): StudySyncServer {
  const { config, docs, clock, logger } = deps
  const metrics = deps.metrics ?? createMetrics()
  // A full disk or an I/O error becomes StorageUnavailableError: logged, counted, answered 503.
  const storageFault = (store: string, error: unknown) => {
    metrics.storageErrors.inc()
    logger.error('storage write failed', { store, error: String(error) })
  }
  const registry = guardRegistry(deps.registry, storageFault)
  const audit = guardAudit(deps.audit, storageFault)
  const sessions = new SessionService(registry, clock, config.sessionTtlMs)
  let ready = false

  const hub = new EventHub({ clock })
  const presence = new PresenceIndex({
    clock,
    lostRetentionMs: 30_000,
    onChange: (subject, entries) =>
      hub.broadcastLive({ type: 'presence', data: { subject, entries } }, (userId) =>
        userMaySee(registry.read(), userId, subject, clock.now()),
      ),
  })
  // The projector needs the room manager and the room manager calls the projector on load.
  let projector: StateProjector | null = null
  let attribution: FieldAttribution | null = null
  const rooms = new RoomManager({
    log: docs,
    logger,
    idleMs: config.roomIdleMs,
    compactEvery: config.compactEvery,
    maxBufferedBytes: config.limits.maxBufferedBytes,
    onLoad: (room) => {
      const kind = room.docName.kind
      if (kind === 'study' || kind === 'patient') attribution?.attach(room)
      return projector?.onLoad(room)
    },
    hooks: {
      afterAwareness: (room) => presence.onAwareness(room),
      afterMemberLeft: (room, _member, lost) => presence.onMemberLeft(room, lost),
      onSend: () => metrics.messagesOut.inc(),
      onFsyncError: (room, error) => {
        metrics.storageErrors.inc()
        logger.error('server write could not be logged', { doc: room.name, error: String(error) })
      },
    },
  })

  const policy: ConnectionPolicy = {
    mayWrite: (identity, room) => {
      const access = docAccess(identity, room.docName, registry.read(), clock.now())
      return access.kind === 'allowed' && access.write
    },
    validate: validateFor,
    onRefused: (conn, reason, field) => {
      metrics.refusedWrites.inc()
      logger.warn('write refused', { doc: conn.room.name, user: conn.userId, reason, field })
      const { id, name } = conn.identity
      audit
        .append({
          actor: { id, name },
          action: 'sync.write-refused',
          subject: { type: 'document', id: conn.room.name },
          outcome: 'refused',
          source: { ip: 'sync', session: conn.sessionId },
          details: { reason, field: field ?? null },
        })
        .catch((error) => logger.error('refused write not audited', { error: String(error) }))
    },
    onProtocolError: (conn, error) => {
      metrics.protocolErrors.inc()
      logger.warn('protocol error', { doc: conn.room.name, user: conn.userId, error })
    },
    onStorageError: (conn, error) => {
      metrics.storageErrors.inc()
      logger.error('log append failed', { doc: conn.room.name, error: String(error) })
    },
    onMessage: (bytes) => {
      metrics.messagesIn.inc()
      metrics.bytesIn.inc(bytes)
    },
  }

  const sync = new SyncEndpoint({
    rooms,
    limits: config.limits,
    clock,
    logger,
    allowedOrigins: config.allowedOrigins,
    authenticate: (token) => sessions.authenticate(token),
    access: (session, name) => accessFor(session.identity, name),
    goneReason,
    policy,
    onConnection: (conn, change) => {
      metrics.connections.inc(change === 'opened' ? 1 : -1)
      metrics.roomsLoaded.set(rooms.loadedCount)
      const doc = conn.room.docName
      if ('accession' in doc) claims.onConnection(doc.accession, conn.userId, change)
    },
    onServerClose: (code, reason) => {
      metrics.closes.inc({ code: String(code) })
      // 4413/4429 reasons are a fixed set of our own strings: a bounded label.
      if (code === CloseCode.messageTooLarge || code === CloseCode.tooManyMessages)
        metrics.limitHits.inc({ limit: reason })
    },
    onStorageError: () => metrics.storageErrors.inc(),
  })

  projector = new StateProjector(
    rooms,
    registry,
    (room) =>
      sync.closeWhere(
        (conn) => conn.room === room,
        CloseCode.localCopyRefused,
        'worklist rebuilt: resync',
      ),
    config.worklistBloatFactor,
  )
  const viewers = new ViewerDirectory(() => sync.connections)
  const domain: DomainContext = {
    registry,
    rooms,
    audit,
    hub,
    clock,
    logger,
    projector,
    viewers,
    trackerTimeoutMs: config.trackerTimeoutMs,
    closeDocuments: (prefix, code, reason) => {
      const users = new Set<string>()
      sync.closeWhere(
        (conn) => {
          const hit = conn.room.name === prefix || conn.room.name.startsWith(`${prefix}/`)
          if (hit) users.add(conn.userId)
          return hit
        },
        code,
        reason,
      )
      return [...users]
    },
  }
  const claims = new ClaimTracker(domain)
  attribution = new FieldAttribution(domain, { burstMs: 1500 })

  // S30: a lost right closes open connections at once, and again when the next one runs out.
  const watcher = new AccessWatcher({
    registry,
    clock,
    hub,
    audit,
    logger,
    connections: () => sync.connections,
    close: (doomed, code, reason) => sync.closeWhere((c) => doomed.has(c), code, reason),
  })

  sessions.onRevoked((sessionId) => {
    sync.closeWhere(
      (conn) => conn.sessionId === sessionId,
      CloseCode.notAuthenticated,
      'session revoked',
    )
  })

  const router = new Router()
  healthRoutes(router, { isReady: () => ready, metrics, sessions, config })
  openapiRoutes(router)
  sessionRoutes(router, {
    registry,
    audit,
    throttle: new LoginThrottle(clock),
    sessions,
    logger,
    sessionTtlMs: config.sessionTtlMs,
    maxBodyBytes: config.limits.maxBodyBytes,
    allowedOrigins: config.allowedOrigins,
  })

  eventRoutes(router, { hub, sessions, allowedOrigins: config.allowedOrigins })
  presenceRoutes(router, { index: presence, sessions, allowedOrigins: config.allowedOrigins })
  studyRoutes(router, {
    ctx: domain,
    claims,
    sessions,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: config.limits.maxBodyBytes,
    presenceOf: (accession) => presence.forSubject('study', accession),
  })
  lifecycleRoutes(router, {
    ctx: domain,
    claims,
    sessions,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: config.limits.maxBodyBytes,
    presenceOf: (accession) => presence.forSubject('study', accession),
  })

  accessRoutes(router, { ctx: domain, sessions, watcher, config })
  auditRoutes(router, { ctx: domain, sessions, config })

  const staticRoot = config.staticDir ? resolve(config.staticDir) : null
  const { headersTimeoutMs } = config.limits
  const http = createHttpServer(
    {
      requestTimeout: 30_000,
      headersTimeout: headersTimeoutMs,
      // Node enforces the timeouts on this sweep (default every 30 s): a slowloris client
      // would otherwise hold its socket for up to headersTimeout + 30 s.
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, headersTimeoutMs / 4)),
    },
    (req, res) => {
      void handleRequest(req, res)
    },
  )
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {})
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!sync.handles(url)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    sync.upgrade(req, socket, head, url).catch((error) => {
      logger.error('upgrade failed', { error: String(error) })
      socket.destroy()
    })
  })

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res)
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      const match = router.match(req.method ?? 'GET', url.pathname)
      if (match === 'method') throw new HttpError(405, 'method_not_allowed', 'Method not allowed.')
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

  function accessFor(identity: Parameters<typeof docAccess>[0], name: string): DocAccess {
    const doc = parseDocName(name)
    return doc ? docAccess(identity, doc, registry.read(), clock.now()) : { kind: 'missing' }
  }

  function goneReason(name: string, access: DocAccess & { kind: 'gone' }): GoneReason {
    const doc = parseDocName(name)
    const data = registry.read()
    const record =
      doc && 'accession' in doc
        ? data.studies.find((s) => s.accession === doc.accession)
        : data.patients.find((p) => doc && 'patientId' in doc && p.id === doc.patientId)
    const by = record && 'updatedBy' in record && record.updatedBy ? record.updatedBy : 'SYSTEM'
    const at = record && 'updatedAt' in record && record.updatedAt ? record.updatedAt : clock.now()
    return {
      reason: access.lifecycle,
      by,
      at: new Date(at).toISOString(),
      ...(access.mergedInto ? { mergedInto: access.mergedInto } : {}),
    }
  }

  function validateFor(room: Room, update: Uint8Array): WriteVerdict {
    switch (room.docName.kind) {
      case 'study':
        return verdict(validateFieldsUpdate(room.doc, update, STUDY_FORM))
      case 'patient':
        return verdict(validateFieldsUpdate(room.doc, update, PATIENT_FORM))
      case 'studyReport':
        return verdict(validateReportUpdate(room.doc, update, REPORT_BODY_MAX_LENGTH))
      default:
        return { ok: false, reason: 'this document is written only by the server' }
    }
  }

  let url = ''
  return {
    get url() {
      return url
    },
    rooms,
    sessions,
    sync,
    metrics,
    domain,
    claims,
    presence,
    hub,
    get routes() {
      return router.list()
    },
    listen: () =>
      new Promise<number>((resolveListen, reject) => {
        http.once('error', reject)
        http.listen(config.port, config.host, () => {
          const { port } = http.address() as AddressInfo
          url = `http://${config.host}:${port}`
          ready = true
          resolveListen(port)
        })
      }),
    async close() {
      ready = false
      claims.close()
      watcher.close()
      presence.close()
      hub.close()
      sync.shutdown()
      await new Promise<void>((done) => http.close(() => done()))
      http.closeAllConnections()
      await attribution?.flushAll()
      attribution?.close()
      await rooms.closeAll()
      await sessions.flush().catch(() => {})
      await docs.close()
      await audit.close()
      await registry.close()
    },
  }
}

function verdict(
  result: { ok: true } | { ok: false; error: string; field?: string },
): WriteVerdict {
  return result.ok ? { ok: true } : { ok: false, reason: result.error, field: result.field }
}
