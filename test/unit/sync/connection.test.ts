/**
 * Room + Connection driven directly through in-memory sockets (STYLE 3, 4, 13):
 * the dispatcher's write rules, durability before broadcast, limits, awareness
 * stamping and ownership — with a fake clock, in-memory storage, no network.
 */
import fc from 'fast-check'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import type { Clock } from '../../../server/clock.ts'
import { DEFAULT_LIMITS, type Limits } from '../../../server/config.ts'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import type { DocLogStore, StoredDoc } from '../../../server/storage/types.ts'
import {
  Connection,
  type ConnectionPolicy,
  type WriteVerdict,
} from '../../../server/sync/connection.ts'
import { validateFieldsUpdate, validateReportUpdate } from '../../../server/sync/field-validator.ts'
import { Room } from '../../../server/sync/room.ts'
import type { UserIdentity } from '../../../shared/domain.ts'
import { CloseCode, parseDocName } from '../../../shared/protocol.ts'
import { REPORT_BODY_MAX_LENGTH, STUDY_FORM } from '../../../shared/schema.ts'
import { isAwarenessFrame, isSyncFrame, MemorySocket } from '../../support/memory-socket.ts'

// ---------------------------------------------------------------------------
// Fixtures

const BOSE: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }
const HUYEN: UserIdentity = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' }
const TECH: UserIdentity = { id: 'u-tech', name: 'TECH', role: 'technologist' }

class FakeClock implements Clock {
  t = 1_700_000_000_000
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
}

/** An append the test holds open: it becomes durable only on `release()`. */
interface HeldAppend {
  update: Uint8Array
  release(): void
  fail(error: Error): void
}

/**
 * A DocLogStore whose appends resolve only when the test releases them, so a
 * test can look at the room while a commit is "fsyncing".
 */
class HeldDocLog implements DocLogStore {
  readonly inner = new MemoryDocLogStore()
  readonly held: HeldAppend[] = []
  private taken = 0
  private waiter: ((held: HeldAppend) => void) | null = null

