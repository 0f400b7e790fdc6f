/**
 * Room + Connection driven directly through in-memory sockets (STYLE 3, 4, 13):
 * joining, durability before broadcast, the dispatcher's write rules, garbage
 * and limits — with a fake clock, in-memory storage and no network.
 * Awareness: connection-awareness.test.ts; random input: connection-property.test.ts.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../../shared/protocol.ts'
import { isSyncFrame } from '../../support/memory-socket.ts'
import {
  awarenessMessage,
  awarenessSince,
  awarenessStates,
  BOSE,
  docWith,
  editOf,
  fieldsOf,
  HeldDocLog,
  HUYEN,
  harness,
  realValidator,
  settle,
  step1,
  step2,
  syncMessage,
  TECH,
  updateMessage,
  updatesSince,
} from './room-harness.ts'

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

  it('structs the room holds but cannot integrate yet (pending) are not new, nor another user’s to extend, when a client relays them back', async () => {
    const h = harness({ docName: 'study/A1/report', writers: [BOSE.id, HUYEN.id] })
    // Bose's second edit arrives without his first: Yjs keeps it pending, unintegrated.
    const bose = new Y.Doc()
    bose.getText('body').insert(0, 'FINDINGS: ')
    const sv = Y.encodeStateVector(bose)
    bose.getText('body').insert(10, 'none')
    const second = Y.encodeStateAsUpdate(bose, sv)
    const writer = h.join(BOSE)
    writer.conn.receive(updateMessage(second))
    await settle()
    expect(writer.socket.closed).toBeNull()
    expect(h.room.doc.store.pendingStructs).not.toBeNull()

    // Huyen syncs (Yjs hands her the pending structs too), then types: her update carries them.
    const huyen = h.join(HUYEN)
    const client = new Y.Doc()
    const mark = huyen.socket.sent.length
    huyen.conn.receive(step1(client))
    for (const u of updatesSince(huyen.socket, mark)) Y.applyUpdate(client, u)
    huyen.conn.receive(step2(Y.encodeStateAsUpdate(client, Y.encodeStateVector(h.room.doc))))
    const write = editOf(client, (d) => d.getText('title').insert(0, 'CT CHEST'))
    huyen.conn.receive(updateMessage(write))
    await settle()
    expect(huyen.socket.closed).toBeNull()
    expect(h.policy.refused).toEqual([])
    expect(h.room.doc.getText('title').toString()).toBe('CT CHEST')
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
