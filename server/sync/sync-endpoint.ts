/**
 * The `/sync/<docName>` WebSocket endpoint. Everything that can be decided
 * without touching a document — name, session, origin, access — is decided
 * before `handleUpgrade`; refusals that browsers must be able to read (they
 * cannot see an HTTP status of a failed handshake) upgrade and close at once
 * with the contract's close code, without loading the document.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type RawData, type WebSocket, WebSocket as WebSocketClass, WebSocketServer } from 'ws'
import { CloseCode, type GoneReason, parseDocName } from '../../shared/protocol.ts'
import type { DocAccess } from '../access/policy.ts'
import type { AuthenticatedSession } from '../auth/sessions.ts'
import type { Clock } from '../clock.ts'
import type { Limits } from '../config.ts'
import { findToken } from '../http/request.ts'
import { originAllowed } from '../http/security.ts'
import type { Logger } from '../logger.ts'
import { Connection, type ConnectionPolicy } from './connection.ts'
import type { RoomManager } from './rooms.ts'

export interface SyncEndpointOptions {
  rooms: RoomManager
  limits: Limits
  clock: Clock
  logger: Logger
  allowedOrigins: readonly string[]
  authenticate(token: string | null): AuthenticatedSession | null
  access(session: AuthenticatedSession, docName: string): DocAccess
  goneReason(docName: string, access: DocAccess & { kind: 'gone' }): GoneReason
  policy: ConnectionPolicy
  /** A connection opened or closed (metrics, claim leases). */
  onConnection(conn: Connection, change: 'opened' | 'closed'): void
  /** The server closed or refused a connection (metrics; `reason` is ours, never the client's). */
  onServerClose(code: number, reason: string): void
  /** A document could not be loaded from storage (metrics: studysync_storage_errors_total). */
  onStorageError?(error: unknown): void
}

const SYNC_PREFIX = '/sync/'

export class SyncEndpoint {
  private readonly wss: WebSocketServer
  readonly connections = new Set<Connection>()
  /**
   * Connections per session, counted from the moment one is admitted (before its
   * document loads), so a burst of parallel upgrades cannot all slip past the limit.
   */
  private readonly perSession = new Map<string, number>()
  private accepting = true

  constructor(private readonly options: SyncEndpointOptions) {
    // ws's own limit answers 1009; ours (in Connection) answers 4413. Keep ws's a
    // little above ours so memory stays bounded while clients get the contract's code.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxMessageBytes + 64 * 1024,
      perMessageDeflate: false,
    })
  }

  handles(url: URL): boolean {
    return url.pathname.startsWith(SYNC_PREFIX)
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const name = decodeSafe(url.pathname.slice(SYNC_PREFIX.length))
    if (!this.accepting) return rejectHttp(socket, 503, 'Service Unavailable')
    if (name === null || parseDocName(name) === null) return rejectHttp(socket, 400, 'Bad Request')
    const found = findToken(req, url, true)
    if (found?.source === 'cookie' && !originAllowed(req, this.options.allowedOrigins)) {
      return this.refuse(req, socket, head, CloseCode.forbidden, 'origin not allowed')
    }
    const session = this.options.authenticate(found?.token ?? null)
    if (!session)
      return this.refuse(req, socket, head, CloseCode.notAuthenticated, 'not authenticated')
    const access = this.options.access(session, name)
    switch (access.kind) {
      case 'forbidden':
        return this.refuse(req, socket, head, CloseCode.forbidden, 'forbidden')
      case 'missing':
        return this.refuse(req, socket, head, CloseCode.noSuchDocument, 'no such document')
      case 'gone':
        return this.refuse(
          req,
          socket,
          head,
          CloseCode.gone,
          JSON.stringify(this.options.goneReason(name, access)),
        )
      case 'allowed': {
        // Checked last: refusals above cost nothing, an accepted one may load a document.
        const open = this.perSession.get(session.sessionId) ?? 0
        if (open >= this.options.limits.maxConnectionsPerSession) {
          return this.refuse(req, socket, head, CloseCode.tooManyMessages, 'too many connections')
        }
        this.perSession.set(session.sessionId, open + 1)
        let admitted = false
        try {
          admitted = await this.accept(req, socket, head, name, session, url)
        } finally {
          // An admitted connection gives its slot back when its socket closes.
          if (!admitted) this.leave(session.sessionId)
        }
      }
    }
  }

  private leave(sessionId: string): void {
    const left = (this.perSession.get(sessionId) ?? 1) - 1
    if (left > 0) this.perSession.set(sessionId, left)
    else this.perSession.delete(sessionId)
  }

  /** Stops accepting and closes every connection with 4503. */
  shutdown(): void {
    this.accepting = false
    for (const conn of this.connections)
      this.closeConnection(conn, CloseCode.shuttingDown, 'server shutting down')
    this.wss.close()
  }

  /** Closes every connection matching `predicate` (revoked sessions, forced closes). */
  closeWhere(predicate: (conn: Connection) => boolean, code: number, reason: string): number {
    let count = 0
    for (const conn of this.connections) {
      if (predicate(conn)) {
        this.closeConnection(conn, code, reason)
        count++
      }
    }
    return count
  }

  private closeConnection(conn: Connection, code: number, reason: string): void {
    conn.close(code, reason) // counted by the socket adapter
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    name: string,
    session: AuthenticatedSession,
    url: URL,
  ): Promise<boolean> {
    const { rooms } = this.options
    let room: Awaited<ReturnType<RoomManager['acquire']>>
    try {
      room = await rooms.acquire(name)
    } catch (error) {
      // The error names the file (StorageCorruptError) or the errno: the log is for the admin.
      this.options.logger.error('document failed to load', { doc: name, error: String(error) })
      this.options.onStorageError?.(error)
      // A close code, not an HTTP 500: browsers cannot read the status of a failed handshake.
      this.refuse(req, socket, head, CloseCode.shuttingDown, 'storage unavailable')
      return false
    }
    if (socket.destroyed) {
      rooms.release(name)
      return false
    }
    // Read now: the callback below must not keep the URL (and its search params) alive.
    const wantsSavedAcks = url.searchParams.get('savedAck') === '1'
    let admitted = false
    // ws calls back synchronously, or never when the socket died meanwhile.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      admitted = true
      const link = new WsLink(ws, this, session.sessionId, name)
      const conn = new Connection(
        link,
        room,
        session.identity,
        session.sessionId,
        this.options.limits,
        this.options.policy,
        this.options.clock,
        wantsSavedAcks,
      )
      link.attach(conn)
    })
    // ws aborts the handshake without calling back on bad WebSocket headers: give the room back.
    if (!admitted) rooms.release(name)
    return admitted
  }

  /** A connection's socket closed: its bookkeeping, once. */
  socketClosed(link: WsLink): void {
    const conn = link.conn
    if (!conn) return
    conn.onSocketClosed()
    this.connections.delete(conn)
    this.leave(link.sessionId)
    this.options.rooms.release(link.docName)
    this.options.onConnection(conn, 'closed')
  }

  /** Counts a close the server makes (see WsLink). */
  serverClosed(code: number, reason: string): void {
    this.options.onServerClose(code, reason)
  }

  connectionOpened(conn: Connection): void {
    this.connections.add(conn)
    this.options.onConnection(conn, 'opened')
  }

  private refuse(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    code: number,
    reason: string,
  ): void {
    this.options.onServerClose(code, reason)
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {})
      ws.close(code, reason.slice(0, 123))
    })
  }
}

