/**
 * Ids and clocks past what Yjs makes are refused (issue 8, found by the fuzz soak):
 * two deleted runs 2^53 long from client 2^53-1 left a document whose own state no
 * longer loaded — its snapshot threw in findIndexSS, so after the next compaction the
 * room could not be opened again.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { checkUpdateShape, MAX_CLIENT_ID, MAX_CLOCK } from '../../../server/sync/update-guard.ts'
import { docWith, harness, realValidator, settle, updateMessage } from '../sync/room-harness.ts'
import { craftUpdate, REF, rootItem, str } from './craft.ts'

const deletedRun = (length: number, client = 123, clock = 0) =>
  craftUpdate(
    [rootItem('fields', 'description', REF.deleted, (e) => encoding.writeVarUint(e, length))],
    { client, clock },
  )

const limits = { maxStructs: 1000 }

describe('clock and client id bounds', () => {
  it('refuses a client id that is not a uint32, and a struct, run or delete range past MAX_CLOCK', () => {
    expect(checkUpdateShape(deletedRun(5, MAX_CLIENT_ID + 1), limits)).toMatchObject({ ok: false })
    expect(checkUpdateShape(deletedRun(MAX_CLOCK + 1), limits)).toMatchObject({ ok: false })
    expect(checkUpdateShape(deletedRun(5, 7, MAX_CLOCK), limits)).toMatchObject({ ok: false })
    const ds = encoding.createEncoder()
    encoding.writeVarUint(ds, 0) // no structs
    encoding.writeVarUint(ds, 1) // one delete-set client
    encoding.writeVarUint(ds, 9)
    encoding.writeVarUint(ds, 1)
    encoding.writeVarUint(ds, MAX_CLOCK)
    encoding.writeVarUint(ds, 1)
    expect(checkUpdateShape(encoding.toUint8Array(ds), limits)).toMatchObject({ ok: false })
  })

  it('accepts what honest clients send: uint32 ids, long but bounded runs', () => {
    expect(checkUpdateShape(deletedRun(1_000_000, MAX_CLIENT_ID), limits)).toMatchObject({
      ok: true,
    })
    const ok = craftUpdate([rootItem('fields', 'description', REF.string, str('x'))], {
      client: MAX_CLIENT_ID,
      clock: MAX_CLOCK - 1,
    })
    expect(checkUpdateShape(ok, limits)).toMatchObject({ ok: true })
  })

  it('the fuzz soak’s pair of 2^53 deleted runs is refused (4400) and the document still loads', async () => {
    const h = harness({
      doc: docWith((d) => d.getMap('fields').set('priority', 'ROUTINE')),
      validate: realValidator,
    })
    for (let i = 0; i < 2; i++) {
      const attacker = h.join({ id: 'u-bose', name: 'BOSE', role: 'radiologist' })
      attacker.conn.receive(
        updateMessage(deletedRun(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0)),
      )
      await settle()
      expect(attacker.socket.closed?.code).toBe(4400)
    }
    await h.room.settled()
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(h.room.doc))
    expect(reloaded.getMap('fields').get('priority')).toBe('ROUTINE')
  })
})
