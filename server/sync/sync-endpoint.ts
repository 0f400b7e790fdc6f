/**
 * The `/sync/<docName>` WebSocket endpoint. Everything that can be decided
 * without touching a document — name, session, origin, access — is decided
 * before `handleUpgrade`; refusals that browsers must be able to read (they
 * cannot see an HTTP status of a failed handshake) upgrade and close at once
 * with the contract's close code, without loading the document.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
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
  onServerClose(code: number): void
}

const SYNC_PREFIX = '/sync/'

export class SyncEndpoint {
  private readonly wss: WebSocketServer
  readonly connections = new Set<Connection>()
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
      case 'allowed':
        return this.accept(req, socket, head, name, session, url)
    }
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
    this.options.onServerClose(code)
    conn.close(code, reason)
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    name: string,
    session: AuthenticatedSession,
    url: URL,
  ): Promise<void> {
    const { rooms } = this.options
    let room: Awaited<ReturnType<RoomManager['acquire']>>
    try {
      room = await rooms.acquire(name)
    } catch (error) {
      this.options.logger.error('document failed to load', { doc: name, error: String(error) })
      return rejectHttp(socket, 500, 'Internal Server Error')
    }
    if (socket.destroyed) return rooms.release(name)
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      mapOversizeClose(ws)
      const conn = new Connection(
        socketAdapter(ws),
        room,
        session.identity,
        session.sessionId,
        this.options.limits,
        this.options.policy,
        this.options.clock,
        url.searchParams.get('savedAck') === '1',
      )
      this.connections.add(conn)
      this.options.onConnection(conn, 'opened')
      ws.on('message', (data, isBinary) => conn.receive(isBinary ? toBytes(data) : data.toString()))
      ws.on('error', () => {}) // 'close' follows; nothing to add
      ws.on('close', () => {
        conn.onSocketClosed()
        this.connections.delete(conn)
        rooms.release(name)
        this.options.onConnection(conn, 'closed')
      })
    })
  }

  private refuse(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    code: number,
    reason: string,
  ): void {
    this.options.onServerClose(code)
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {})
      ws.close(code, reason.slice(0, 123))
    })
  }
}

function socketAdapter(ws: WebSocket) {
  return {
    send: (data: Uint8Array) => ws.send(data),
    close: (code: number, reason?: string) => ws.close(code, reason),
    get readyState() {
      return ws.readyState
    },
    get bufferedAmount() {
      return ws.bufferedAmount
    },
  }
}

/** ws closes oversized frames with 1009 by itself; the contract says 4413. */
function mapOversizeClose(ws: WebSocket): void {
  const close = ws.close.bind(ws)
  ws.close = (code?: number, reason?: string | Buffer) =>
    code === 1009 ? close(4413, 'message too large') : close(code, reason)
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