  append(docName: string, update: Uint8Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const held: HeldAppend = {
        update: new Uint8Array(update),
        release: () => void this.inner.append(docName, update).then(resolve, reject),
        fail: reject,
      }
      this.held.push(held)
      this.wake()
    })
  }

  /** The next append the room asks for (already asked-for ones count, in order). */
  nextAppend(): Promise<HeldAppend> {
    const next = this.held[this.taken]
    if (next) {
      this.taken++
      return Promise.resolve(next)
    }
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  /** Records durable in the inner store for `docName`. */
  durable(docName: string): Uint8Array[] {
    return (this.inner.data.get(docName)?.updates ?? []).map((u) => u.update)
  }

  private wake(): void {
    const waiter = this.waiter
    if (!waiter) return
    this.waiter = null
    this.taken++
    waiter(this.held[this.taken - 1]!)
  }

  load(docName: string): Promise<StoredDoc> {
    return this.inner.load(docName)
  }
  compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.inner.compact(docName, snapshot, throughSeq)
  }
  remove(docName: string): Promise<void> {
    return this.inner.remove(docName)
  }
  list(): Promise<string[]> {
    return this.inner.list()
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

interface RecordingPolicy extends ConnectionPolicy {
  refused: { user: string; reason: string; field?: string }[]
  protocolErrors: { user: string; error: string }[]
  storageErrors: unknown[]
  messageBytes: number[]
}

function recordingPolicy(
  writers: readonly string[],
  validate: (room: Room, update: Uint8Array) => WriteVerdict = () => ({ ok: true }),
): RecordingPolicy {
  const policy: RecordingPolicy = {
    refused: [],
    protocolErrors: [],
    storageErrors: [],
    messageBytes: [],
    mayWrite: (identity) => writers.includes(identity.id),
    validate,
    onRefused: (conn, reason, field) =>
      policy.refused.push({ user: conn.userId, reason, ...(field ? { field } : {}) }),
    onProtocolError: (conn, error) => policy.protocolErrors.push({ user: conn.userId, error }),
    onStorageError: (_conn, error) => policy.storageErrors.push(error),
    onMessage: (bytes) => policy.messageBytes.push(bytes),
  }
  return policy
}

/** The validators app.ts wires in, so refusals here are the real ones. */
function realValidator(room: Room, update: Uint8Array): WriteVerdict {
  const result =
    room.docName.kind === 'studyReport'
      ? validateReportUpdate(room.doc, update, REPORT_BODY_MAX_LENGTH)
      : validateFieldsUpdate(room.doc, update, STUDY_FORM)
  return result.ok ? { ok: true } : { ok: false, reason: result.error, field: result.field }
}

interface HarnessOptions {
  docName?: string
  /** The room's document as loaded from storage. */
  doc?: Y.Doc
  log?: DocLogStore
  writers?: readonly string[]
  validate?: (room: Room, update: Uint8Array) => WriteVerdict
  limits?: Partial<Limits>
}

interface Member {
  socket: MemorySocket
  conn: Connection
}

function harness(options: HarnessOptions = {}) {
  const name = options.docName ?? 'study/A1'
  const clock = new FakeClock()
  const log = options.log ?? new MemoryDocLogStore()
  const room = new Room(
    name,
    parseDocName(name)!,
    options.doc ?? new Y.Doc(),
    log,
    silentLogger,
    {},
    { lastSeq: 0, recordsSinceSnapshot: 0 },
    10_000,
  )
  const policy = recordingPolicy(options.writers ?? [BOSE.id, HUYEN.id], options.validate)
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  let sessions = 0
  return {
    name,
    room,
    clock,
    log,
    policy,
    join(identity: UserIdentity): Member {
      const socket = new MemorySocket()
      const conn = new Connection(socket, room, identity, `s-${++sessions}`, limits, policy, clock)
      return { socket, conn }
    },
  }
}

/**
 * Lets every queued promise callback run (a commit resolving, the connection
 * draining its queue). A macrotask boundary, not a timed wait.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

// ---------------------------------------------------------------------------
// Client-side messages

function syncMessage(step: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, step)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}
const step1 = (doc: Y.Doc) => syncMessage(0, Y.encodeStateVector(doc))
const step2 = (update: Uint8Array) => syncMessage(1, update)
const updateMessage = (update: Uint8Array) => syncMessage(2, update)

interface AwarenessEntry {
  clientID: number
  clock: number
  state: Record<string, unknown> | null
}

/** A y-protocols awareness message, encoded by hand so the test trusts nothing server-side. */
function awarenessMessage(entries: AwarenessEntry[]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientID)
    encoding.writeVarUint(inner, entry.clock)
    encoding.writeVarString(inner, JSON.stringify(entry.state))
  }
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, 1)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

/** Decodes an awareness payload the server sent: client id → state (null = removed). */
function awarenessStates(payload: Uint8Array): Map<number, Record<string, unknown> | null> {
  const d = decoding.createDecoder(payload)
  const states = new Map<number, Record<string, unknown> | null>()
  const count = decoding.readVarUint(d)
  for (let i = 0; i < count; i++) {
    const id = decoding.readVarUint(d)
    decoding.readVarUint(d) // clock
    states.set(id, JSON.parse(decoding.readVarString(d)))
  }
  return states
}

/** Every awareness change a socket received since `from`, flattened. */
function awarenessSince(
  socket: MemorySocket,
  from = 0,
): Map<number, Record<string, unknown> | null>[] {
  return socket
    .framesSince(from)
    .filter(isAwarenessFrame)
    .map((f) => awarenessStates(f.payload))
}

/** Sync updates (step 2 or update) a socket received since `from`. */
function updatesSince(socket: MemorySocket, from = 0): Uint8Array[] {
  return socket
    .framesSince(from)
    .filter(isSyncFrame)
    .filter((f) => f.step !== 0)
    .map((f) => f.payload)
}

