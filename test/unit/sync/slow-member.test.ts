/** A member that stops reading is dropped, not buffered for without bound (issue 8 §4). */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DEFAULT_LIMITS } from '../../../server/config.ts'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import { Connection } from '../../../server/sync/connection.ts'
import { Room } from '../../../server/sync/room.ts'
import { CloseCode, parseDocName } from '../../../shared/protocol.ts'
import { MemorySocket } from '../../support/memory-socket.ts'
import {
  BOSE,
  editOf,
  FakeClock,
  HUYEN,
  recordingPolicy,
  settle,
  updateMessage,
} from './room-harness.ts'

function roomWithLimit(maxBufferedBytes: number) {
  const name = 'study/A1'
  const room = new Room(
    name,
    parseDocName(name)!,
    new Y.Doc(),
    new MemoryDocLogStore(),
    silentLogger,
    {},
    { lastSeq: 0, recordsSinceSnapshot: 0 },
    10_000,
    maxBufferedBytes,
  )
  const clock = new FakeClock()
  const policy = recordingPolicy([BOSE.id, HUYEN.id])
  const join = (who = BOSE) => {
    const socket = new MemorySocket()
    const conn = new Connection(socket, room, who, `s-${who.id}`, DEFAULT_LIMITS, policy, clock)
    return { socket, conn }
  }
  return { room, join }
}

describe('slow members', () => {
  it('a member with more than maxBufferedBytes queued is closed 4429 "too slow" on the next send; others still get the update', async () => {
    const { room, join } = roomWithLimit(1000)
    const writer = join(BOSE)
    const fast = join(HUYEN)
    const slow = join(HUYEN)
    slow.socket.bufferedAmount = 1001
    writer.conn.receive(
      updateMessage(editOf(null, (d) => d.getMap('fields').set('bodyPart', 'KNEE'))),
    )
    await settle()
    expect(slow.socket.closed).toEqual({ code: CloseCode.tooManyMessages, reason: 'too slow' })
    expect(room.members.has(slow.conn)).toBe(false)
    expect(fast.socket.closed).toBeNull()
    expect(room.doc.getMap('fields').get('bodyPart')).toBe('KNEE')
    expect(fast.socket.sent.length).toBeGreaterThan(1)
  })

  it('exactly at the limit is still fine, and one large message to an idle member goes out whatever its size', () => {
    const { room, join } = roomWithLimit(1000)
    const member = join(BOSE)
    member.socket.bufferedAmount = 1000
    room.send(member.conn, new Uint8Array(5000))
    member.socket.bufferedAmount = 0
    room.send(member.conn, new Uint8Array(50_000))
    expect(member.socket.closed).toBeNull()
    expect(member.socket.sent.at(-1)?.byteLength).toBe(50_000)
  })
})
