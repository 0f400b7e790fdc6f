/**
 * A plain node:http server on 127.0.0.1:0 around one Router (errors mapped as
 * server/app.ts maps them), users and sessions over a MemoryRegistryStore,
 * and a small Server-Sent Events reader over fetch's body stream.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SessionService } from '../../../server/auth/sessions.ts'
import type { Clock } from '../../../server/clock.ts'
import { HttpError } from '../../../server/http/errors.ts'
import { sendJson } from '../../../server/http/request.ts'
import type { Router } from '../../../server/http/router.ts'
import { emptyRegistry, type UserRecord } from '../../../server/registry/types.ts'
import { MemoryRegistryStore } from '../../../server/storage/memory-registry.ts'
import type { Role } from '../../../shared/domain.ts'

export interface RouterServer {
  url: string
  close(): Promise<void>
}

export async function startRouterServer(router: Router): Promise<RouterServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = router.match(req.method ?? 'GET', url.pathname)
    if (match === null || match === 'method') return sendJson(res, 404, { error: 'not_found' })
    Promise.resolve()
      .then(() => match.handler({ req, res, url, params: match.params }))
      .catch((error) => {
        if (res.headersSent) return void res.destroy()
        if (error instanceof HttpError) return sendJson(res, error.status, error.toJSON())
        sendJson(res, 500, { error: 'internal', message: String(error) })
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export interface TestSessions {
  registry: MemoryRegistryStore
  sessions: SessionService
  addUser(id: string, role: Role): Promise<UserRecord>
  login(user: UserRecord): Promise<{ token: string; sessionId: string }>
}

export function testSessions(clock: Clock, ttlMs = 60 * 60 * 1000): TestSessions {
  const registry = new MemoryRegistryStore(emptyRegistry())
  const sessions = new SessionService(registry, clock, ttlMs)
  return {
    registry,
    sessions,
    async addUser(id, role) {
      const user: UserRecord = {
        id,
        username: id,
        name: id.toUpperCase(),
        role,
        privileges: [],
        passwordHash: 'unused',
        groups: [],
        disabled: false,
      }
      await registry.update((data) => {
        data.users.push(user)
      })
      return user
    },
    async login(user) {
      const { token, session } = await sessions.create(user, '127.0.0.1')
      return { token, sessionId: session.id }
    },
  }
}

export interface SseFrame {
  id?: string
  event?: string
  data?: string
  retry?: number
  comments: string[]
}

/** Reads SSE frames (blank-line separated blocks) as they arrive; no timers. */
export class SseReader {
  private buffer = ''
  private readonly decoder = new TextDecoder()

  private constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const abort = new AbortController()
    const response = await fetch(url, { headers, signal: abort.signal })
    if (!response.body) throw new Error('no body')
    return new SseReader(response, response.body.getReader(), abort)
  }

  /** The next frame, or null once the server ended the stream. */
  async next(): Promise<SseFrame | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        return parseFrame(block)
      }
      const { done, value } = await this.reader.read()
      if (done) return null
      this.buffer += this.decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
    }
  }

  /** The next frame that is an event (skipping retry-only blocks and comments). */
  async nextEvent(): Promise<SseFrame> {
    for (;;) {
      const frame = await this.next()
      if (frame === null) throw new Error('stream ended')
      if (frame.event !== undefined || frame.data !== undefined) return frame
    }
  }

  async events(count: number): Promise<SseFrame[]> {
    const frames: SseFrame[] = []
    while (frames.length < count) frames.push(await this.nextEvent())
    return frames
  }

  /** Resolves when the server ends the stream (events before that are skipped). */
  async ended(): Promise<void> {
    while ((await this.next()) !== null) {}
  }

  /** Disconnects, as a tablet losing the network would. */
  close(): void {
    this.abort.abort()
    this.reader.read().catch(() => {})
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { comments: [] }
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      frame.comments.push(line.slice(1).trim())
      continue
    }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id') frame.id = value
    else if (field === 'event') frame.event = value
    else if (field === 'data')
      frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`
    else if (field === 'retry') frame.retry = Number(value)
  }
  return frame
}