/** The update one edit on a fresh replica of `base` produces. */
function editOf(base: Y.Doc | null, edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
  const before = Y.encodeStateVector(doc)
  edit(doc)
  return Y.encodeStateAsUpdate(doc, before)
}

function docWith(edit: (doc: Y.Doc) => void): Y.Doc {
  const doc = new Y.Doc()
  edit(doc)
  return doc
}

const fieldsOf = (doc: Y.Doc) => doc.getMap('fields').toJSON()

// ---------------------------------------------------------------------------

describe('joining a room', () => {
  it('sends sync step 1 with the room’s state vector, and no awareness while nobody is present', () => {
    const doc = docWith((d) => d.getMap('fields').set('priority', 'STAT'))
    const h = harness({ doc })
    const a = h.join(BOSE)
    const frames = a.socket.frames()
    expect(frames).toHaveLength(1)
    expect(frames[0]).toEqual({ type: 0, step: 0, payload: Y.encodeStateVector(doc) })
    expect(h.room.members.has(a.conn)).toBe(true)
  })

  it('sends step 1 and then every present user’s awareness state to a newcomer', () => {
    const h = harness()
    const a = h.join(BOSE)
    a.conn.receive(awarenessMessage([{ clientID: 111, clock: 1, state: { mode: 'editing' } }]))
    const b = h.join(HUYEN)
    const frames = b.socket.frames()
    expect(frames.map((f) => f.type)).toEqual([0, 1])
    expect(isSyncFrame(frames[0]!) && frames[0].step).toBe(0)
    const states = awarenessStates((frames[1] as { payload: Uint8Array }).payload)
    expect([...states.keys()]).toEqual([111])
    expect(states.get(111)).toEqual({
      mode: 'editing',
      user: { id: 'u-bose', name: 'BOSE', role: 'radiologist' },
    })
  })

  it('answers a client’s sync step 1 with a step 2 holding exactly what the client lacks', () => {
    const doc = docWith((d) => {
      d.getMap('fields').set('priority', 'STAT')
      d.getMap('fields').set('description', 'CT HEAD')
    })
    const h = harness({ doc })
    const a = h.join(TECH)
    const client = new Y.Doc()
    const mark = a.socket.sent.length
    a.conn.receive(step1(client))
    const replies = a.socket.framesSince(mark)
    expect(replies).toHaveLength(1)
    expect(replies[0]).toMatchObject({ type: 0, step: 1 })
    Y.applyUpdate(client, (replies[0] as { payload: Uint8Array }).payload)
    expect(fieldsOf(client)).toEqual({ priority: 'STAT', description: 'CT HEAD' })
    // Already up to date: the reply carries no structs.
    const again = a.socket.sent.length
    a.conn.receive(step1(client))
    const [reply] = updatesSince(a.socket, again)
    expect(Y.decodeUpdate(reply!).structs).toHaveLength(0)
    expect(a.socket.closed).toBeNull()
  })

  it('auth messages (2) are ignored and query-awareness (3) is answered with every state', () => {
    const h = harness()
    const a = h.join(BOSE)
    a.conn.receive(awarenessMessage([{ clientID: 7, clock: 1, state: { mode: 'viewing' } }]))
    const b = h.join(TECH)
    const mark = b.socket.sent.length
    b.conn.receive(new Uint8Array([2, 0]))
    expect(b.socket.sent.length).toBe(mark)
    b.conn.receive(new Uint8Array([3]))
    const [answer] = awarenessSince(b.socket, mark)
    expect(answer?.get(7)).toMatchObject({ mode: 'viewing', user: { id: 'u-bose' } })
    expect(b.socket.closed).toBeNull()
  })

  it('sends nothing to a member whose socket is no longer open', () => {
    const h = harness()
    const a = h.join(BOSE)
    const b = h.join(HUYEN)
    b.socket.readyState = 2 // CLOSING: the close event has not arrived yet
    const sentBefore = b.socket.sent.length
    a.conn.receive(awarenessMessage([{ clientID: 5, clock: 1, state: { mode: 'editing' } }]))
    expect(b.socket.sent.length).toBe(sentBefore)
    expect(b.socket.sentAfterClose).toBe(0)
  })
})

