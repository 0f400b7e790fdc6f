/** Saved-on-server acknowledgements (message type 100): only for clients that ask, covering what is durable. */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CustomMessageType } from '../../shared/protocol.ts'
import { messageType, rawSocket, syncUpdateMessage, until } from '../support/clients.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

function ackVector(message: Uint8Array): Map<number, number> {
  const decoder = decoding.createDecoder(message)
  decoding.readVarUint(decoder)
  return Y.decodeStateVector(decoding.readVarUint8Array(decoder))
}

function step1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc))
  return encoding.toUint8Array(encoder)
}

/** A client doc that first syncs the server's copy through a raw socket, then edits. */
async function editThrough(path: string, edit: (doc: Y.Doc) => void) {
  const socket = rawSocket(t.wsUrl, path)
  await socket.opened
  const doc = new Y.Doc()
  const serverState = await t.server.rooms.with('study/A10050', (room) =>
    Y.encodeStateAsUpdate(room.doc),
  )
  Y.applyUpdate(doc, serverState)
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  edit(doc)
  for (const u of updates) socket.ws.send(syncUpdateMessage(u))
  return { socket, doc }
}

describe('saved acknowledgements', () => {
  it('a client that asks (?savedAck=1) gets the durable state vector covering its edit', async () => {
    const token = await t.login('bose')
    const { socket, doc } = await editThrough(`/sync/study/A10050?token=${token}&savedAck=1`, (d) =>
      d.getMap('fields').set('bodyPart', 'ANKLE'),
    )
    const ack = await socket.nextMessage(
      (m) =>
        messageType(m) === CustomMessageType.savedAck &&
        (ackVector(m).get(doc.clientID) ?? 0) >= Y.getState(doc.store, doc.clientID),
    )
    expect(ackVector(ack).get(doc.clientID)).toBe(Y.getState(doc.store, doc.clientID))
    // Durable means it is in the stored log, not only in memory.
    const stored = await t.docs.load('study/A10050')
    const replay = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(replay, stored.snapshot)
    for (const { update } of stored.updates) Y.applyUpdate(replay, update)
    expect(replay.getMap('fields').get('bodyPart')).toBe('ANKLE')
    socket.ws.close()
  })

  it('a client with nothing new is told at once that everything it has is saved', async () => {
    const token = await t.login('bose')
    const socket = rawSocket(t.wsUrl, `/sync/study/A10051?token=${token}&savedAck=1`)
    await socket.opened
    socket.ws.send(syncUpdateMessage(Y.encodeStateAsUpdate(new Y.Doc())))
    const ack = await socket.nextMessage((m) => messageType(m) === CustomMessageType.savedAck)
    expect(ackVector(ack).size).toBeGreaterThan(0)
    socket.ws.close()
  })

  it('a stock client that does not ask never receives the custom message', async () => {
    const token = await t.login('huyen')
    const { socket } = await editThrough(`/sync/study/A10050?token=${token}`, (d) =>
      d.getMap('fields').set('bodyPart', 'WRIST'),
    )
    // Round trip a sync step 1 after the edit: its step 2 answer comes after any ack would have.
    const room = await t.server.rooms.with('study/A10050', (r) => r)
    await until(room.doc, () => room.doc.getMap('fields').get('bodyPart') === 'WRIST')
    const before = socket.messages.length
    socket.ws.send(step1(new Y.Doc()))
    await socket.nextMessage((m) => {
      const d = decoding.createDecoder(m)
      return (
        socket.messages.indexOf(m) >= before &&
        decoding.readVarUint(d) === 0 &&
        decoding.readVarUint(d) === 1
      )
    })
    expect(socket.messages.some((m) => messageType(m) === CustomMessageType.savedAck)).toBe(false)
    socket.ws.close()
  })
})
