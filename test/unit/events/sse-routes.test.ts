/**
 * GET /api/v1/events over a real node:http server on port 0 (API.md "Live
 * feed"): frames, auth, resume with Last-Event-ID (S28), heartbeats, and
 * clean-up however a stream ends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EventHub } from '../../../server/events/hub.ts'
import { eventRoutes } from '../../../server/events/sse-routes.ts'
import type { DeliveredEvent, FeedEvent } from '../../../server/events/types.ts'
import { Router } from '../../../server/http/router.ts'
import type { UserRecord } from '../../../server/registry/types.ts'
import { FakeClock } from './fake-clock.ts'
import {
  type RouterServer,
  type SseFrame,
  SseReader,
  startRouterServer,
  type TestSessions,
  testSessions,
} from './http-harness.ts'

/** An EventHub that lets a test await its subscriber count (the server side of a stream). */
class ObservedHub extends EventHub {
  private readonly waiters = new Set<() => void>()

  override subscribe(
    userId: string,
    lastEventId: number | null,
    send: (e: DeliveredEvent) => void,
    onClose?: () => void,
  ): () => void {
    const unsubscribe = super.subscribe(userId, lastEventId, send, onClose)
    this.changed()
    return () => {
      unsubscribe()
      this.changed()
    }
  }

  whenSubscribers(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.subscriberCount() !== count) return
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
      check()
    })
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

function worklist(accession: string): FeedEvent {
  return { type: 'worklist', data: { accession, change: 'updated' } }
}

function accessionOf(frame: SseFrame): string {
  return (JSON.parse(frame.data ?? 'null') as { accession: string }).accession
}

let clock: FakeClock
let hub: ObservedHub
let auth: TestSessions
let server: RouterServer
let bose: UserRecord
let boseToken: string
let boseSession: string
let heartbeatMs: number

async function start(options: { heartbeatMs?: number; maxSubscribersPerUser?: number } = {}) {
  hub = new ObservedHub({ clock, maxSubscribersPerUser: options.maxSubscribersPerUser })
  const router = new Router()
  eventRoutes(router, {
    hub,
    sessions: auth.sessions,
    allowedOrigins: [],
    heartbeatMs: options.heartbeatMs ?? heartbeatMs,
  })
  server = await startRouterServer(router)
}

function feed(query = '', headers: Record<string, string> = {}): Promise<SseReader> {
  return SseReader.open(`${server.url}/api/v1/events${query}`, headers)
}

function boseFeed(headers: Record<string, string> = {}): Promise<SseReader> {
  return feed('', { authorization: `Bearer ${boseToken}`, ...headers })
}

/** Opens a feed and waits until the server has subscribed it. */
async function connected(
  open: () => Promise<SseReader>,
  expectedSubscribers = 1,
): Promise<SseReader> {
  const reader = await open()
  await hub.whenSubscribers(expectedSubscribers)
  return reader
}

const readers: SseReader[] = []
function track(reader: SseReader): SseReader {
  readers.push(reader)
  return reader
}

beforeEach(async () => {
  clock = new FakeClock(1_700_000_000_000)
  heartbeatMs = 60_000
  auth = testSessions(clock)
  bose = await auth.addUser('bose', 'radiologist')
  const login = await auth.login(bose)
  boseToken = login.token
  boseSession = login.sessionId
})

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close()
  hub.close()
  await server.close()
})