describe('durable before applied and broadcast', () => {
  it('a writer’s update is in the log before the room applies it or anyone else receives it', async () => {
    const log = new HeldDocLog()
    const h = harness({ log })
    const a = h.join(BOSE)
    const b = h.join(HUYEN)
    const markA = a.socket.sent.length
    const markB = b.socket.sent.length
    const update = editOf(null, (d) => d.getMap('fields').set('priority', 'STAT'))

    a.conn.receive(updateMessage(update))
    const held = await log.nextAppend()
    expect(held.update).toEqual(update)
    await settle()
    // Held in "fsync": not applied, not broadcast, not even echoed to the writer.
    expect(h.room.doc.getMap('fields').get('priority')).toBeUndefined()
    expect(b.socket.sent.length).toBe(markB)
    expect(log.durable(h.name)).toHaveLength(0)

    const durableAtApply: number[] = []
    h.room.doc.on('update', () => durableAtApply.push(log.durable(h.name).length))
    held.release()
    await h.room.settled()
    expect(durableAtApply).toEqual([1])
    expect(h.room.doc.getMap('fields').get('priority')).toBe('STAT')
    expect(updatesSince(b.socket, markB)).toEqual([update])
    expect(a.socket.sent.length).toBe(markA)
    expect(a.socket.closed).toBeNull()
  })

  it('updates a connection sends while its commit is in flight are queued, merged and applied in order (second keystroke’s origin is the first)', async () => {
    const log = new HeldDocLog()
    const h = harness({
      docName: 'study/A1/report',
      log,
      writers: [BOSE.id],
      validate: realValidator,
    })
    const a = h.join(BOSE)
    const b = h.join(HUYEN)
    const markB = b.socket.sent.length
    const client = new Y.Doc()
    const keystrokes: Uint8Array[] = []
    client.on('update', (u: Uint8Array) => keystrokes.push(u))
    const body = client.getText('body')
    body.insert(0, 'a')
    body.insert(1, 'b')
    body.insert(2, 'c')
    expect(keystrokes).toHaveLength(3)

    for (const k of keystrokes) a.conn.receive(updateMessage(k))
    const first = await log.nextAppend()
    expect(first.update).toEqual(keystrokes[0])
    await settle()
    // Keystrokes 2 and 3 wait behind the first commit: validated now, their
    // origin ('a') would be unknown to the server and the write refused.
    expect(log.held).toHaveLength(1)
    expect(h.room.doc.getText('body').toString()).toBe('')

    first.release()
    const second = await log.nextAppend()
    expect(h.room.doc.getText('body').toString()).toBe('a')
    expect(second.update).toEqual(Y.mergeUpdates([keystrokes[1]!, keystrokes[2]!]))
    second.release()
    await settle()

    expect(h.policy.refused).toEqual([])
    expect(a.socket.closed).toBeNull()
    expect(h.room.doc.getText('body').toString()).toBe('abc')
    expect(log.durable(h.name)).toHaveLength(2)
    const watcher = new Y.Doc()
    for (const u of updatesSince(b.socket, markB)) Y.applyUpdate(watcher, u)
    expect(watcher.getText('body').toString()).toBe('abc')
  })

  it('a failed append closes the writer with 4503 and applies nothing; its queued updates are dropped and the room keeps serving', async () => {
    const log = new HeldDocLog()
    const h = harness({ log })
    const a = h.join(BOSE)
    const b = h.join(HUYEN)
    const markB = b.socket.sent.length
    const client = new Y.Doc()
    const u1 = editOf(client, (d) => d.getMap('fields').set('priority', 'STAT'))
    Y.applyUpdate(client, u1)
    const u2 = editOf(client, (d) => d.getMap('fields').set('description', 'CT'))

    a.conn.receive(updateMessage(u1))
    a.conn.receive(updateMessage(u2))
    const held = await log.nextAppend()
    held.fail(new Error('ENOSPC: no space left on device'))
    await settle()

    expect(a.socket.closed?.code).toBe(CloseCode.shuttingDown)
    expect(h.policy.storageErrors).toEqual([new Error('ENOSPC: no space left on device')])
    expect(log.held).toHaveLength(1)
    expect(fieldsOf(h.room.doc)).toEqual({})
    expect(b.socket.sent.length).toBe(markB)
    expect(h.room.members.has(a.conn)).toBe(false)

    // The failure does not poison the room's commit chain.
    const later = editOf(null, (d) => d.getMap('fields').set('bodyPart', 'HEAD'))
    b.conn.receive(updateMessage(later))
    ;(await log.nextAppend()).release()
    await settle()
    expect(fieldsOf(h.room.doc)).toEqual({ bodyPart: 'HEAD' })
    expect(b.socket.closed).toBeNull()
  })
})

