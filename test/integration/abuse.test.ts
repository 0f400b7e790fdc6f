/**
 * Abuse (issue 8 §4): slow readers, slowloris, floods before and after sign-in,
 * oversized messages and documents, one user asking for thousands of rooms, and
 * reconnect storms. Each is bounded by a limit (server/config.ts Limits), counted
 * in /metrics (studysync_limit_hits_total, studysync_closes_total), and leaves
 * honest clients working.
 */
import { type Socket, connect as tcpConnect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type * as Y from 'yjs'
import type { Limits } from '../../server/config.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { metricValue } from '../support/metrics.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { RawSyncClient, stateVectorOf } from '../support/sync-client.ts'

const MAX_BUFFERED = 256 * 1024

let t: TestServer
const clients: RawSyncClient[] = []

beforeAll(async () => {
  t = await startTestServer({
    config: { roomIdleMs: 20, limits: { maxMessageBytes: 256 * 1024 } },
  })
})
afterAll(async () => {
  for (const c of clients) c.terminate()
  await t.close()
})

function client(docName: string, token: string, savedAck = false): RawSyncClient {
  const c = new RawSyncClient({ docName, token, savedAck })
  clients.push(c)
  return c
}

/** A server of its own, for limits that would get in the way of the other tests. */
async function ownServer(limits: Partial<Limits>): Promise<TestServer> {
  const own = await startTestServer({ config: { limits } })
  servers.push(own)
  return own
}
const servers: TestServer[] = []
afterAll(async () => {
  for (const s of servers) await s.close()
})

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue(await t.server.metrics.registry.metrics(), name, labels)
}

/** Opens a raw socket and resolves with its close event (after `onOpen`, if it opens). */
function closeOf(path: string, onOpen?: (ws: WebSocket) => void) {
  const ws = new WebSocket(`${t.wsUrl}${path}`)
  ws.on('error', () => {})
  if (onOpen) ws.on('open', () => onOpen(ws))
  return new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
}

/** An honest edit still travels from one client to another. */
async function honestEditFlows(docName: string): Promise<void> {
  const [a, b] = [client(docName, await t.login('huyen')), client(docName, await t.login('perf'))]
  await Promise.all([a.connect(t.wsUrl), b.connect(t.wsUrl)])
  a.doc.getMap('fields').set('bodyPart', `HONEST ${Math.random()}`)
  await b.whenHas(stateVectorOf(a.doc))
  expect(b.doc.getMap('fields').get('bodyPart')).toBe(a.doc.getMap('fields').get('bodyPart'))
}

describe('slow clients', () => {
  it('a client that stops reading is dropped with 4429 "too slow" once maxBufferedBytes is queued for it; the writer and other readers carry on', async () => {
    // A high message rate, so that only the slow reader's limit is in play.
    const s = await ownServer({
      maxBufferedBytes: MAX_BUFFERED,
      messagesPerSecond: 100_000,
      messageBurst: 100_000,
    })
    const slowToken = await s.login('tech')
    const slow = new WebSocket(`${s.wsUrl}/sync/study/A10160?token=${slowToken}`)
    slow.on('error', () => {})
    await new Promise((resolve) => slow.once('open', resolve))
    const serverSide = [...s.server.sync.connections].find((c) => c.userId === 'u-tech')!
    const socket = (slow as unknown as { _socket: Socket })._socket
    socket.pause() // reads nothing more: kernel buffers fill, then the server's queue grows
    const writer = client('study/A10160', await s.login('bose'), true)
    const reader = client('study/A10160', await s.login('huyen'))
    await Promise.all([writer.connect(s.wsUrl), reader.connect(s.wsUrl)])
    const notes = writer.doc.getMap('fields').get('notes') as Y.Text
    const tooSlow = async () =>
      metricValue(await s.server.metrics.registry.metrics(), 'studysync_limit_hits_total', {
        limit: 'too slow',
      })
    let peak = 0
    // Each round broadcasts ~15 KB; paced by saved acks so the writer stays within its own limits.
    for (let i = 0; i < 4000 && !serverSide.isClosed; i++) {
      notes.insert(0, 'x'.repeat(15_000))
      notes.delete(0, 15_000)
      peak = Math.max(peak, serverSide.socket.bufferedAmount)
      await writer.whenAcked()
    }
    expect(serverSide.isClosed).toBe(true)
    // Bounded: never more than the limit plus the one message that crossed it.
    expect(peak).toBeLessThanOrEqual(MAX_BUFFERED + 64 * 1024)
    expect(await tooSlow()).toBe(1)
    expect(writer.open && reader.open).toBe(true)
    await reader.whenHas(stateVectorOf(writer.doc))
    // Reading again, the slow client finds the close frame behind what was queued.
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    socket.resume()
    expect(await closed).toEqual({ code: CloseCode.tooManyMessages, reason: 'too slow' })
  }, 30_000)
})

