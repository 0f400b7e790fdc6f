/**
 * Presence through Room + Connection (SCENARIOS S5): the server stamps the
 * session's user, a connection owns only the awareness ids it introduced, and
 * a member's states leave with it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CloseCode } from '../../../shared/protocol.ts'
import { awarenessMessage, awarenessSince, BOSE, HUYEN, harness, TECH } from './room-harness.ts'

describe('awareness', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('[S5] the user in a presence state is stamped from the session, whatever the client claims', () => {
    const h = harness()
    const spoofer = h.join(TECH)
    const watcher = h.join(HUYEN)
    const mark = watcher.socket.sent.length
    spoofer.conn.receive(
      awarenessMessage([
        {
          clientID: 42,
          clock: 1,
          state: { user: { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' }, mode: 'editing' },
        },
      ]),
    )
    const tech = { id: 'u-tech', name: 'TECH', role: 'technologist' }
    expect(h.room.awareness.getStates().get(42)).toEqual({ user: tech, mode: 'editing' })
    const [seen] = awarenessSince(watcher.socket, mark)
    expect(seen?.get(42)).toEqual({ user: tech, mode: 'editing' })
    expect(spoofer.socket.closed).toBeNull()
  })

  it('[S5] a state without a user gets the session’s user added', () => {
    const h = harness()
    const a = h.join(HUYEN)
    a.conn.receive(awarenessMessage([{ clientID: 8, clock: 1, state: { mode: 'viewing' } }]))
    expect(h.room.awareness.getStates().get(8)).toEqual({
      mode: 'viewing',
      user: { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' },
    })
  })

  it('[S5] an entry for a client id another connection owns is dropped silently; the sender’s own entry in the same message still counts', () => {
    const h = harness()
    const victim = h.join(HUYEN)
    const other = h.join(TECH)
    victim.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'reading' } }]))
    const markVictim = victim.socket.sent.length

    other.conn.receive(
      awarenessMessage([
        { clientID: 111, clock: 99, state: { mode: 'deleting everything' } },
        { clientID: 222, clock: 1, state: { mode: 'viewing' } },
      ]),
    )
    other.conn.receive(awarenessMessage([{ clientID: 111, clock: 100, state: null }]))

    expect(other.socket.closed).toBeNull()
    expect(h.policy.protocolErrors).toEqual([])
    expect(h.room.awareness.getStates().get(111)).toMatchObject({
      mode: 'reading',
      user: { id: 'u-huyen' },
    })
    expect(h.room.awareness.getStates().get(222)).toMatchObject({
      mode: 'viewing',
      user: { id: 'u-tech' },
    })
    // The victim heard about 222 only.
    expect(awarenessSince(victim.socket, markVictim).map((m) => [...m.keys()])).toEqual([[222]])
    expect(h.room.awarenessOwners.get(111)).toBe(victim.conn)
  })

  it('a connection may introduce only maxAwarenessIdsPerConnection (1) ids; a second id is dropped, the first still updates', () => {
    const h = harness()
    const a = h.join(BOSE)
    a.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'viewing' } }]))
    a.conn.receive(
      awarenessMessage([
        { clientID: 112, clock: 1, state: { mode: 'ghost' } },
        { clientID: 111, clock: 2, state: { mode: 'editing' } },
      ]),
    )
    expect(a.socket.closed).toBeNull()
    expect([...h.room.awareness.getStates().keys()]).toEqual([111])
    expect(h.room.awareness.getStates().get(111)).toMatchObject({ mode: 'editing' })
    expect([...a.conn.awarenessIds]).toEqual([111])
  })

  it('when a member leaves, its states are removed and the removal is broadcast', () => {
    const h = harness()
    const leaver = h.join(BOSE)
    const watcher = h.join(HUYEN)
    leaver.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'reading' } }]))
    watcher.conn.receive(
      awarenessMessage([{ clientID: 222, clock: 1, state: { mode: 'viewing' } }]),
    )
    const mark = watcher.socket.sent.length

    leaver.conn.onSocketClosed() // a hard drop: no goodbye from the client

    expect([...h.room.awareness.getStates().keys()]).toEqual([222])
    expect(awarenessSince(watcher.socket, mark)).toEqual([new Map([[111, null]])])
    expect(h.room.members.has(leaver.conn)).toBe(false)
    expect(h.room.awarenessOwners.has(111)).toBe(false)
  })

  it('a server-side close (refusal) removes the member’s presence too', () => {
    const h = harness()
    const a = h.join(BOSE)
    const watcher = h.join(HUYEN)
    a.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'reading' } }]))
    const mark = watcher.socket.sent.length
    a.conn.receive(new Uint8Array([42]))
    expect(a.socket.closed?.code).toBe(CloseCode.protocolError)
    expect(h.room.awareness.getStates().has(111)).toBe(false)
    expect(awarenessSince(watcher.socket, mark)).toEqual([new Map([[111, null]])])
  })

  it('a recently removed client id cannot be claimed by another user’s connection (a stale echo must not resurrect it); after a minute it can', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const h = harness()
    const leaver = h.join(BOSE)
    const echoer = h.join(HUYEN)
    leaver.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'reading' } }]))
    leaver.conn.onSocketClosed()

    echoer.conn.receive(awarenessMessage([{ clientID: 111, clock: 5, state: { mode: 'reading' } }]))
    expect(echoer.socket.closed).toBeNull()
    expect(h.room.awareness.getStates().has(111)).toBe(false)
    expect(h.room.awarenessOwners.has(111)).toBe(false)
    // The echoer's own id is still free for it to claim.
    echoer.conn.receive(awarenessMessage([{ clientID: 333, clock: 1, state: { mode: 'viewing' } }]))
    expect(h.room.awarenessOwners.get(333)).toBe(echoer.conn)

    vi.setSystemTime(1_700_000_000_000 + 60_001)
    const returning = h.join(TECH)
    returning.conn.receive(
      awarenessMessage([{ clientID: 111, clock: 6, state: { mode: 'reading' } }]),
    )
    expect(h.room.awarenessOwners.get(111)).toBe(returning.conn)
  })

  it('[S4] a user reconnecting with the same client id is shown again at once; a stale copy of the old state is not', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const h = harness()
    const watcher = h.join(HUYEN)
    const tab = h.join(BOSE)
    tab.conn.receive(awarenessMessage([{ clientID: 111, clock: 3, state: { mode: 'reading' } }]))
    tab.conn.onSocketClosed() // the network drops
    expect(h.room.awareness.getStates().has(111)).toBe(false)

    vi.setSystemTime(1_700_000_000_000 + 2_000)
    const back = h.join(BOSE)
    // A stale copy (clock already seen) does not bring the state back.
    back.conn.receive(awarenessMessage([{ clientID: 111, clock: 3, state: { mode: 'reading' } }]))
    expect(h.room.awareness.getStates().has(111)).toBe(false)
    expect(h.room.awarenessOwners.has(111)).toBe(false)
    // The tab's next state does, and everyone sees it.
    const mark = watcher.socket.sent.length
    back.conn.receive(awarenessMessage([{ clientID: 111, clock: 4, state: { mode: 'reading' } }]))
    expect(back.socket.closed).toBeNull()
    expect(h.room.awarenessOwners.get(111)).toBe(back.conn)
    expect(h.room.awareness.getStates().get(111)).toMatchObject({ mode: 'reading' })
    expect(awarenessSince(watcher.socket, mark).at(-1)?.get(111)).toMatchObject({ mode: 'reading' })
  })
})
