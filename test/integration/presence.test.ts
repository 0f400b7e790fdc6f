/**
 * Presence through a real server and stock clients (S1–S4) and the live feed
 * over real Server-Sent Events (S28). Waits on awareness changes and feed
 * events, never on a fixed time; S4's awareness timeout is crossed by moving
 * the server's injected clock.
 */
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import type { FeedEvent, PresenceEntry } from '../../server/events/types.ts'
import type { StudyRecord } from '../../server/registry/types.ts'
import { type Api, api } from '../support/api.ts'
import { connectClient, type TestClient, whenSynced } from '../support/clients.ts'
import { type FeedWatch, watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

/** The server's clock, movable forward (S4's awareness timeout). */
const clock = { offset: 0, now: () => Date.now() + clock.offset }

let t: TestServer
const tokens: Record<string, string> = {}
const as: Record<string, Api> = {}
const clients: TestClient[] = []
const feeds: FeedWatch[] = []
const taken = new Set<string>()

beforeAll(async () => {
  t = await startTestServer({ clock })
  for (const user of ['bose', 'huyen', 'admin', 'perf']) {
    tokens[user] = await t.login(user)
    as[user] = api(t.url, tokens[user]!)
  }
})
afterAll(async () => {
  for (const f of feeds) f.stop()
  for (const c of clients) c.destroy()
  await t.close()
})

function pickStudy(predicate: (s: StudyRecord) => boolean = () => true): string {
  const study = t.registry
    .read()
    .studies.find((s) => !taken.has(s.accession) && s.lifecycle === 'active' && predicate(s))
  if (!study) throw new Error('no demo study left for this test')
  taken.add(study.accession)
  return study.accession
}

function feedOf(user: string): FeedWatch {
  const feed = watchFeed(t.server.hub, `u-${user}`)
  feeds.push(feed)
  return feed
}

type PresenceEvent = Extract<FeedEvent, { type: 'presence' }>

/** The next presence event for the study (received after this call) whose entries satisfy `predicate`. */
function nextPresence(
  feed: FeedWatch,
  accession: string,
  predicate: (entries: PresenceEntry[]) => boolean,
): Promise<PresenceEntry[]> {
  const earlier = new Set(feed.events.map((d) => d.event))
  return feed
    .event(
      (e) =>
        !earlier.has(e) &&
        e.type === 'presence' &&
        e.data.subject.id === accession &&
        predicate(e.data.entries),
    )
    .then((e) => (e as PresenceEvent).data.entries)
}

interface Arrival {
  client: TestClient
  openedAt: string
}

/** Opens the study like the app does: REST open, then the form's sync connection, with nothing published yet. */
async function arrive(user: string, accession: string): Promise<TestClient> {
  const opened = await as[user]!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })
  expect(opened.status).toBe(200)
  const client = connectClient(t.wsUrl, `study/${accession}`, tokens[user]!)
  clients.push(client)
  await whenSynced(client)
  return client
}

function publish(client: TestClient, mode: 'viewing' | 'editing' = 'viewing'): Arrival {
  const openedAt = new Date(clock.now() - 1).toISOString()
  client.provider.awareness.setLocalState({ mode, view: 'info', openedAt })
  return { client, openedAt }
}

