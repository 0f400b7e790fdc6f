/**
 * GET /api/v1/events: the live feed as Server-Sent Events (API.md "Live feed").
 *
 * Resumable: the browser's EventSource sends `Last-Event-ID` on reconnect (a
 * client that manages its own stream may pass `?lastEventId=`), and the hub
 * replays what was missed (S28). Presence events carry no `id:` line, so
 * they never move the resume point.
 */
import type { ServerResponse } from 'node:http'
import type { AuthenticatedSession, SessionService } from '../auth/sessions.ts'
import { requireSession } from '../http/auth.ts'
import type { RequestContext, Router } from '../http/router.ts'
import { type EventHub, LIVE_ONLY_ID } from './hub.ts'
import type { DeliveredEvent } from './types.ts'

export const DEFAULT_HEARTBEAT_MS = 15_000
/** How long a browser waits before reconnecting after the stream drops. */
const RETRY_MS = 3000
/**
 * Bytes a slow client may leave unsent before its stream is closed; it
 * reconnects and resumes from its last id, so nothing is lost.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024

export interface EventRouteDeps {
  hub: EventHub
  sessions: SessionService
  allowedOrigins: readonly string[]
  /** Interval of `: ping` comments that keep proxies from timing the stream out; default 15 s. */
  heartbeatMs?: number
  maxBufferedBytes?: number
}

export function eventRoutes(router: Router, deps: EventRouteDeps): void {
  const open = new Set<SseStream>()
  // A revoked session loses its feed at once, not at the next heartbeat.
  deps.sessions.onRevoked((sessionId) => {
    for (const stream of [...open]) if (stream.sessionId === sessionId) stream.end()
  })
  router.on('GET', '/api/v1/events', (ctx) => {
    const session = requireSession(ctx, deps.sessions, deps.allowedOrigins, {
      allowQueryToken: true,
    })
    const stream = new SseStream(ctx.res, session, deps, () => open.delete(stream))
    open.add(stream)
    stream.start(resumeId(ctx))
  })
}

/** `Last-Event-ID` header, else `?lastEventId=`; anything but a plain non-negative integer is ignored. */
export function resumeId(ctx: RequestContext): number | null {
  const header = ctx.req.headers['last-event-id']
  const raw =
    (Array.isArray(header) ? header[0] : header) ?? ctx.url.searchParams.get('lastEventId')
  if (raw == null || !/^\d{1,16}$/.test(raw.trim())) return null
  const id = Number(raw.trim())
  return Number.isSafeInteger(id) ? id : null
}

/** One SSE response: frames out, heartbeats, and cleanup however it ends. */
class SseStream {
  readonly sessionId: string
  private unsubscribe: (() => void) | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private finished = false

  constructor(
    private readonly res: ServerResponse,
    private readonly session: AuthenticatedSession,
    private readonly deps: EventRouteDeps,
    private readonly onFinished: () => void,
  ) {
    this.sessionId = session.sessionId
  }

  start(lastEventId: number | null): void {
    const { res } = this
    // Registered first: a client gone before we finish must still be cleaned up.
    res.on('close', () => this.cleanup())
    res.on('error', () => this.cleanup())
    res.socket?.setNoDelay(true)
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    })
    this.write(`retry: ${RETRY_MS}\n\n`)
    const heartbeatMs = this.deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
    this.heartbeat = setInterval(() => this.ping(), heartbeatMs)
    this.heartbeat.unref()
    this.unsubscribe = this.deps.hub.subscribe(
      this.session.user.id,
      lastEventId,
      (e) => this.send(e),
      () => this.end(),
    )
    if (this.finished) this.cleanup()
  }

  /** Ends the response; the browser reconnects after `retry` unless told otherwise. */
  end(): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end()
    this.cleanup()
  }

  private send(e: DeliveredEvent): void {
    const id = e.id === LIVE_ONLY_ID ? '' : `id: ${e.id}\n`
    this.write(`${id}event: ${e.event.type}\ndata: ${JSON.stringify(e.event.data)}\n\n`)
  }

  private ping(): void {
    // Sessions expire while a stream is open (it does not count as activity): check now and then.
    if (this.deps.sessions.isLiveId(this.sessionId)) this.write(': ping\n\n')
    else this.end()
  }

  private write(chunk: string): void {
    const { res } = this
    if (this.finished || res.writableEnded || res.destroyed) return
    try {
      res.write(chunk)
    } catch {
      // The client went away mid-write; 'close' follows, but don't wait for it.
      this.cleanup()
      return
    }
    const max = this.deps.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
    if (res.writableLength > max) res.destroy()
  }

  private cleanup(): void {
    if (this.finished) {
      // subscribe() may have replayed into a stream that had already ended.
      this.unsubscribe?.()
      return
    }
    this.finished = true
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.unsubscribe?.()
    this.onFinished()
  }
}
