/**
 * The room's own awareness path (SCENARIOS S5): a connection's checked and
 * stamped entries are applied to the room's Awareness directly, not encoded
 * for y-protocols to parse again. These tests hold it to y-protocols'
 * `applyAwarenessUpdate` (states, clocks, events) and the broadcast to the
 * bytes y-protocols' encoder gives.
 */
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import * as Y from 'yjs'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import { encodeAwarenessMessage } from '../../../server/sync/messages.ts'
import { type AwarenessChange, Room, type RoomMember } from '../../../server/sync/room.ts'
import { parseDocName } from '../../../shared/protocol.ts'
import { awarenessFrame, encodeAwarenessEntries } from '../../support/awareness-encoding.ts'
import { isAwarenessFrame, MemorySocket } from '../../support/memory-socket.ts'

/** The room's (and the reference's) own awareness client id, so entries can name it too. */
const SERVER_ID = 7

function docWithClientId(): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = SERVER_ID
  return doc
}

function member(): RoomMember & { socket: MemorySocket } {
  return {
    socket: new MemorySocket(),
    sessionId: 's',
    userId: 'u',
    awarenessIds: new Set(),
    wantsSavedAcks: false,
    close() {},
  }
}

type Event = [name: 'change' | 'update', change: AwarenessChange, origin: unknown]

function record(
  awareness: Awareness,
  names: readonly ('change' | 'update')[] = ['change', 'update'],
): Event[] {
  const events: Event[] = []
  for (const name of names) {
    awareness.on(name, (change: AwarenessChange, origin: unknown) =>
      events.push([name, structuredClone(change), origin]),
    )
  }
  return events
}

/** y-protocols' view: the reference server applies the encoded update and broadcasts its encoding. */
function reference(names?: Parameters<typeof record>[1]) {
  const awareness = new Awareness(docWithClientId())
  awareness.setLocalState(null)
  const broadcasts: Uint8Array[] = []
  awareness.on('update', ({ added, updated, removed }: AwarenessChange) => {
    broadcasts.push(awarenessFrame(awareness, [...added, ...updated, ...removed]))
  })
  const events = record(awareness, names)
  return { awareness, broadcasts, events }
}

function room(hooks: ConstructorParameters<typeof Room>[5] = {}) {
  return new Room(
    'study/A1',
    parseDocName('study/A1')!,
    docWithClientId(),
    new MemoryDocLogStore(),
    silentLogger,
    hooks,
    { lastSeq: 0, recordsSinceSnapshot: 0 },
    1000,
  )
}

const clocksOf = (awareness: Awareness) =>
  new Map([...awareness.meta].map(([id, meta]) => [id, meta.clock]))

// A few states, so the same state comes again (y-protocols' 'change' leaves those out).
const stateArb = fc.constantFrom<Record<string, unknown> | null>(
  null,
  { mode: 'viewing' },
  { mode: 'editing', focus: 'notes' },
  { mode: 'editing', focus: 'notes', user: { id: 'u-x', name: 'X', role: 'radiologist' } },
  { cursor: { anchor: 1, head: [2, 'ü', null] } },
)
const entryArb = fc.record({
  clientID: fc.constantFrom(SERVER_ID, 1, 2, 300, 2 ** 32 - 1),
  clock: fc.integer({ min: 0, max: 6 }),
  state: stateArb,
})