describe('write rules', () => {
  it('a reader’s step 2 with nothing new is ignored, not refused — also when it carries an already-known delete set', async () => {
    const doc = docWith((d) => {
      d.getText('body').insert(0, 'hello world')
      d.getText('body').delete(0, 6)
    })
    const h = harness({ docName: 'study/A1/report', doc, writers: [] })
    const reader = h.join(HUYEN)
    const client = new Y.Doc()
    Y.applyUpdate(client, Y.encodeStateAsUpdate(doc))
    const nothingNew = Y.encodeStateAsUpdate(client, Y.encodeStateVector(doc))
    // What a reconnecting stock client sends: no structs, its whole delete set.
    expect(Y.decodeUpdate(nothingNew).structs).toHaveLength(0)
    expect(Y.decodeUpdate(nothingNew).ds.clients.size).toBe(1)

    reader.conn.receive(step2(nothingNew))
    reader.conn.receive(step2(Y.encodeStateAsUpdate(new Y.Doc())))
    reader.conn.receive(updateMessage(nothingNew))
    await settle()

    expect(reader.socket.closed).toBeNull()
    expect(h.policy.refused).toEqual([])
    expect(await h.log.list()).toEqual([]) // no-ops never reach the log
    expect(h.room.doc.getText('body').toString()).toBe('world')
    // Still served.
    const mark = reader.socket.sent.length
    reader.conn.receive(step1(new Y.Doc()))
    expect(updatesSince(reader.socket, mark)).toHaveLength(1)
  })

  it('a reader’s real update is refused with 4409, never applied, logged nor broadcast', async () => {
    const doc = docWith((d) => d.getText('body').insert(0, 'IMPRESSION: normal'))
    const h = harness({ docName: 'study/A1/report', doc, writers: [BOSE.id] })
    const holder = h.join(BOSE)
    const reader = h.join(HUYEN)
    const markHolder = holder.socket.sent.length
    const update = editOf(doc, (d) => d.getText('body').insert(0, 'X'))

    reader.conn.receive(updateMessage(update))
    await settle()

    expect(reader.socket.closed?.code).toBe(CloseCode.localCopyRefused)
    expect(h.policy.refused).toEqual([
      { user: 'u-huyen', reason: 'this connection may not write to this document' },
    ])
    expect(h.room.doc.getText('body').toString()).toBe('IMPRESSION: normal')
    expect(holder.socket.sent.length).toBe(markHolder)
    expect(await h.log.list()).toEqual([])
    expect(h.room.members.has(reader.conn)).toBe(false)
    // Anything after the close is ignored.
    reader.conn.receive(updateMessage(update))
    expect(h.policy.refused).toHaveLength(1)
  })

  it('a reader’s delete of known text (a delete set with no structs) is a real write and refused', async () => {
    const doc = docWith((d) => d.getText('body').insert(0, 'world'))
    const h = harness({ docName: 'study/A1/report', doc, writers: [] })
    const reader = h.join(HUYEN)
    const deletion = editOf(doc, (d) => d.getText('body').delete(0, 1))
    expect(Y.decodeUpdate(deletion).structs).toHaveLength(0)

    reader.conn.receive(step2(deletion))
    await settle()

    expect(reader.socket.closed?.code).toBe(CloseCode.localCopyRefused)
    expect(h.room.doc.getText('body').toString()).toBe('world')
  })

  it('an update that fails validation is refused with 4409 (reason and field reported) and not applied', async () => {
    const h = harness({ validate: realValidator })
    const a = h.join(BOSE)
    const b = h.join(HUYEN)
    const markB = b.socket.sent.length

    a.conn.receive(
      updateMessage(editOf(null, (d) => d.getMap('fields').set('priority', 'WHENEVER'))),
    )
    await settle()

    expect(a.socket.closed?.code).toBe(CloseCode.localCopyRefused)
    expect(a.socket.closed?.reason).toMatch(/priority|STAT/)
    expect(h.policy.refused).toMatchObject([{ user: 'u-bose', field: 'priority' }])
    expect(fieldsOf(h.room.doc)).toEqual({})
    expect(b.socket.sent.length).toBe(markB)
    expect(await h.log.list()).toEqual([])

    // The same writer with a valid value is accepted: the refusal was the value's fault.
    b.conn.receive(updateMessage(editOf(null, (d) => d.getMap('fields').set('priority', 'STAT'))))
    await settle()
    expect(fieldsOf(h.room.doc)).toEqual({ priority: 'STAT' })
  })
})

