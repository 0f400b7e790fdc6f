import { expect, waitUntil } from '@open-wc/testing'
import {
  createFeedClient,
  FeedHub,
  type FeedState,
  type LiveFeed,
  lastEventIdKey,
  type SharedWorkerConstructor,
} from '../../client/feed/index.ts'
import type { DeliveredEvent, Notice } from '../../shared/events.ts'
import { asEventSource, FakeEventSource, manualTimers } from './app-fakes.ts'
import { beforeEach, describe, it } from './mocha.ts'

const NOTICE: Notice = {
  kind: 'study.updated',
  tier: 'toast',
  subject: { type: 'study', id: 'A1' },
  by: { id: 'u-bose', name: 'BOSE' },
  at: '2026-11-22T14:02:31.000Z',
  text: 'Priority ROUTINE → STAT by BOSE at 14:02:31 on study A1',
}

function memory(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries))
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    map,
  }
}

function record(feed: LiveFeed): DeliveredEvent[] {
  const seen: DeliveredEvent[] = []
  feed.subscribe((event) => seen.push(event))
  return seen
}

function reaches(feed: LiveFeed, state: FeedState): Promise<void> {
  return waitUntil(() => feed.state === state, `feed ${state}`)
}

/** A SharedWorker stand-in: every instance is a port of the same in-page FeedHub. */
function fakeSharedWorker(hub: FeedHub) {
  const created: { url: string; options: WorkerOptions | undefined }[] = []
  class FakeSharedWorker {
    readonly port: MessagePort
    constructor(url: string | URL, options?: WorkerOptions) {
      const channel = new MessageChannel()
      hub.attach(channel.port2)
      this.port = channel.port1
      created.push({ url: String(url), options })
    }
  }
  return { Impl: FakeSharedWorker as unknown as SharedWorkerConstructor, created }
}

