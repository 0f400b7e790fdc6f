/** The sync encoders write exactly what lib0's encoder (y-protocols' way) writes. */
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  encodeSavedAck,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  SyncStep,
} from '../../../server/sync/messages.ts'
import { CustomMessageType, MessageType } from '../../../shared/protocol.ts'

function lib0(type: number, subType: number | null, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  if (subType !== null) encoding.writeVarUint(encoder, subType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

const bytes = (u: Uint8Array) => [...u]

describe('sync message encoders', () => {
  it('encode an update of any length (varint length prefixes of 1 to 3 bytes)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.integer({ min: 16_000, max: 17_000 }).map((n) => new Uint8Array(n).fill(7)),
        ),
        (update) => {
          expect(bytes(encodeSyncUpdate(update))).toEqual(
            bytes(lib0(MessageType.sync, SyncStep.update, update)),
          )
        },
      ),
    )
  })

  it('encode step 1, step 2 and the saved acknowledgement of a document', () => {
    const doc = new Y.Doc()
    doc.clientID = 300 // a two-byte varint inside the state vector
    doc.getText('body').insert(0, 'x'.repeat(200))
    const empty = Y.encodeStateVector(new Y.Doc())
    expect(bytes(encodeSyncStep1(doc))).toEqual(
      bytes(lib0(MessageType.sync, SyncStep.step1, Y.encodeStateVector(doc))),
    )
    expect(bytes(encodeSyncStep2(doc, empty))).toEqual(
      bytes(lib0(MessageType.sync, SyncStep.step2, Y.encodeStateAsUpdate(doc, empty))),
    )
    expect(bytes(encodeSavedAck(doc))).toEqual(
      bytes(lib0(CustomMessageType.savedAck, null, Y.encodeStateVector(doc))),
    )
  })
})