describe('garbage and limits', () => {
  function bytes(...parts: (number | Uint8Array)[]): Uint8Array {
    return new Uint8Array(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])))
  }
  const structBomb = (() => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, 30_000_000)
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, 0)
    return encoding.toUint8Array(e)
  })()
  const badJsonAwareness = (() => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, 9)
    encoding.writeVarUint(e, 1)
    encoding.writeVarString(e, '{"mode":')
    const outer = encoding.createEncoder()
    encoding.writeVarUint(outer, 1)
    encoding.writeVarUint8Array(outer, encoding.toUint8Array(e))
    return encoding.toUint8Array(outer)
  })()

  it.each<[string, Uint8Array | string]>([
    ['an unknown message type', bytes(42)],
    ['an unknown two-byte message type', bytes(0x80, 0x01)],
    ['an unknown sync step', bytes(0, 7)],
    ['an empty frame', bytes()],
    ['a truncated message-type varint', bytes(0xff)],
    ['an overlong varint', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)],
    ['a sync message without its step', bytes(0)],
    ['a truncated sync-step varint', bytes(0, 0x80)],
    ['a step 1 without a state vector', bytes(0, 0)],
    ['a step 1 with a garbage state vector', bytes(0, 0, 2, 0xff, 0xff)],
    ['an update whose length runs past the end', bytes(0, 2, 5, 1)],
    ['an update that is not a Yjs update', bytes(0, 2, 3, 9, 9, 9)],
    ['the 30-million-struct update bomb', syncMessage(2, structBomb)],
    ['an awareness message without its payload', bytes(1)],
    ['awareness with broken JSON', badJsonAwareness],
    ['a text frame', 'hello'],
  ])(
    '%s closes only that socket with 4400 and reports a protocol error',
    async (_what, garbage) => {
      const h = harness()
      const bystander = h.join(HUYEN)
      const bad = h.join(BOSE)
      expect(() => bad.conn.receive(garbage)).not.toThrow()
      await settle()
      expect(bad.socket.closed).toEqual({ code: CloseCode.protocolError, reason: 'protocol error' })
      expect(h.policy.protocolErrors).toHaveLength(1)
      expect(h.policy.protocolErrors[0]!.user).toBe('u-bose')
      expect(h.room.members.has(bad.conn)).toBe(false)
      expect(fieldsOf(h.room.doc)).toEqual({})
      // The room and everyone else carry on.
      bystander.conn.receive(
        updateMessage(editOf(null, (d) => d.getMap('fields').set('bodyPart', 'HEAD'))),
      )
      await settle()
      expect(bystander.socket.closed).toBeNull()
      expect(fieldsOf(h.room.doc)).toEqual({ bodyPart: 'HEAD' })
    },
  )

  it('a message over maxMessageBytes closes with 4413; one at the limit is accepted', () => {
    const h = harness({ limits: { maxMessageBytes: 1024 } })
    const a = h.join(BOSE)
    const atLimit = new Uint8Array(1024)
    atLimit[0] = 3 // query-awareness; the rest is padding it ignores
    a.conn.receive(atLimit)
    expect(a.socket.closed).toBeNull()
    a.conn.receive(new Uint8Array(1025).fill(3))
    expect(a.socket.closed).toEqual({
      code: CloseCode.messageTooLarge,
      reason: 'message too large',
    })
    expect(h.policy.messageBytes).toEqual([1024, 1025])
    expect(h.policy.protocolErrors).toEqual([])
  })

  it('a flood beyond the burst closes with 4429; after time passes the bucket refills at the configured rate', () => {
    const h = harness({ limits: { messagesPerSecond: 10, messageBurst: 20 } })
    const ping = new Uint8Array([2]) // auth: ignored, so only the limiter acts
    const flooder = h.join(BOSE)
    for (let i = 0; i < 20; i++) flooder.conn.receive(ping)
    expect(flooder.socket.closed).toBeNull()
    flooder.conn.receive(ping)
    expect(flooder.socket.closed).toEqual({
      code: CloseCode.tooManyMessages,
      reason: 'too many messages',
    })

    const steady = h.join(HUYEN)
    for (let i = 0; i < 20; i++) steady.conn.receive(ping)
    h.clock.advance(1000) // 10 tokens back
    for (let i = 0; i < 10; i++) steady.conn.receive(ping)
    expect(steady.socket.closed).toBeNull()
    steady.conn.receive(ping)
    expect(steady.socket.closed?.code).toBe(CloseCode.tooManyMessages)
  })

  it('refills never exceed the burst, however long the connection was idle', () => {
    const h = harness({ limits: { messagesPerSecond: 10, messageBurst: 20 } })
    const a = h.join(BOSE)
    h.clock.advance(3_600_000)
    for (let i = 0; i < 20; i++) a.conn.receive(new Uint8Array([2]))
    expect(a.socket.closed).toBeNull()
    a.conn.receive(new Uint8Array([2]))
    expect(a.socket.closed?.code).toBe(CloseCode.tooManyMessages)
  })
})

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

  it('a recently removed client id cannot be claimed by another connection (a stale echo must not resurrect it); after a minute it can', () => {
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
    const returning = h.join(BOSE)
    returning.conn.receive(
      awarenessMessage([{ clientID: 111, clock: 6, state: { mode: 'reading' } }]),
    )
    expect(h.room.awarenessOwners.get(111)).toBe(returning.conn)
  })
})