describe('live feed client', () => {
  beforeEach(() => FakeEventSource.reset())

  describe('direct fallback (no SharedWorker)', () => {
    const direct = (storage = memory(), timers = manualTimers()) =>
      createFeedClient({
        userId: 'u-bose',
        SharedWorkerImpl: null,
        EventSourceImpl: asEventSource,
        storage,
        timers,
      })

    it('opens /api/v1/events, parses events with their ids and remembers the last per user', async () => {
      const storage = memory()
      const feed = direct(storage)
      const seen = record(feed)
      expect(feed.mode).to.equal('direct')
      const source = FakeEventSource.last
      expect(new URL(source.url).pathname).to.equal('/api/v1/events')
      expect(new URL(source.url).searchParams.has('lastEventId')).to.equal(false)
      expect(feed.state).to.equal('connecting')
      source.open()
      expect(feed.state).to.equal('open')

      source.send('notice', NOTICE, 5)
      source.send('presence', { subject: { type: 'study', id: 'A1' }, entries: [] })
      source.send('notice', '{not json', 6)
      source.send('surprise', { x: 1 }, 7)
      source.send('notice', NOTICE, 5)
      expect(seen).to.deep.equal([
        { id: 5, event: { type: 'notice', data: NOTICE } },
        {
          id: 0,
          event: { type: 'presence', data: { subject: { type: 'study', id: 'A1' }, entries: [] } },
        },
      ])
      expect(storage.map.get(lastEventIdKey('u-bose'))).to.equal('5')
      expect(feed.lastEventId).to.equal(5)
    })

    it('resumes after the id this browser last saw for the user', () => {
      direct(memory({ [lastEventIdKey('u-bose')]: '41' }))
      expect(new URL(FakeEventSource.last.url).searchParams.get('lastEventId')).to.equal('41')
    })

    it('lets the browser retry a dropped stream, and retries a refused one itself with the last id', async () => {
      const timers = manualTimers()
      const feed = direct(memory(), timers)
      const states: FeedState[] = []
      feed.onState((state) => states.push(state))
      const first = FakeEventSource.last
      first.open()
      first.send('worklist', { accession: 'A1', change: 'updated' }, 9)
      first.fail(false)
      expect(FakeEventSource.instances).to.have.length(1)
      expect(timers.pending).to.deep.equal([])
      first.open()
      first.fail(true)
      expect(first.closed).to.equal(true)
      expect(timers.pending).to.have.length(1)
      expect(timers.pending[0]).to.be.below(2000)
      timers.runAll()
      expect(new URL(FakeEventSource.last.url).searchParams.get('lastEventId')).to.equal('9')
      FakeEventSource.last.open()
      expect(states).to.deep.equal(['open', 'connecting', 'open', 'closed', 'connecting', 'open'])
      feed.close()
      expect(FakeEventSource.last.closed).to.equal(true)
      expect(feed.state).to.equal('closed')
    })
  })

  describe('SharedWorker: one stream for every tab', () => {
    let hub: FeedHub
    beforeEach(() => {
      hub = new FeedHub({
        baseUrl: location.href,
        EventSourceImpl: asEventSource,
        timers: manualTimers(),
      })
    })
    const tab = (worker: SharedWorkerConstructor, userId = 'u-bose') =>
      createFeedClient({ userId, SharedWorkerImpl: worker, storage: memory() })

    it('starts the worker module by name and relays the one stream to every tab', async () => {
      const { Impl, created } = fakeSharedWorker(hub)
      const a = tab(Impl)
      await waitUntil(() => FakeEventSource.instances.length === 1, 'stream started')
      const b = tab(Impl)
      expect(a.mode).to.equal('shared-worker')
      expect(created[0]!.url).to.match(/\/client\/feed\/feed-worker\.ts$/)
      expect(created[0]!.options).to.deep.equal({ type: 'module', name: 'studysync-feed' })
      FakeEventSource.last.open()
      await reaches(a, 'open')
      await reaches(b, 'open')
      const seenA = record(a)
      const seenB = record(b)
      FakeEventSource.last.send('notice', NOTICE, 12)
      await waitUntil(() => seenA.length === 1 && seenB.length === 1, 'both tabs got it')
      expect(seenB[0]).to.deep.equal({ id: 12, event: { type: 'notice', data: NOTICE } })
      expect(FakeEventSource.instances, 'still one stream').to.have.length(1)
    })

    it('keeps the stream while a tab remains, and frees it when the last one leaves', async () => {
      const { Impl } = fakeSharedWorker(hub)
      const a = tab(Impl)
      const b = tab(Impl)
      await waitUntil(
        () => hub.portCount === 2 && FakeEventSource.instances.length === 1,
        'both attached',
      )
      a.close()
      await waitUntil(() => hub.portCount === 1, 'a left')
      expect(FakeEventSource.last.closed).to.equal(false)
      b.close()
      await waitUntil(() => FakeEventSource.last.closed, 'stream closed with the last tab')
    })

    it('stop (sign-out) ends the stream for every tab', async () => {
      const { Impl } = fakeSharedWorker(hub)
      const a = tab(Impl)
      const b = tab(Impl)
      await waitUntil(() => FakeEventSource.instances.length === 1, 'stream started')
      FakeEventSource.last.open()
      await reaches(b, 'open')
      a.stop()
      await reaches(b, 'closed')
      expect(FakeEventSource.last.closed).to.equal(true)
    })

    it('restarts for another user, resuming from where that user left off in this worker', async () => {
      const { Impl } = fakeSharedWorker(hub)
      const a = tab(Impl, 'u-bose')
      await waitUntil(() => FakeEventSource.instances.length === 1, 'bose stream')
      FakeEventSource.last.open()
      FakeEventSource.last.send('notice', NOTICE, 30)
      await waitUntil(() => a.lastEventId === 30, 'bose saw 30')
      a.stop()
      tab(Impl, 'u-huyen')
      await waitUntil(() => FakeEventSource.instances.length === 2, 'huyen stream')
      expect(new URL(FakeEventSource.last.url).searchParams.has('lastEventId')).to.equal(false)
      tab(Impl, 'u-bose')
      await waitUntil(() => FakeEventSource.instances.length === 3, 'bose again')
      expect(new URL(FakeEventSource.last.url).searchParams.get('lastEventId')).to.equal('30')
    })
  })
})
