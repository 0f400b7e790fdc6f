/**
 * PresenceIndex (DESIGN §3): real Rooms and real awareness updates, a fake
 * clock and fake timers. SCENARIOS S1–S4.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeAwarenessStates } from 'y-protocols/awareness'
import type { PresenceEntry } from '../../../server/events/types.ts'
import { PresenceIndex } from '../../../server/presence/presence-index.ts'
import type { UserIdentity } from '../../../shared/domain.ts'
import { FakeClock, FakeTimers } from '../events/fake-clock.ts'
import { RoomSet } from './room-clients.ts'

const LOST_RETENTION_MS = 30_000
const THROTTLE_MS = 200

const BOSE: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }
const HUYEN: UserIdentity = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' }
const ADMIN: UserIdentity = { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' }

interface Change {
  at: number
  subject: { type: 'study' | 'patient'; id: string }
  entries: PresenceEntry[]
}

let clock: FakeClock
let timers: FakeTimers
let changes: Change[]
let index: PresenceIndex
let rooms: RoomSet

function makeIndex(onChange?: (subject: Change['subject'], entries: PresenceEntry[]) => void) {
  return new PresenceIndex({
    clock,
    timers,
    lostRetentionMs: LOST_RETENTION_MS,
    throttleMs: THROTTLE_MS,
    onChange:
      onChange ?? ((subject, entries) => changes.push({ at: clock.now(), subject, entries })),
  })
}

beforeEach(() => {
  clock = new FakeClock(Date.parse('2026-03-07T14:00:00.000Z'))
  timers = new FakeTimers(clock)
  changes = []
  index = makeIndex()
  rooms = new RoomSet(() => index)
})

afterEach(() => {
  index.close()
  rooms.destroy()
})

const opened = '2026-03-07T13:58:00.000Z'

describe('PresenceIndex entries', () => {
  it('[S1] shows who has a study open, since when, and viewing/editing/reading', () => {
    const client = rooms.join('study/56365', BOSE)
    client.publish({ mode: 'editing', view: 'info', openedAt: opened, focus: 'priority' })
    const meta = client.room.awareness.meta.get(client.clientId)!
    expect(index.forSubject('study', '56365')).toEqual([
      {
        user: BOSE,
        subject: { type: 'study', id: '56365' },
        doc: 'study/56365',
        clientId: client.clientId,
        mode: 'editing',
        view: 'info',
        since: opened,
        lastActiveAt: new Date(meta.lastUpdated).toISOString(),
        connection: 'live',
        focus: 'priority',
      },
    ])
  })

  it('normalises what the client says: unknown mode, bad view, long or odd focus', () => {
    const a = rooms.join('study/A1', BOSE)
    a.publish({
      mode: 'admin-override',
      view: 'everything',
      openedAt: opened,
      focus: 'x'.repeat(65),
    })
    const b = rooms.join('study/A1', HUYEN)
    b.publish({ mode: 'reading', view: 'desktop', openedAt: opened, focus: { field: 'notes' } })
    const [ea, eb] = [a, b].map(
      (c) => index.forSubject('study', 'A1').find((e) => e.clientId === c.clientId)!,
    )
    expect(ea).toMatchObject({ mode: 'viewing', view: null, focus: null })
    expect(eb).toMatchObject({ mode: 'reading', view: 'desktop', focus: null })
  })

  it('uses the first-seen time when openedAt is missing, not ISO, or in the future', () => {
    const firstSeen = new Date(clock.now()).toISOString()
    const cases = [undefined, 'yesterday', 'March 7, 2026', '2099-01-01T00:00:00.000Z', 12345]
    const clients = cases.map((openedAt, i) => {
      const c = rooms.join('study/A1', { ...BOSE, id: `u${i}` })
      c.publish({ mode: 'viewing', openedAt })
      return c
    })
    clock.advance(10_000)
    for (const c of clients) c.publish({ mode: 'editing', openedAt: '2099-01-01T00:00:00.000Z' })
    const entries = index.forSubject('study', 'A1')
    expect(entries).toHaveLength(cases.length)
    for (const e of entries) expect(e).toMatchObject({ since: firstSeen, mode: 'editing' })
  })

  it('[S5] skips states without a server-stamped user', () => {
    rooms.join('study/A1', BOSE).publish({ mode: 'editing' }, false)
    rooms
      .join('study/A1', HUYEN)
      .publish({ mode: 'editing', user: { id: 'x', name: 'X', role: 'emperor' } }, false)
    expect(index.forSubject('study', 'A1')).toEqual([])
    timers.flush()
    expect(changes).toEqual([])
  })

  it('merges a study form and its report; patients are their own subject; state docs and the worklist are ignored', () => {
    const form = rooms.join('study/A1', BOSE)
    form.publish({ mode: 'editing', view: 'info', openedAt: opened })
    const report = rooms.join('study/A1/report', HUYEN)
    report.publish({ mode: 'reading', view: 'desktop', openedAt: opened })
    rooms.join('study/A1/state', ADMIN).publish({ mode: 'viewing' })
    rooms.join('worklist', ADMIN).publish({ mode: 'viewing' })
    rooms.join('patient/P1', ADMIN).publish({ mode: 'editing', openedAt: opened })

    expect(index.forSubject('study', 'A1').map((e) => [e.user.name, e.doc])).toEqual([
      ['BOSE', 'study/A1'],
      ['HUYEN', 'study/A1/report'],
    ])
    expect(index.forSubject('patient', 'P1').map((e) => [e.user.name, e.doc])).toEqual([
      ['ADMIN', 'patient/P1'],
    ])
    expect(index.forSubject('patient', 'A1')).toEqual([])
    expect(index.all()).toHaveLength(3)
  })

  it('keeps one entry per awareness client: one user in two tabs is listed twice', () => {
    rooms.join('study/A1', BOSE).publish({ mode: 'viewing', view: 'info' })
    rooms.join('study/A1', BOSE).publish({ mode: 'reading', view: 'desktop' })
    const entries = index.forSubject('study', 'A1')
    expect(entries.map((e) => e.mode).sort()).toEqual(['reading', 'viewing'])
    expect(new Set(entries.map((e) => e.clientId)).size).toBe(2)
  })

  it('snapshot() is all() with the time', () => {
    rooms.join('study/A1', BOSE).publish({ mode: 'viewing' })
    expect(index.snapshot()).toEqual({
      entries: index.all(),
      at: new Date(clock.now()).toISOString(),
    })
  })
})

describe('PresenceIndex departures', () => {
  it('[S4] a graceful close removes the entry at once', () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing', openedAt: opened })
    client.leave()
    expect(index.forSubject('study', 'A1')).toEqual([])
    timers.flush()
    expect(changes.at(-1)?.entries).toEqual([])
  })

  it('[S4] a dropped connection is shown as lost until the awareness timeout, then is gone', () => {
    const stays = rooms.join('study/A1', HUYEN)
    stays.publish({ mode: 'viewing', openedAt: opened })
    const drops = rooms.join('study/A1', BOSE)
    drops.publish({ mode: 'editing', view: 'info', openedAt: opened, focus: 'notes' })
    const live = index.forSubject('study', 'A1').find((e) => e.user.id === BOSE.id)!
    timers.advance(THROTTLE_MS)
    changes = []

    drops.drop()
    timers.flush()
    // One report for the drop: the user never flickers out before showing as lost.
    expect(changes).toHaveLength(1)
    const lost = changes[0]!.entries.find((e) => e.user.id === BOSE.id)
    expect(lost).toEqual({ ...live, connection: 'lost' })

    timers.advance(LOST_RETENTION_MS - 1)
    expect(index.forSubject('study', 'A1').map((e) => [e.user.name, e.connection])).toEqual([
      ['BOSE', 'lost'],
      ['HUYEN', 'live'],
    ])
    timers.advance(1)
    expect(index.forSubject('study', 'A1').map((e) => e.user.name)).toEqual(['HUYEN'])
    timers.advance(THROTTLE_MS)
    expect(changes.at(-1)!.entries.map((e) => e.user.name)).toEqual(['HUYEN'])
  })

  it('[S4] sweep() removes expired lost entries when called after the clock moved', () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    client.drop()
    clock.advance(LOST_RETENTION_MS) // the clock only: no timer fired
    expect(index.forSubject('study', 'A1')).toHaveLength(1)
    index.sweep()
    expect(index.forSubject('study', 'A1')).toEqual([])
    expect(index.all()).toEqual([])
  })

  it('a user who reconnects replaces their lost entry', () => {
    const first = rooms.join('study/A1', BOSE)
    first.publish({ mode: 'editing' })
    first.drop()
    expect(index.forSubject('study', 'A1').map((e) => e.connection)).toEqual(['lost'])
    rooms.join('study/A1', BOSE).publish({ mode: 'editing' })
    expect(index.forSubject('study', 'A1').map((e) => e.connection)).toEqual(['live'])
  })

  it('a tab that drops stays listed as lost next to the same user’s live tab', () => {
    const live = rooms.join('study/A1', BOSE)
    live.publish({ mode: 'viewing' })
    const dies = rooms.join('study/A1', BOSE)
    dies.publish({ mode: 'editing' })
    dies.drop()
    live.publish({ mode: 'viewing', focus: 'notes' })
    expect(index.forSubject('study', 'A1').map((e) => [e.clientId, e.connection])).toEqual(
      expect.arrayContaining([
        [live.clientId, 'live'],
        [dies.clientId, 'lost'],
      ]),
    )
  })

  it('a state that times out in the awareness goes without a lost phase', () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    removeAwarenessStates(client.room.awareness, [client.clientId], 'timeout')
    expect(index.forSubject('study', 'A1')).toEqual([])
  })

  it('forgets a document once nobody is left', async () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    client.leave()
    await Promise.resolve()
    expect(index.all()).toEqual([])
  })
})

describe('PresenceIndex change reports', () => {
  it('[S2] [S3] reports the first change on the next tick, then at most once per throttle interval, trailing', () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'viewing' })
    expect(changes).toEqual([])
    timers.flush()
    expect(changes).toHaveLength(1)
    expect(changes[0]!.subject).toEqual({ type: 'study', id: 'A1' })
    expect(changes[0]!.entries.map((e) => e.mode)).toEqual(['viewing'])

    for (let i = 0; i < 10; i++) {
      timers.advance(10)
      client.publish({ mode: i % 2 === 0 ? 'editing' : 'viewing', focus: `f${i}` })
    }
    expect(changes).toHaveLength(1)
    timers.advance(THROTTLE_MS)
    expect(changes).toHaveLength(2)
    expect(changes[1]!.entries[0]).toMatchObject({ mode: 'viewing', focus: 'f9' })
    expect(changes[1]!.at - changes[0]!.at).toBe(THROTTLE_MS)
    timers.advance(10 * THROTTLE_MS)
    expect(changes).toHaveLength(2)
  })

  it('[S2] someone opening a form the first user has open is reported within 1 s', () => {
    rooms.join('study/A1', BOSE).publish({ mode: 'editing' })
    timers.flush()
    rooms.join('study/A1', HUYEN).publish({ mode: 'viewing' })
    timers.advance(1000)
    expect(changes.at(-1)!.entries.map((e) => e.user.name)).toEqual(['BOSE', 'HUYEN'])
    expect(changes.at(-1)!.at - changes[0]!.at).toBeLessThanOrEqual(THROTTLE_MS)
  })

  it('throttles each subject on its own', () => {
    rooms.join('study/A1', BOSE).publish({ mode: 'editing' })
    rooms.join('study/A2', BOSE).publish({ mode: 'editing' })
    rooms.join('patient/P1', BOSE).publish({ mode: 'editing' })
    timers.flush()
    expect(changes.map((c) => `${c.subject.type}/${c.subject.id}`).sort()).toEqual([
      'patient/P1',
      'study/A1',
      'study/A2',
    ])
  })

  it('is never faster than the throttle, even when a subject empties and refills', () => {
    const a = rooms.join('study/A1', BOSE)
    for (let i = 0; i < 20; i++) {
      a.publish({ mode: i % 2 === 0 ? 'editing' : 'viewing' })
      timers.advance(i % 3 === 0 ? 0 : 37)
      removeAwarenessStates(a.room.awareness, [a.clientId], 'timeout')
      timers.advance(i % 4 === 0 ? 0 : 53)
    }
    timers.advance(THROTTLE_MS * 2)
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(THROTTLE_MS)
    }
    expect(changes.at(-1)!.entries).toEqual([])
  })

  it('survives an onChange that throws', () => {
    index.close()
    let calls = 0
    index = makeIndex(() => {
      calls++
      throw new Error('observer broke')
    })
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    timers.flush()
    client.publish({ mode: 'viewing' })
    timers.advance(THROTTLE_MS)
    expect(calls).toBe(2)
    expect(index.forSubject('study', 'A1')[0]!.mode).toBe('viewing')
  })

  it('close() cancels pending reports and sweeps', () => {
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    client.drop()
    index.close()
    expect(timers.size).toBe(0)
    timers.advance(LOST_RETENTION_MS * 2)
    expect(changes).toEqual([])
    expect(index.all()).toEqual([])
  })

  it('the last report for a subject always matches forSubject (random joins, updates, leaves, drops)', () => {
    const users = [BOSE, HUYEN, ADMIN]
    const docs = ['study/A1', 'study/A1/report']
    const op = fc.record({
      kind: fc.constantFrom('join', 'update', 'leave', 'drop', 'wait'),
      user: fc.integer({ min: 0, max: users.length - 1 }),
      doc: fc.integer({ min: 0, max: docs.length - 1 }),
      client: fc.nat(),
      ms: fc.integer({ min: 0, max: 40_000 }),
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        index.close()
        rooms.destroy()
        changes = []
        index = makeIndex()
        rooms = new RoomSet(() => index)
        const open: ReturnType<RoomSet['join']>[] = []
        for (const o of ops) {
          const client = open.length > 0 ? open[o.client % open.length]! : null
          if (o.kind === 'join') {
            const c = rooms.join(docs[o.doc]!, users[o.user]!)
            c.publish({ mode: 'viewing' })
            open.push(c)
          } else if (o.kind === 'update' && client)
            client.publish({ mode: 'editing', focus: `f${o.ms}` })
          else if ((o.kind === 'leave' || o.kind === 'drop') && client) {
            open.splice(open.indexOf(client), 1)
            if (o.kind === 'leave') client.leave()
            else client.drop()
          } else timers.advance(o.ms)
        }
        timers.advance(LOST_RETENTION_MS + THROTTLE_MS)
        const now = index.forSubject('study', 'A1')
        expect(now.every((e) => e.connection === 'live')).toBe(true)
        expect(now.map((e) => e.clientId).sort()).toEqual(open.map((c) => c.clientId).sort())
        const last = changes.at(-1)
        if (last) expect(last.entries).toEqual(now)
        else expect(now).toEqual([])
      }),
      { numRuns: 60 },
    )
  })
})

describe('PresenceIndex subject → documents', () => {
  it('[S1] [S3] indexes a subject’s documents as people join, and forgets them as they leave, drop and expire', async () => {
    const form = rooms.join('study/A1', BOSE)
    form.publish({ mode: 'editing' })
    const report = rooms.join('study/A1/report', HUYEN)
    report.publish({ mode: 'reading' })
    rooms.join('study/A2', ADMIN).publish({ mode: 'viewing' })
    rooms.join('study/A1/state', ADMIN).publish({ mode: 'viewing' })
    expect(index.docsOf('study', 'A1').sort()).toEqual(['study/A1', 'study/A1/report'])
    expect(index.docsOf('study', 'A2')).toEqual(['study/A2'])

    form.leave()
    await Promise.resolve()
    expect(index.docsOf('study', 'A1')).toEqual(['study/A1/report'])

    report.drop() // kept as lost until the awareness timeout
    await Promise.resolve()
    expect(index.docsOf('study', 'A1')).toEqual(['study/A1/report'])
    timers.advance(LOST_RETENTION_MS)
    expect(index.docsOf('study', 'A1')).toEqual([])
    expect(index.forSubject('study', 'A1')).toEqual([])
    expect(index.docsOf('study', 'A2')).toEqual(['study/A2'])

    index.close()
    expect(index.docsOf('study', 'A2')).toEqual([])
  })

  it('[S4] an entry that times out in the awareness leaves the index with its document', async () => {
    const client = rooms.join('patient/P1', BOSE)
    client.publish({ mode: 'editing' })
    removeAwarenessStates(client.room.awareness, [client.clientId], 'timeout')
    await Promise.resolve()
    expect(index.docsOf('patient', 'P1')).toEqual([])
    client.publish({ mode: 'viewing' })
    expect(index.docsOf('patient', 'P1')).toEqual(['patient/P1'])
  })

  it('[S4] a client whose state timed out is shown, when it comes back, since it came back', async () => {
    rooms.join('study/A1', HUYEN).publish({ mode: 'viewing' }) // keeps the document indexed
    const client = rooms.join('study/A1', BOSE)
    client.publish({ mode: 'editing' })
    removeAwarenessStates(client.room.awareness, [client.clientId], 'timeout')
    await Promise.resolve()
    clock.advance(60_000)
    client.publish({ mode: 'editing' })
    const back = index.forSubject('study', 'A1').find((e) => e.clientId === client.clientId)
    expect(back?.since).toBe(new Date(clock.now()).toISOString())
  })

  it('the index holds exactly the documents with someone live or lost in them (random joins, updates, leaves, drops, timeouts)', async () => {
    const users = [BOSE, HUYEN, ADMIN]
    const docs = ['study/A1', 'study/A1/report', 'study/A2', 'patient/P1']
    const op = fc.record({
      kind: fc.constantFrom('join', 'update', 'unstamped', 'leave', 'drop', 'timeout', 'wait'),
      user: fc.integer({ min: 0, max: users.length - 1 }),
      doc: fc.integer({ min: 0, max: docs.length - 1 }),
      client: fc.nat(),
      ms: fc.integer({ min: 0, max: 40_000 }),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        index.close()
        rooms.destroy()
        index = makeIndex()
        rooms = new RoomSet(() => index)
        const open: ReturnType<RoomSet['join']>[] = []
        for (const o of ops) {
          const client = open.length > 0 ? open[o.client % open.length]! : null
          if (o.kind === 'join') {
            const c = rooms.join(docs[o.doc]!, users[o.user]!)
            c.publish({ mode: 'viewing' })
            open.push(c)
          } else if (o.kind === 'update' && client) client.publish({ focus: `f${o.ms}` })
          else if (o.kind === 'unstamped' && client) client.publish({ mode: 'viewing' }, false)
          else if (o.kind === 'timeout' && client)
            removeAwarenessStates(client.room.awareness, [client.clientId], 'timeout')
          else if ((o.kind === 'leave' || o.kind === 'drop') && client) {
            open.splice(open.indexOf(client), 1)
            if (o.kind === 'leave') client.leave()
            else client.drop()
          } else timers.advance(o.ms)
          await Promise.resolve()
          const indexed = new Set<string>()
          for (const [type, id] of [
            ['study', 'A1'],
            ['study', 'A2'],
            ['patient', 'P1'],
          ] as const) {
            const withSomeone = new Set(index.forSubject(type, id).map((e) => e.doc))
            expect(new Set(index.docsOf(type, id))).toEqual(withSomeone)
            for (const doc of withSomeone) indexed.add(doc)
          }
          expect(new Set(index.all().map((e) => e.doc))).toEqual(indexed)
        }
      }),
      { numRuns: 80 },
    )
  })
})
