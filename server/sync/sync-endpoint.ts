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
    let admitted = false
    // ws calls back synchronously, or never when the socket died meanwhile.
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      admitted = true
      const counted = (code: number, reason: string) => this.options.onServerClose(code, reason)
      mapOversizeClose(ws, counted)
      const conn = new Connection(
        socketAdapter(ws, counted),
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
        this.leave(session.sessionId)
        rooms.release(name)
        this.options.onConnection(conn, 'closed')
      })
    })
    // ws aborts the handshake without calling back on bad WebSocket headers: give the room back.
    if (!admitted) rooms.release(name)
    return admitted
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

/** Every close the server makes goes through here, so each is counted once, whatever its cause. */
function socketAdapter(ws: WebSocket, onClose: (code: number, reason: string) => void) {
  return {
    send: (data: Uint8Array) => ws.send(data),
    close: (code: number, reason?: string) => {
      if (ws.readyState === ws.OPEN) onClose(code, reason ?? '')
      ws.close(code, reason)
    },
    get readyState() {
      return ws.readyState
    },
    get bufferedAmount() {
      return ws.bufferedAmount
    },
  }
}

/** ws closes oversized frames with 1009 by itself; the contract says 4413. */
function mapOversizeClose(ws: WebSocket, onClose: (code: number, reason: string) => void): void {
  const close = ws.close.bind(ws)
  ws.close = (code?: number, reason?: string | Buffer) => {
    if (code !== 1009) return close(code, reason)
    onClose(4413, 'message too large')
    close(4413, 'message too large')
  }
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
