/**
 * The real SharedWorker (client/feed/feed-worker.ts) against a real SSE endpoint
 * on this origin (sse-test-endpoint.mjs): one stream for several clients, resume
 * with Last-Event-ID after a drop and with ?lastEventId= after a fresh start.
 */
import { expect, waitUntil } from '@open-wc/testing'
import {
  createFeedClient,
  type FeedState,
  type LiveFeed,
  lastEventIdKey,
} from '../../client/feed/index.ts'
import type { DeliveredEvent } from '../../shared/events.ts'
import { unique } from './helpers.ts'
import { describe, it } from './mocha.ts'

interface Stats {
  open: number
  connections: { header: string | null; query: string | null }[]
}

function endpoint(stream: string) {
  const call = async (path: string, params: Record<string, string> = {}) => {
    const query = new URLSearchParams({ stream, ...params })
    return (await fetch(`/__sse/${path}?${query}`)).json()
  }
  return {
    url: `/__sse/events?stream=${encodeURIComponent(stream)}`,
    stats: () => call('stats') as Promise<Stats>,
    emit: (event: string, data: unknown, id?: number) =>
      call('emit', {
        event,
        data: JSON.stringify(data),
        ...(id === undefined ? {} : { id: String(id) }),
      }),
    drop: () => call('drop'),
  }
}

function memory(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries))
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  }
}

function record(feed: LiveFeed): DeliveredEvent[] {
  const seen: DeliveredEvent[] = []
  feed.subscribe((event) => seen.push(event))
  return seen
}

const reaches = (feed: LiveFeed, state: FeedState) =>
  waitUntil(() => feed.state === state, `feed ${state}`)

const worklistEvent = (accession: string) => ({ accession, change: 'updated' })

describe('feed SharedWorker against an SSE endpoint', () => {
  it('serves several clients over one stream, and resumes with Last-Event-ID after a drop', async () => {
    const sse = endpoint(unique('stream'))
    const options = {
      userId: unique('u'),
      url: sse.url,
      workerName: unique('feed'),
      storage: memory(),
    }
    const a = createFeedClient(options)
    const b = createFeedClient(options)
    expect(a.mode).to.equal('shared-worker')
    await reaches(a, 'open')
    await reaches(b, 'open')
    expect(await sse.stats()).to.deep.equal({
      open: 1,
      connections: [{ header: null, query: null }],
    })

    const seenA = record(a)
    const seenB = record(b)
    await sse.emit('worklist', worklistEvent('A1'), 5)
    await waitUntil(() => seenA.length === 1 && seenB.length === 1, 'both clients got event 5')
    expect(seenA[0]).to.deep.equal({
      id: 5,
      event: { type: 'worklist', data: worklistEvent('A1') },
    })

    await sse.drop()
    await waitUntil(
      async () => (await sse.stats()).open === 1 && (await sse.stats()).connections.length === 2,
      'reconnected',
    )
    expect((await sse.stats()).connections[1]!.header).to.equal('5')
    await sse.emit('worklist', worklistEvent('A2'), 6)
    await waitUntil(() => seenB.length === 2, 'event 6 after the reconnect')
    expect(seenB.map((e) => e.id)).to.deep.equal([5, 6])

    a.stop()
    await reaches(b, 'closed')
    await waitUntil(async () => (await sse.stats()).open === 0, 'stream closed on sign-out')
    b.close()
  })

  it('on a fresh start resumes after the id stored for the user', async () => {
    const sse = endpoint(unique('stream'))
    const userId = unique('u')
    const feed = createFeedClient({
      userId,
      url: sse.url,
      workerName: unique('feed'),
      storage: memory({ [lastEventIdKey(userId)]: '17' }),
    })
    await reaches(feed, 'open')
    expect((await sse.stats()).connections).to.deep.equal([{ header: null, query: '17' }])
    feed.stop()
    await waitUntil(async () => (await sse.stats()).open === 0, 'closed')
  })

  it('reports a refused stream as closed (and keeps retrying in the background)', async () => {
    const sse = endpoint(unique('stream'))
    const feed = createFeedClient({
      userId: unique('u'),
      url: `${sse.url}&fail=1`,
      workerName: unique('feed'),
      storage: memory(),
    })
    await reaches(feed, 'closed')
    expect((await sse.stats()).connections).to.have.length(1)
    feed.close()
  })
})