describe('GET /api/v1/events', () => {
  it('streams with the SSE headers, a retry line first, then events with ids', async () => {
    await start()
    const reader = track(await connected(() => boseFeed()))
    expect(reader.response.status).toBe(200)
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream')
    expect(reader.response.headers.get('cache-control')).toBe('no-store')
    expect(reader.response.headers.get('x-accel-buffering')).toBe('no')
    expect(await reader.next()).toEqual({ retry: 3000, comments: [] })

    const published = hub.publish('bose', worklist('56365'))
    const frame = await reader.nextEvent()
    expect(frame).toEqual({
      id: String(published.id),
      event: 'worklist',
      data: JSON.stringify({ accession: '56365', change: 'updated' }),
      comments: [],
    })
  })

  it('[S28] a client that reconnects with Last-Event-ID gets exactly what it missed, in order', async () => {
    await start()
    const first = track(await connected(() => boseFeed()))
    hub.publish('bose', worklist('A'))
    hub.publish('bose', worklist('B'))
    const seen = await first.events(2)
    expect(seen.map(accessionOf)).toEqual(['A', 'B'])

    first.close() // the tablet goes offline
    await hub.whenSubscribers(0)
    hub.publish('bose', worklist('C'))
    hub.publish('huyen', worklist('not for bose'))
    clock.advance(1000)
    hub.publish('bose', worklist('D'))

    const lastSeen = seen.at(-1)!.id!
    const again = track(await connected(() => boseFeed({ 'last-event-id': lastSeen })))
    hub.publish('bose', worklist('E'))
    const frames = await again.events(3)
    expect(frames.map(accessionOf)).toEqual(['C', 'D', 'E'])
    const ids = frames.map((f) => Number(f.id))
    expect(ids[0]).toBeGreaterThan(Number(lastSeen))
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
  })

  it('[S28] resumes from ?lastEventId= with the token in the query (EventSource cannot set headers)', async () => {
    await start()
    const a = hub.publish('bose', worklist('A'))
    hub.publish('bose', worklist('B'))
    const reader = track(
      await connected(() => feed(`?token=${encodeURIComponent(boseToken)}&lastEventId=${a.id}`)),
    )
    expect(reader.response.status).toBe(200)
    expect(accessionOf(await reader.nextEvent())).toBe('B')
  })

  it('a fresh stream (no last id) gets only what is published after it opened', async () => {
    await start()
    hub.publish('bose', worklist('before'))
    const reader = track(await connected(() => boseFeed()))
    hub.publish('bose', worklist('after'))
    expect(accessionOf(await reader.nextEvent())).toBe('after')
  })

  it('ignores a malformed Last-Event-ID', async () => {
    await start()
    hub.publish('bose', worklist('before'))
    const reader = track(await connected(() => boseFeed({ 'last-event-id': '12abc' })))
    hub.publish('bose', worklist('after'))
    expect(accessionOf(await reader.nextEvent())).toBe('after')
  })

  it('refuses without a token, or with a bad one, with 401 JSON', async () => {
    await start()
    const url = `${server.url}/api/v1/events`
    for (const res of [
      await fetch(url),
      await fetch(`${url}?token=nope`),
      await fetch(url, { headers: { authorization: 'Bearer nope' } }),
    ]) {
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ error: 'unauthenticated' })
    }
    expect(hub.subscriberCount()).toBe(0)
  })

  it('[S3] presence events (broadcastLive) carry no id line and do not move the resume point', async () => {
    await start()
    const reader = track(await connected(() => boseFeed()))
    const a = hub.publish('bose', worklist('A'))
    hub.broadcastLive({
      type: 'presence',
      data: { subject: { type: 'study', id: 'A' }, entries: [] },
    })
    const [notice, presence] = await reader.events(2)
    expect(notice!.id).toBe(String(a.id))
    expect(presence).toEqual({
      event: 'presence',
      data: JSON.stringify({ subject: { type: 'study', id: 'A' }, entries: [] }),
      comments: [],
    })
  })

  it('sends heartbeat comments', async () => {
    await start({ heartbeatMs: 5 })
    const reader = track(await connected(() => boseFeed()))
    for (;;) {
      const frame = await reader.next()
      if (frame?.comments.includes('ping')) break
    }
  })

  it('ends the stream when the session is revoked', async () => {
    await start()
    const reader = track(await connected(() => boseFeed()))
    await auth.sessions.revoke(boseSession)
    await reader.ended()
    await hub.whenSubscribers(0)
  })

  it('ends the stream at the next heartbeat once the session has expired', async () => {
    await start({ heartbeatMs: 5 })
    const reader = track(await connected(() => boseFeed()))
    clock.advance(2 * 60 * 60 * 1000)
    await reader.ended()
    await hub.whenSubscribers(0)
  })

  it('ends streams when the hub closes (shutdown)', async () => {
    await start()
    const reader = track(await connected(() => boseFeed()))
    hub.close()
    await reader.ended()
  })

  it('closes the oldest stream of a user beyond the per-user limit', async () => {
    await start({ maxSubscribersPerUser: 1 })
    const oldest = track(await connected(() => boseFeed()))
    const newest = track(await connected(() => boseFeed()))
    await oldest.ended()
    hub.publish('bose', worklist('A'))
    expect(accessionOf(await newest.nextEvent())).toBe('A')
  })

  it('survives a client that disconnects mid-write, and cleans up after it', async () => {
    await start()
    const reader = await connected(() => boseFeed())
    reader.close()
    const big = 'x'.repeat(64 * 1024)
    for (let i = 0; i < 200; i++) hub.publish('bose', worklist(`${i}${big}`))
    await hub.whenSubscribers(0)

    const next = track(await connected(() => boseFeed()))
    hub.publish('bose', worklist('still serving'))
    expect(accessionOf(await next.nextEvent())).toBe('still serving')
  })

  it('each user gets only their own events', async () => {
    await start()
    const huyen = await auth.addUser('huyen', 'radiologist')
    const { token } = await auth.login(huyen)
    const boseReader = track(await connected(() => boseFeed()))
    const huyenReader = track(
      await connected(() => feed('', { authorization: `Bearer ${token}` }), 2),
    )
    hub.publish('huyen', worklist('H'))
    hub.publish('bose', worklist('B'))
    expect(accessionOf(await boseReader.nextEvent())).toBe('B')
    expect(accessionOf(await huyenReader.nextEvent())).toBe('H')
  })
})