/** Resolves once one of the client's awareness states satisfies `predicate`. */
function untilAwareness(
  client: TestClient,
  predicate: (state: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const awareness = client.provider.awareness
  const find = () => [...awareness.getStates().values()].find(predicate)
  return new Promise((resolve) => {
    const check = () => {
      const state = find()
      if (!state) return
      awareness.off('change', check)
      resolve(state)
    }
    awareness.on('change', check)
    check()
  })
}

const named = (name: string) => (e: PresenceEntry) => e.user.name === name

describe('who else is here', () => {
  it('[S1] huyen opens a study bose has open: she sees at once that BOSE is there, since when and viewing', async () => {
    const accession = pickStudy()
    const bose = publish(await arrive('bose', accession))
    const huyen = await arrive('huyen', accession)
    const state = await untilAwareness(
      huyen,
      (s) => (s.user as { name?: string } | undefined)?.name === 'BOSE' && s.view === 'info',
    )
    expect(state.user).toEqual({ id: 'u-bose', name: 'BOSE', role: 'radiologist' })
    expect(state.mode).toBe('viewing')
    expect(state.openedAt).toBe(bose.openedAt)
  })

  it('[S2] bose, who was there first, is told that huyen arrived within 1 s (presence event on his feed)', async () => {
    const accession = pickStudy()
    const boseFeed = feedOf('bose')
    publish(await arrive('bose', accession))
    const huyen = await arrive('huyen', accession)
    const told = nextPresence(boseFeed, accession, (entries) =>
      entries.some((e) => e.user.name === 'HUYEN' && e.view === 'info'),
    )
    const start = performance.now()
    const { openedAt } = publish(huyen)
    const entries = await told
    const elapsedMs = performance.now() - start
    console.info(
      `[S2] huyen's awareness publish → bose's presence event: ${elapsedMs.toFixed(1)} ms`,
    )
    expect(elapsedMs).toBeLessThan(1000)
    const entry = entries.find(named('HUYEN'))!
    expect(entry).toMatchObject({
      mode: 'viewing',
      view: 'info',
      since: openedAt,
      connection: 'live',
    })
    expect(entries.some(named('BOSE'))).toBe(true)
  })

  it('[S3] the worklist row has an Access column with both users, their view, mode and since; GET /api/v1/presence is for admins only', async () => {
    const accession = pickStudy()
    const boseFeed = feedOf('bose')
    const bose = publish(await arrive('bose', accession))
    const huyenClient = await arrive('huyen', accession)
    const told = nextPresence(boseFeed, accession, (entries) =>
      entries.some((e) => e.user.name === 'HUYEN' && e.view === 'info'),
    )
    const huyen = publish(huyenClient, 'editing')
    await told

    type Row = { accession: string; access: Record<string, unknown>[] }
    const { body } = await as.bose!.get<{ rows: Row[] }>('/api/v1/worklist')
    const access = body.rows.find((r) => r.accession === accession)!.access
    expect(access).toContainEqual(
      expect.objectContaining({
        name: 'BOSE',
        view: 'info',
        mode: 'viewing',
        since: bose.openedAt,
      }),
    )
    expect(access).toContainEqual(
      expect.objectContaining({
        name: 'HUYEN',
        view: 'info',
        mode: 'editing',
        since: huyen.openedAt,
      }),
    )

    const all = await as.admin!.get<{ entries: PresenceEntry[] }>('/api/v1/presence')
    expect(all.status).toBe(200)
    const here = all.body.entries.filter((e) => e.subject.id === accession)
    expect(here.map((e) => e.user.name).sort()).toEqual(['BOSE', 'HUYEN'])
    expect(here.every((e) => e.doc === `study/${accession}` && e.connection === 'live')).toBe(true)
    expect((await as.bose!.get('/api/v1/presence')).status).toBe(403)
  })

  it('[S4] a dropped connection shows as lost, then goes after the awareness timeout; a graceful close removes the entry at once', async () => {
    const accession = pickStudy()
    const boseFeed = feedOf('bose')
    publish(await arrive('bose', accession))
    const huyen = await arrive('huyen', accession)
    const perf = await arrive('perf', accession)
    const bothHere = nextPresence(boseFeed, accession, (entries) =>
      ['HUYEN', 'PERF'].every((name) =>
        entries.some((e) => e.user.name === name && e.view === 'info'),
      ),
    )
    publish(huyen)
    publish(perf)
    await bothHere

    // Abrupt: no close frame, and the provider must not reconnect.
    const lost = nextPresence(boseFeed, accession, (entries) =>
      entries.some((e) => e.user.name === 'HUYEN' && e.connection === 'lost'),
    )
    huyen.provider.shouldConnect = false
    ;(huyen.provider.ws as unknown as WebSocket).terminate()
    const afterDrop = await lost
    expect(afterDrop.find(named('BOSE'))?.connection).toBe('live')
    const listed = await as.admin!.get<{ entries: PresenceEntry[] }>('/api/v1/presence')
    expect(listed.body.entries).toContainEqual(
      expect.objectContaining({
        user: expect.objectContaining({ name: 'HUYEN' }),
        connection: 'lost',
      }),
    )

    // Graceful: the provider closes its socket with a close frame.
    const left = nextPresence(boseFeed, accession, (entries) => !entries.some(named('PERF')))
    perf.provider.destroy()
    const afterLeave = await left
    expect(afterLeave.find(named('HUYEN'))?.connection).toBe('lost')

    // The awareness timeout (30 s) passes.
    const gone = nextPresence(boseFeed, accession, (entries) => !entries.some(named('HUYEN')))
    clock.offset += 30_001
    t.server.presence.sweep()
    const afterTimeout = await gone
    expect(afterTimeout.map((e) => e.user.name)).toEqual(['BOSE'])
    const now = await as.admin!.get<{ entries: PresenceEntry[] }>('/api/v1/presence')
    expect(
      now.body.entries.filter((e) => e.subject.id === accession).map((e) => e.user.name),
    ).toEqual(['BOSE'])
  })
})

/** One SSE stream over fetch: frames parsed from the body as they arrive. */
interface SseFrame {
  id: string | null
  event: string
  data: unknown
}

function openStream(lastEventId?: string) {
  const abort = new AbortController()
  const frames: SseFrame[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {}
  const ready = fetch(`${t.url}/api/v1/events?token=${tokens.huyen}`, {
    headers,
    signal: abort.signal,
  }).then((res) => {
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    void pump(res.body!)
  })
  const notices = () => frames.filter((f) => f.event === 'notice')
  async function pump(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true })
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const frame = parseFrame(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (frame) frames.push(frame)
          end = buffer.indexOf('\n\n')
        }
        for (const w of [...waiters]) {
          if (notices().length >= w.count) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve()
          }
        }
      }
    } catch {
      // Aborted by the test.
    }
  }
  return {
    ready,
    notices,
    /** Resolves once `count` notices have arrived on this stream. */
    untilNotices(count: number): Promise<void> {
      if (notices().length >= count) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ count, resolve }))
    },
    close: () => abort.abort(),
  }
}