const LINK = Symbol('studysync.link')
type LinkedSocket = WebSocket & { [LINK]?: WsLink }

/**
 * The socket a Connection sees, over one `ws` socket. Every close the server makes
 * goes through here, so each is counted once, whatever its cause.
 *
 * One object per connection with its methods on the prototype, and ws's events go to
 * shared module-level listeners (`this` is the socket) instead of closures made per
 * connection: under tsx every closure also carries a `name` property dictionary
 * (esbuild's keepNames), so each per-connection closure cost ~360 bytes.
 */
export class WsLink {
  conn: Connection | null = null

  constructor(
    readonly ws: WebSocket,
    private readonly endpoint: SyncEndpoint,
    readonly sessionId: string,
    readonly docName: string,
  ) {
    ;(ws as LinkedSocket)[LINK] = this
    // ws closes oversized frames with 1009 by itself; the contract says 4413.
    ws.close = closeMappingOversize
  }

  /** Wires the socket's events to `conn` and registers it. */
  attach(conn: Connection): void {
    this.conn = conn
    this.endpoint.connectionOpened(conn)
    this.ws.on('message', onWsMessage)
    this.ws.on('error', onWsError)
    this.ws.on('close', onWsClose)
  }

  send(data: Uint8Array): void {
    this.ws.send(data)
  }

  close(code: number, reason?: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.endpoint.serverClosed(code, reason ?? '')
    this.ws.close(code, reason)
  }

  get readyState(): number {
    return this.ws.readyState
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }

  socketClosed(): void {
    this.endpoint.socketClosed(this)
  }

  /** ws closed the socket with 1009 (frame over maxPayload): counted, and sent as 4413. */
  closedOversize(): void {
    this.endpoint.serverClosed(4413, 'message too large')
  }
}

const wsClose = WebSocketClass.prototype.close

function closeMappingOversize(this: LinkedSocket, code?: number, reason?: string | Buffer): void {
  if (code !== 1009) return wsClose.call(this, code, reason)
  this[LINK]?.closedOversize()
  wsClose.call(this, 4413, 'message too large')
}

function onWsMessage(this: LinkedSocket, data: RawData, isBinary: boolean): void {
  this[LINK]?.conn?.receive(isBinary ? toBytes(data) : data.toString())
}

function onWsError(): void {
  // 'close' follows; nothing to add
}

function onWsClose(this: LinkedSocket): void {
  this[LINK]?.socketClosed()
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}

function decodeSafe(s: string): string | null {
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}

function rejectHttp(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