describe('slowloris', () => {
  it('an upgrade whose headers never finish is cut off after headersTimeout (408), without touching a document', async () => {
    const s = await ownServer({ headersTimeoutMs: 500 })
    const socket = tcpConnect(Number(new URL(s.url).port), '127.0.0.1')
    socket.write('GET /sync/study/A10161 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n')
    // Keep trickling header bytes: each is progress, none completes the request.
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50)
    let answer = ''
    socket.on('data', (d) => {
      answer += d
    })
    const started = Date.now()
    await new Promise((resolve) => socket.once('close', resolve))
    clearInterval(trickle)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(s.server.rooms.loadedCount).toBe(0)
  })
})

describe('floods', () => {
  it('before sign-in: 500 upgrades without a session are all refused 4401, no document is loaded, and the server keeps serving', async () => {
    const loaded = t.server.rooms.loadedCount
    const refusedBefore = await metric('studysync_closes_total', { code: '4401' })
    const closes = await Promise.all(
      Array.from({ length: 500 }, (_, i) => closeOf(`/sync/study/A1${String(i).padStart(4, '0')}`)),
    )
    expect(new Set(closes.map((c) => c.code))).toEqual(new Set([CloseCode.notAuthenticated]))
    expect(t.server.rooms.loadedCount).toBe(loaded)
    expect(await metric('studysync_closes_total', { code: '4401' })).toBe(refusedBefore + 500)
    await honestEditFlows('study/A10162')
  })

  it('sign-in flood: wrong passwords lock the account out (429 + Retry-After), counted as a limit hit', async () => {
    const before = await metric('studysync_limit_hits_total', { limit: 'locked_out' })
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${t.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'trans', password: `guess-${i}` }),
      })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true)
    expect(await metric('studysync_limit_hits_total', { limit: 'locked_out' })).toBe(before + 7)
  })

  it('after sign-in: a message flood closes that connection with 4429, counted; other clients keep working', async () => {
    const before = await metric('studysync_limit_hits_total', { limit: 'too many messages' })
    const token = await t.login('bose')
    const closed = closeOf(`/sync/study/A10163?token=${token}`, (ws) => {
      for (let i = 0; i < 2000; i++) ws.send(new Uint8Array([3])) // query-awareness, cheap and valid
    })
    expect(await closed).toEqual({ code: CloseCode.tooManyMessages, reason: 'too many messages' })
    expect(await metric('studysync_limit_hits_total', { limit: 'too many messages' })).toBe(
      before + 1,
    )
    await honestEditFlows('study/A10163')
  })

  it('HTTP bodies over the limit are refused with 413 before being read whole, counted, and the connection is closed', async () => {
    const before = await metric('studysync_limit_hits_total', { limit: 'too_large' })
    const res = await fetch(`${t.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(2 * 1024 * 1024) }),
    })
    expect(res.status).toBe(413)
    // The unread rest of the body must not poison the kept-alive connection (it used to:
    // the next request on it hung ~5 s, then failed with ECONNRESET).
    expect(res.headers.get('connection')).toBe('close')
    await res.text()
    for (let i = 0; i < 4; i++) expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
    expect(await metric('studysync_limit_hits_total', { limit: 'too_large' })).toBe(before + 1)
  })
})

describe('oversized messages and documents', () => {
  it('a message over maxMessageBytes closes with 4413, counted, and nothing of it is applied', async () => {
    const before = await metric('studysync_limit_hits_total', { limit: 'message too large' })
    const writer = client('study/A10164', await t.login('bose'))
    await writer.connect(t.wsUrl)
    const closed = writer.whenClosed()
    ;(writer.doc.getMap('fields').get('notes') as Y.Text).insert(0, 'n'.repeat(300 * 1024))
    expect(await closed).toEqual({ code: CloseCode.messageTooLarge, reason: 'message too large' })
    const room = await t.server.rooms.with('study/A10164', (r) => r)
    expect(room.doc.getMap('fields').get('notes')!.toString().length).toBeLessThan(1000)
    expect(await metric('studysync_limit_hits_total', { limit: 'message too large' })).toBe(
      before + 1,
    )
  })

  it('a frame over ws’s own payload cap (ws would answer 1009) closes with 4413 too, counted once', async () => {
    const before = await metric('studysync_limit_hits_total', { limit: 'message too large' })
    const token = await t.login('bose')
    const ws = new WebSocket(`${t.wsUrl}/sync/study/A10166?token=${token}`)
    ws.on('error', () => {})
    await new Promise((resolve) => ws.once('message', resolve))
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, reason) => resolve([code, reason.toString()])),
    )
    // Over maxMessageBytes + 64 KiB: ws's receiver refuses it before Connection sees it.
    ws.send(new Uint8Array(256 * 1024 + 64 * 1024 + 1))
    expect(await closed).toEqual([CloseCode.messageTooLarge, 'message too large'])
    expect(await metric('studysync_limit_hits_total', { limit: 'message too large' })).toBe(
      before + 1,
    )
  })

  it('growing a text field past its schema length is refused (4409) even in small steps', async () => {
    const writer = client('study/A10165', await t.login('bose'))
    await writer.connect(t.wsUrl)
    const notes = writer.doc.getMap('fields').get('notes') as Y.Text
    const closed = writer.whenClosed()
    for (let i = 0; i < 30 && writer.open; i++) notes.insert(notes.length, 'z'.repeat(1000))
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    const room = await t.server.rooms.with('study/A10165', (r) => r)
    expect(room.doc.getMap('fields').get('notes')!.toString().length).toBeLessThanOrEqual(20_000)
  })
})

describe('one user asking for thousands of rooms', () => {
  it('one session gets at most maxConnectionsPerSession (64) open at once; the rest are refused 4429 before any document loads; the slots come back when they close', async () => {
    const token = await t.login('perf')
    const before = await metric('studysync_limit_hits_total', { limit: 'too many connections' })
    const sockets: WebSocket[] = []
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const doc = `study/A${10001 + (i % 200)}${i < 200 ? '' : i < 400 ? '/state' : ''}`
        const ws = new WebSocket(`${t.wsUrl}/sync/${doc}?token=${token}`)
        sockets.push(ws)
        ws.on('error', () => {})
        // A refused upgrade opens and closes at once; an admitted one gets the server's step 1.
        return new Promise<'open' | number>((resolve) => {
          ws.once('message', () => resolve('open'))
          ws.once('close', (code) => resolve(code))
        })
      }),
    )
    const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN)
    expect(outcomes.filter((o) => o === 'open').length).toBe(64)
    expect(open.length).toBe(64)
    expect(outcomes.filter((o) => o === CloseCode.tooManyMessages).length).toBe(1000 - 64)
    expect(t.server.rooms.loadedCount).toBeLessThanOrEqual(64 + 20)
    expect(await metric('studysync_limit_hits_total', { limit: 'too many connections' })).toBe(
      before + 1000 - 64,
    )
    await Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve).close())))
    const again = client('study/A10166', token)
    await again.connect(t.wsUrl)
  }, 30_000)
})

describe('reconnect storms', () => {
  it('200 clients reconnecting 5 times over 10 documents: every round syncs, then connections and rooms drain to zero', async () => {
    const tokens = await Promise.all(['bose', 'huyen', 'perf', 'tech'].map((u) => t.login(u)))
    const storm = Array.from({ length: 200 }, (_, i) =>
      client(`study/A${10170 + (i % 10)}`, tokens[i % tokens.length]!),
    )
    for (let round = 0; round < 5; round++) {
      await Promise.all(storm.map((c) => c.connect(t.wsUrl)))
      // Alternately a clean close and a dropped connection.
      for (const c of storm) {
        if (round % 2) c.terminate()
        else c.disconnect()
      }
      await Promise.all(storm.map((c) => c.whenClosed()))
    }
    for (const c of clients.splice(0)) c.terminate()
    await Promise.all(
      (await t.server.rooms.loadedRooms())
        .filter((room) => !room.doc.isDestroyed)
        .map((room) => new Promise((resolve) => room.doc.once('destroy', resolve))),
    )
    expect(t.server.sync.connections.size).toBe(0)
    expect(await metric('studysync_connections')).toBe(0)
    expect(t.server.rooms.loadedCount).toBe(0)
    await honestEditFlows('study/A10180')
  }, 30_000)
})