function parseFrame(text: string): SseFrame | null {
  let id: string | null = null
  let event = 'message'
  const data: string[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4)
    else if (line.startsWith('event: ')) event = line.slice(7)
    else if (line.startsWith('data: ')) data.push(line.slice(6))
  }
  return data.length > 0 ? { id, event, data: JSON.parse(data.join('\n')) } : null
}

describe('live feed over Server-Sent Events', () => {
  it('[S28] notices missed while disconnected arrive on reconnect with Last-Event-ID, exactly those, in order', async () => {
    const accession = pickStudy()
    const huyenFeed = feedOf('huyen')
    const viewer = connectClient(t.wsUrl, `study/${accession}`, tokens.huyen!)
    clients.push(viewer)
    await whenSynced(viewer)
    const bose = connectClient(t.wsUrl, `study/${accession}`, tokens.bose!)
    clients.push(bose)
    await whenSynced(bose)
    const priorities = ['STAT', 'URGENT', 'ROUTINE', 'CRITFIND', 'STAT'] as const
    const fields = bose.doc.getMap('fields')
    let issued = 0
    /** bose changes the priority; huyen (viewing the form) gets a notice. One at a time, so none coalesce. */
    async function change(): Promise<string> {
      const to = priorities[issued++]!
      if (fields.get('priority') === to) throw new Error('pick a different priority')
      const seen = new Set(huyenFeed.events.map((d) => d.event))
      fields.set('priority', to)
      await huyenFeed.event(
        (e) => !seen.has(e) && e.type === 'notice' && e.data.subject.id === accession,
      )
      return to
    }
    fields.set('priority', 'ROUTINE' === fields.get('priority') ? 'URGENT' : 'ROUTINE')
    await huyenFeed.notice((n) => n.subject.id === accession)

    const first = openStream()
    await first.ready
    const sent = [await change(), await change()]
    await first.untilNotices(2)
    const [a, b] = first.notices()
    expect(Number(b!.id)).toBeGreaterThan(Number(a!.id))
    expect([a, b].map((f) => (f!.data as { changes: { to: string }[] }).changes[0]!.to)).toEqual(
      sent,
    )
    first.close()

    const missed = [await change(), await change()]
    const second = openStream(b!.id!)
    await second.ready
    await second.untilNotices(2)
    const marker = await change() // live, after the replay: the replay ended before it
    await second.untilNotices(3)
    second.close()
    const got = second.notices()
    expect(got.map((f) => (f.data as { changes: { to: string }[] }).changes[0]!.to)).toEqual([
      ...missed,
      marker,
    ])
    const ids = got.map((f) => Number(f.id))
    expect(ids[0]).toBeGreaterThan(Number(b!.id))
    expect(ids[1]).toBeGreaterThan(ids[0]!)
    expect(ids[2]).toBeGreaterThan(ids[1]!)
  })
})
