/**
 * createServer: builds one StudySync server instance from injected storage,
 * clock, logger and configuration (STYLE 10). It owns its rooms, sessions and
 * metrics; nothing lives at module level, so tests run many side by side.
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { CloseCode } from '../shared/protocol.ts'
import { accessToDocument, goneReasonOf } from './access/doc-gate.ts'
import { userMaySee } from './access/policy.ts'
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
import { healthRoutes } from './http/health-routes.ts'
import { lifecycleRoutes } from './http/lifecycle-routes.ts'
import { openapiRoutes } from './http/openapi.ts'
import { createRequestHandler } from './http/request-handler.ts'
import { Router } from './http/router.ts'
import { sessionRoutes } from './http/session-routes.ts'
import { studyRoutes } from './http/study-routes.ts'
import type { Logger } from './logger.ts'
import { createMetrics } from './metrics.ts'
import { PresenceIndex } from './presence/presence-index.ts'
import { presenceRoutes } from './presence/presence-routes.ts'
import { guardAudit, guardRegistry } from './storage/guarded.ts'
import type { DocLogStore, RegistryStore } from './storage/types.ts'
import { RoomManager } from './sync/rooms.ts'
import { SyncEndpoint } from './sync/sync-endpoint.ts'
import { createWritePolicy } from './sync/write-policy.ts'

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
      afterAwareness: (room, change) => presence.onAwareness(room, change),
      afterMemberLeft: (room, _member, lost) => presence.onMemberLeft(room, lost),
      onSend: () => metrics.messagesOut.inc(),
      onFsyncError: (room, error) => {
        metrics.storageErrors.inc()
        logger.error('server write could not be logged', { doc: room.name, error: String(error) })
      },
    },
  })

  const policy = createWritePolicy({ registry, audit, clock, logger, metrics })

  const sync = new SyncEndpoint({
    rooms,
    limits: config.limits,
    clock,
    logger,
    allowedOrigins: config.allowedOrigins,
    authenticate: (token) => sessions.authenticate(token),
    access: (session, name) =>
      accessToDocument(session.identity, name, registry.read(), clock.now()),
    goneReason: (name, access) => goneReasonOf(name, access, registry.read(), clock.now()),
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
  const studyDeps = {
    ctx: domain,
    claims,
    sessions,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: config.limits.maxBodyBytes,
    presenceOf: (accession: string) => presence.forSubject('study', accession),
  }
  studyRoutes(router, studyDeps)
  lifecycleRoutes(router, studyDeps)

  accessRoutes(router, { ctx: domain, sessions, watcher, config })
  auditRoutes(router, { ctx: domain, sessions, config })

  const handleRequest = createRequestHandler({
    router,
    sessions,
    staticRoot: config.staticDir ? resolve(config.staticDir) : null,
    metrics,
    logger,
  })
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
