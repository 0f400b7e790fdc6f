/**
 * A server write is durable before anyone is told it happened (DESIGN §8, issue 8):
 * `serverWrite` resolves once it is logged and rejects when it cannot be; a room whose
 * memory got ahead of its log (the append failed) logs its whole state before it next
 * says "durable".
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import type { DocLogStore } from '../../../server/storage/types.ts'
import { Room } from '../../../server/sync/room.ts'
import { parseDocName } from '../../../shared/protocol.ts'
import { FaultSwitch, faultyDocLog } from '../../support/faults.ts'

function roomOn(log: DocLogStore, onFsyncError: (error: unknown) => void = () => {}) {
  return new Room(
    'patient/P1',
    parseDocName('patient/P1')!,
    new Y.Doc(),
    log,
    silentLogger,
    { onFsyncError: (_room, error) => onFsyncError(error) },
    { lastSeq: 0, recordsSinceSnapshot: 0 },
    10_000,
  )
}

async function stored(log: DocLogStore): Promise<Y.Doc> {
  const { snapshot, updates } = await log.load('patient/P1')
  const doc = new Y.Doc()
  if (snapshot) Y.applyUpdate(doc, snapshot)
  for (const { update } of updates) Y.applyUpdate(doc, update)
  return doc
}

describe('server writes', () => {
  it('resolve once the change is in the log', async () => {
    const log = new MemoryDocLogStore()
    const room = roomOn(log)
    await room.serverWrite((doc) => doc.getMap('fields').set('name', 'DOE^JANE'))
    expect((await stored(log)).getMap('fields').get('name')).toBe('DOE^JANE')
  })

  it('reject when the log fails, are reported, and a later durable() logs the whole state so memory and log agree again', async () => {
    const faults = new FaultSwitch()
    const log = new MemoryDocLogStore()
    const errors: unknown[] = []
    const room = roomOn(faultyDocLog(log, faults), (e) => errors.push(e))
    await room.serverWrite((doc) => doc.getMap('fields').set('phone', '555-0100'))
    faults.fail('ENOSPC')
    await expect(
      room.serverWrite((doc) => doc.getMap('fields').set('name', 'LOST^UNLESS^CAUGHT^UP')),
    ).rejects.toThrow(/ENOSPC/)
    expect(errors).toHaveLength(1)
    expect(room.doc.getMap('fields').get('name')).toBe('LOST^UNLESS^CAUGHT^UP') // memory is ahead
    expect((await stored(log)).getMap('fields').get('name')).toBeUndefined()
    await expect(room.durable()).rejects.toThrow(/ENOSPC/) // still failing: still not durable
    faults.clear()
    await room.durable()
    expect((await stored(log)).getMap('fields').toJSON()).toEqual({
      phone: '555-0100',
      name: 'LOST^UNLESS^CAUGHT^UP',
    })
    await room.durable() // caught up: nothing more to log
    expect((await log.load('patient/P1')).updates).toHaveLength(2)
  })

  it('a write made while behind carries the earlier, failed one with it', async () => {
    const faults = new FaultSwitch()
    const log = new MemoryDocLogStore()
    const room = roomOn(faultyDocLog(log, faults))
    faults.fail('EIO')
    await room.serverWrite((doc) => doc.getMap('fields').set('sex', 'F')).catch(() => {})
    faults.clear()
    await room.serverWrite((doc) => doc.getMap('fields').set('phone', '555-0199'))
    expect((await stored(log)).getMap('fields').toJSON()).toEqual({ sex: 'F', phone: '555-0199' })
  })
})
