/**
 * EventHub: per-user ids, replay buffers and live fan-out of the live feed
 * (API.md "Live feed"; SCENARIOS S28).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventHub, LIVE_ONLY_ID } from '../../../server/events/hub.ts'
import type { DeliveredEvent, FeedEvent } from '../../../server/events/types.ts'
import { FakeClock } from './fake-clock.ts'

function worklist(accession: string): FeedEvent {
  return { type: 'worklist', data: { accession, change: 'updated' } }
}

const presence: FeedEvent = {
  type: 'presence',
  data: { subject: { type: 'study', id: 'A1' }, entries: [] },
}

function accessions(events: DeliveredEvent[]): string[] {
  return events.map((e) => (e.event.type === 'worklist' ? e.event.data.accession : e.event.type))
}

function collector() {
  const got: DeliveredEvent[] = []
  return { got, send: (e: DeliveredEvent) => got.push(e) }
}

describe('EventHub ids', () => {
  it('are at least clock × 1000 and strictly increasing per user', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const hub = new EventHub({ clock })
    const a = hub.publish('u1', worklist('A'))
    const b = hub.publish('u1', worklist('B'))
    expect(a.id).toBe(1_700_000_000_000 * 1000)
    expect(b.id).toBe(a.id + 1)
    clock.advance(5)
    expect(hub.publish('u1', worklist('C')).id).toBe((1_700_000_000_000 + 5) * 1000)
  })

  it('keep increasing when the clock goes backwards', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const hub = new EventHub({ clock })
    const before = hub.publish('u1', worklist('A')).id
    clock.set(1_600_000_000_000)
    const after = hub.publish('u1', worklist('B')).id
    expect(after).toBe(before + 1)
  })

  it('stay strictly increasing and safe integers for any clock walk (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 1, maxLength: 200 }),
        (steps) => {
          const clock = new FakeClock(1_700_000_000_000)
          const hub = new EventHub({ clock })
          let last = 0
          for (const step of steps) {
            clock.advance(step)
            const { id } = hub.publish('u1', worklist('X'))
            expect(id).toBeGreaterThan(last)
            expect(Number.isSafeInteger(id)).toBe(true)
            last = id
          }
        },
      ),
    )
  })

  it('are counted per user', () => {
    const clock = new FakeClock(1000)
    const hub = new EventHub({ clock })
    const a1 = hub.publish('a', worklist('A')).id
    hub.publish('a', worklist('A'))
    expect(hub.publish('b', worklist('B')).id).toBe(a1)
  })

  it('[S28] issued after a restart exceed those issued before, so an old resume id replays everything new', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const before = new EventHub({ clock })
    for (let i = 0; i < 50; i++) before.publish('u1', worklist(`old${i}`))
    const lastSeen = before.publish('u1', worklist('seen')).id
    before.close()

    clock.advance(1) // the restart takes at least a millisecond
    const after = new EventHub({ clock })
    after.publish('u1', worklist('N1'))
    after.publish('u1', worklist('N2'))
    const { got, send } = collector()
    after.subscribe('u1', lastSeen, send)
    expect(accessions(got)).toEqual(['N1', 'N2'])
  })

  it('move past a resume id from a clock that ran ahead of ours', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const hub = new EventHub({ clock })
    const ahead = (1_700_000_000_000 + 60_000) * 1000
    hub.subscribe('u1', ahead, () => {})()
    expect(hub.publish('u1', worklist('A')).id).toBe(ahead + 1)
  })

  it('ignore an absurd resume id for numbering', () => {
    const clock = new FakeClock(1_700_000_000_000)
    const hub = new EventHub({ clock })
    hub.subscribe('u1', Number.MAX_SAFE_INTEGER, () => {})()
    expect(hub.publish('u1', worklist('A')).id).toBe(1_700_000_000_000 * 1000)
  })
})

describe('EventHub delivery', () => {
  it('sends to every live subscriber of the user, in publish order, and to no one else', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const tab1 = collector()
    const tab2 = collector()
    const other = collector()
    hub.subscribe('u1', null, tab1.send)
    hub.subscribe('u1', null, tab2.send)
    hub.subscribe('u2', null, other.send)
    hub.publish('u1', worklist('A'))
    hub.publishMany(['u1', 'u1'], worklist('B'))
    hub.publish('u1', worklist('C'))
    expect(accessions(tab1.got)).toEqual(['A', 'B', 'C'])
    expect(tab2.got).toEqual(tab1.got)
    expect(other.got).toEqual([])
  })

  it('publishMany gives each user the event with their own id', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    hub.publish('u1', worklist('A'))
    const u1 = collector()
    const u2 = collector()
    hub.subscribe('u1', null, u1.send)
    hub.subscribe('u2', null, u2.send)
    hub.publishMany(['u1', 'u2'], worklist('B'))
    expect(u1.got[0]!.id).toBe(1000 * 1000 + 1)
    expect(u2.got[0]!.id).toBe(1000 * 1000)
  })

  it('[S28] replays buffered events after the given id in order, then live ones', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const ids = ['A', 'B', 'C', 'D'].map((a) => hub.publish('u1', worklist(a)).id)
    const { got, send } = collector()
    hub.subscribe('u1', ids[1]!, send)
    hub.publish('u1', worklist('E'))
    expect(accessions(got)).toEqual(['C', 'D', 'E'])
    expect(got.map((e) => e.id)).toEqual([ids[2], ids[3], ids[3]! + 1])
  })

  it('replays nothing to a fresh subscriber (no last id)', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    hub.publish('u1', worklist('A'))
    const { got, send } = collector()
    hub.subscribe('u1', null, send)
    expect(got).toEqual([])
  })

  it('replays everything buffered when the resume id is older than the buffer', () => {
    const hub = new EventHub({ clock: new FakeClock(1000), bufferPerUser: 3 })
    for (const a of ['A', 'B', 'C', 'D', 'E']) hub.publish('u1', worklist(a))
    const { got, send } = collector()
    hub.subscribe('u1', 0, send)
    expect(accessions(got)).toEqual(['C', 'D', 'E'])
  })

  it('bounds the buffer per user, not across users', () => {
    const hub = new EventHub({ clock: new FakeClock(1000), bufferPerUser: 2 })
    for (const a of ['A', 'B', 'C']) hub.publish('u1', worklist(a))
    hub.publish('u2', worklist('Z'))
    const u1 = collector()
    const u2 = collector()
    hub.subscribe('u1', 0, u1.send)
    hub.subscribe('u2', 0, u2.send)
    expect(accessions(u1.got)).toEqual(['B', 'C'])
    expect(accessions(u2.got)).toEqual(['Z'])
  })

  it('broadcastLive reaches filtered live subscribers only, without an id, and is never replayed', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const u1 = collector()
    const u2 = collector()
    hub.subscribe('u1', null, u1.send)
    hub.subscribe('u2', null, u2.send)
    hub.broadcastLive(presence, (userId) => userId === 'u1')
    expect(u1.got).toEqual([{ id: LIVE_ONLY_ID, event: presence }])
    expect(u2.got).toEqual([])

    const late = collector()
    hub.subscribe('u1', 0, late.send)
    expect(late.got).toEqual([])
    // Ids of buffered events are unaffected by live ones.
    expect(hub.publish('u1', worklist('A')).id).toBe(1000 * 1000)
  })

  it('broadcastLive without a filter reaches everyone subscribed', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const u1 = collector()
    const u2 = collector()
    hub.subscribe('u1', null, u1.send)
    hub.subscribe('u2', null, u2.send)
    hub.broadcastLive(presence)
    expect(u1.got).toHaveLength(1)
    expect(u2.got).toHaveLength(1)
  })

  it('unsubscribe stops delivery, is idempotent and keeps the count right', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const { got, send } = collector()
    const unsubscribe = hub.subscribe('u1', null, send)
    hub.subscribe('u1', null, () => {})
    expect(hub.subscriberCount()).toBe(2)
    unsubscribe()
    unsubscribe()
    expect(hub.subscriberCount()).toBe(1)
    hub.publish('u1', worklist('A'))
    hub.broadcastLive(presence)
    expect(got).toEqual([])
  })

  it('closes the oldest subscriber of a user beyond the limit', () => {
    const hub = new EventHub({ clock: new FakeClock(1000), maxSubscribersPerUser: 2 })
    const closed: string[] = []
    hub.subscribe(
      'u1',
      null,
      () => {},
      () => closed.push('first'),
    )
    hub.subscribe(
      'u1',
      null,
      () => {},
      () => closed.push('second'),
    )
    hub.subscribe(
      'u2',
      null,
      () => {},
      () => closed.push('other user'),
    )
    expect(closed).toEqual([])
    hub.subscribe(
      'u1',
      null,
      () => {},
      () => closed.push('third'),
    )
    expect(closed).toEqual(['first'])
    expect(hub.subscriberCount()).toBe(3)
  })

  it('drops a subscriber whose send throws, without disturbing the others', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    let closed = 0
    hub.subscribe(
      'u1',
      null,
      () => {
        throw new Error('socket gone')
      },
      () => closed++,
    )
    const { got, send } = collector()
    hub.subscribe('u1', null, send)
    hub.publish('u1', worklist('A'))
    hub.publish('u1', worklist('B'))
    expect(accessions(got)).toEqual(['A', 'B'])
    expect(closed).toBe(1)
    expect(hub.subscriberCount()).toBe(1)
  })

  it('a subscriber whose send throws during replay is closed and not added', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    hub.publish('u1', worklist('A'))
    let closed = 0
    const unsubscribe = hub.subscribe(
      'u1',
      0,
      () => {
        throw new Error('socket gone')
      },
      () => closed++,
    )
    expect(closed).toBe(1)
    expect(hub.subscriberCount()).toBe(0)
    unsubscribe()
  })

  it('close() ends every subscription and refuses new ones', () => {
    const hub = new EventHub({ clock: new FakeClock(1000) })
    const closed: string[] = []
    hub.subscribe(
      'u1',
      null,
      () => {},
      () => closed.push('u1'),
    )
    hub.subscribe(
      'u2',
      null,
      () => {},
      () => closed.push('u2'),
    )
    hub.close()
    expect(closed.sort()).toEqual(['u1', 'u2'])
    expect(hub.subscriberCount()).toBe(0)
    hub.subscribe(
      'u3',
      null,
      () => {},
      () => closed.push('u3'),
    )
    expect(closed).toContain('u3')
    expect(hub.subscriberCount()).toBe(0)
  })
})