describe('Room.applyClientAwareness', () => {
  it('[S5] does what y-protocols’ applyAwarenessUpdate does with the same entries: states, clocks, change and update events', () => {
    const heard = fc.constantFrom(['change', 'update'] as const, ['update'] as const)
    fc.assert(
      fc.property(
        fc.array(fc.array(entryArb, { maxLength: 4 }), { maxLength: 12 }),
        heard,
        (updates, names) => {
          const ref = reference(names)
          const r = room()
          const events = record(r.awareness, names)
          const origin = member()
          r.add(origin)
          for (const entries of updates) {
            applyAwarenessUpdate(ref.awareness, encodeAwarenessEntries(entries), origin)
            // Connections hand over fresh objects; the reference parsed its own copies.
            r.applyClientAwareness(structuredClone(entries), origin)
          }
          expect(r.awareness.getStates()).toEqual(ref.awareness.getStates())
          expect(clocksOf(r.awareness)).toEqual(clocksOf(ref.awareness))
          expect(events).toEqual(ref.events)
          for (const [, , o] of events) expect(o).toBe(origin)
          ref.awareness.destroy()
          r.destroy()
        },
      ),
      { numRuns: 300 },
    )
  })

  it('[S5] broadcasts to the other members exactly the bytes y-protocols would encode for the change', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entryArb, { maxLength: 4 }), { maxLength: 12 }), (updates) => {
        const ref = reference()
        const r = room()
        const sender = member()
        const watcher = member()
        r.add(sender)
        r.add(watcher)
        for (const entries of updates) {
          applyAwarenessUpdate(ref.awareness, encodeAwarenessEntries(entries), 'client')
          r.applyClientAwareness(structuredClone(entries), sender)
        }
        expect(watcher.socket.sent).toEqual(ref.broadcasts)
        ref.awareness.destroy()
        r.destroy()
      }),
      { numRuns: 300 },
    )
  })

  it('does not echo a member’s own states back to it; removals made by the server reach everyone', () => {
    const r = room()
    const sender = member()
    const watcher = member()
    r.add(sender)
    r.add(watcher)
    r.applyClientAwareness([{ clientID: 1, clock: 1, state: { mode: 'viewing' } }], sender)
    expect(sender.socket.sent).toEqual([])
    expect(watcher.socket.frames().filter(isAwarenessFrame)).toHaveLength(1)

    removeAwarenessStates(r.awareness, [1], 'timeout')
    expect(sender.socket.frames().filter(isAwarenessFrame)).toHaveLength(1)
    expect(watcher.socket.frames().filter(isAwarenessFrame)).toHaveLength(2)
    r.destroy()
  })

  it('tells afterAwareness which ids changed, renewals included', () => {
    const changes: AwarenessChange[] = []
    const r = room({ afterAwareness: (_room, change) => changes.push(structuredClone(change)) })
    const sender = member()
    r.add(sender)
    r.applyClientAwareness([{ clientID: 1, clock: 1, state: { mode: 'viewing' } }], sender)
    r.applyClientAwareness([{ clientID: 1, clock: 2, state: { mode: 'viewing' } }], sender)
    r.applyClientAwareness([{ clientID: 1, clock: 2, state: { mode: 'editing' } }], sender) // stale
    r.applyClientAwareness([{ clientID: 1, clock: 3, state: null }], sender)
    expect(changes).toEqual([
      { added: [1], updated: [], removed: [] },
      { added: [], updated: [1], removed: [] },
      { added: [], updated: [], removed: [1] },
    ])
    r.destroy()
  })
})

describe('encodeAwarenessMessage', () => {
  const json = fc
    .jsonValue({ maxDepth: 3 })
    .map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v }))
  it('gives the bytes of y-protocols’ encoder wrapped as a message, for any ids, clocks and states', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            clientID: fc.oneof(fc.nat(), fc.constant(2 ** 32 - 1)),
            clock: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
            state: fc.option(
              fc.oneof(json, fc.record({ s: fc.string({ unit: 'binary', maxLength: 200 }) })),
            ),
          }),
          { maxLength: 5 },
        ),
        (entries) => {
          const ref = reference()
          applyAwarenessUpdate(ref.awareness, encodeAwarenessEntries(entries), 'client')
          // Ids the awareness knows (an entry at clock 0 for an unknown id is not applied).
          const ids = [...new Set(entries.map((e) => e.clientID))].filter((id) =>
            ref.awareness.meta.has(id),
          )
          const expected = awarenessFrame(ref.awareness, ids)
          expect(new Uint8Array(encodeAwarenessMessage(ref.awareness, ids))).toEqual(expected)
          // And it is the reference server's framing of encodeAwarenessUpdate.
          const e = encoding.createEncoder()
          encoding.writeVarUint(e, 1)
          encoding.writeVarUint8Array(e, encodeAwarenessUpdate(ref.awareness, ids))
          expect(expected).toEqual(encoding.toUint8Array(e))
          ref.awareness.destroy()
        },
      ),
      { numRuns: 300 },
    )
  })
})