describe('robustness (property)', () => {
  /** A study form as loaded from storage: a plain field and a collaborative text. */
  function seededStudy(): Y.Doc {
    return docWith((d) => {
      const fields = d.getMap('fields')
      fields.set('priority', 'ROUTINE')
      const history = new Y.Text()
      fields.set('clinicalHistory', history)
      history.insert(0, 'cough for 3 weeks')
    })
  }
  const base = seededStudy()
  /** Honest edits against the seed, each from its own client so any order applies. */
  const honestEdits = [
    editOf(base, (d) => d.getMap('fields').set('description', 'CT CHEST')),
    editOf(base, (d) => (d.getMap('fields').get('clinicalHistory') as Y.Text).insert(0, 'dry ')),
    editOf(base, (d) => (d.getMap('fields').get('clinicalHistory') as Y.Text).delete(0, 5)),
    editOf(base, (d) => d.getMap('fields').set('priority', 'STAT')),
  ]

  const varPrefixed = (b: Uint8Array) => {
    const e = encoding.createEncoder()
    encoding.writeVarUint8Array(e, b)
    return encoding.toUint8Array(e)
  }
  const concat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
  const message = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    // A plausible header over random bytes.
    fc
      .tuple(fc.constantFrom(0, 1, 2, 3), fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 40 }))
      .map(([type, step, b]) => concat(new Uint8Array([type, step]), b)),
    // A well-framed sync message with a random payload.
    fc
      .tuple(fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 40 }))
      .map(([step, b]) => syncMessage(step, b)),
    // A well-framed awareness message with a random payload.
    fc.uint8Array({ maxLength: 40 }).map((b) => concat(new Uint8Array([1]), varPrefixed(b))),
    // An honest update with one byte changed, cut short or extended.
    fc
      .tuple(
        fc.nat({ max: honestEdits.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.nat({ max: 2 }),
      )
      .map(([i, at, value, how]) => {
        const u = new Uint8Array(honestEdits[i]!)
        if (how === 0) u[at % u.length] = value
        if (how === 1) return syncMessage(2, u.subarray(0, at % u.length))
        if (how === 2) return syncMessage(2, concat(u, new Uint8Array([value])))
        return syncMessage(2, u)
      }),
    // An honest update, unchanged.
    fc
      .tuple(fc.constantFrom(1, 2), fc.nat({ max: honestEdits.length - 1 }))
      .map(([step, i]) => syncMessage(step, honestEdits[i]!)),
  )

  /** What the payload of a sync update message is, if `m` is one. */
  function updatePayload(m: Uint8Array | string): Uint8Array | null {
    if (typeof m === 'string') return null
    try {
      const d = decoding.createDecoder(m)
      if (decoding.readVarUint(d) !== 0) return null
      const step = decoding.readVarUint(d)
      return step === 1 || step === 2 ? decoding.readVarUint8Array(d) : null
    } catch {
      return null
    }
  }

  it('random messages never throw out of receive, change the doc only as the valid update they carry would, and an honest client still syncs and writes afterwards', async () => {
    let changes = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(message, fc.string({ maxLength: 8 })), { maxLength: 10 }),
        async (messages) => {
          const h = harness({ doc: seededStudy(), validate: realValidator })
          let attacker = h.join(BOSE)
          for (const m of messages) {
            if (attacker.conn.isClosed) attacker = h.join(BOSE)
            const before = Y.encodeStateAsUpdate(h.room.doc)
            expect(() => attacker.conn.receive(m)).not.toThrow()
            await settle()
            const after = h.room.doc
            if (Buffer.from(Y.encodeStateAsUpdate(after)).equals(before)) continue
            // The doc changed: only a sync update may do that, and only as applying it would.
            changes++
            const payload = updatePayload(m)
            expect(payload).not.toBeNull()
            const expected = new Y.Doc()
            Y.applyUpdate(expected, before)
            Y.applyUpdate(expected, payload!)
            expect(Y.encodeStateVector(after)).toEqual(Y.encodeStateVector(expected))
            expect(fieldsOf(after)).toEqual(fieldsOf(expected))
          }

          // An honest client joins, syncs both ways and writes.
          const honest = h.join(HUYEN)
          const client = new Y.Doc()
          const mark = honest.socket.sent.length
          honest.conn.receive(step1(client))
          for (const u of updatesSince(honest.socket, mark)) Y.applyUpdate(client, u)
          expect(fieldsOf(client)).toEqual(fieldsOf(h.room.doc))
          const write = editOf(client, (d) => d.getMap('fields').set('bodyPart', 'CHEST'))
          honest.conn.receive(updateMessage(write))
          await settle()
          expect(honest.socket.closed).toBeNull()
          expect(h.room.doc.getMap('fields').get('bodyPart')).toBe('CHEST')
        },
      ),
      { numRuns: 150 },
    )
    // The generator must reach accepted writes too, or "unchanged" would be vacuous.
    expect(changes).toBeGreaterThan(10)
  })
})
