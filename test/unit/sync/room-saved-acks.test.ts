/**
 * Saved acknowledgements go to every member that asked, however members come and go;
 * a commit in a room where nobody asked sends none (and schedules nothing).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import { Room, type RoomMember } from '../../../server/sync/room.ts'
import { CustomMessageType, parseDocName } from '../../../shared/protocol.ts'
import { MemorySocket } from '../../support/memory-socket.ts'

function member(wantsSavedAcks: boolean): RoomMember & { socket: MemorySocket } {
  return {
    socket: new MemorySocket(),
    sessionId: 's',
    userId: 'u',
    awarenessIds: new Set(),
    wantsSavedAcks,
    close() {},
  }
}

const acks = (m: { socket: MemorySocket }) =>
  m.socket.sent.filter((frame) => frame[0] === CustomMessageType.savedAck).length

/** Waits for the turn of the loop after the commit's ack was scheduled. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('saved acknowledgements', () => {
  it('reach the members that asked, as they join, leave and rejoin', async () => {
    const room = new Room(
      'study/A1',
      parseDocName('study/A1')!,
      new Y.Doc(),
      new MemoryDocLogStore(),
      silentLogger,
      {},
      { lastSeq: 0, recordsSinceSnapshot: 0 },
      1000,
    )
    const writer = member(false)
    room.add(writer)
    let n = 0
    const commit = async () => {
      const doc = new Y.Doc()
      doc.getText('body').insert(0, `edit ${++n}`)
      await room.commit(Y.encodeStateAsUpdate(doc), writer)
      await turn()
    }
    await commit()
    expect(acks(writer)).toBe(0)

    const asker = member(true)
    room.add(asker)
    room.add(asker) // adding twice counts once
    await commit()
    expect(acks(asker)).toBe(1)
    expect(acks(writer)).toBe(0)

    room.remove(asker)
    room.remove(asker)
    await commit()
    expect(acks(asker)).toBe(1)

    const again = member(true)
    room.add(again)
    await commit()
    expect(acks(again)).toBe(1)
  })
})
