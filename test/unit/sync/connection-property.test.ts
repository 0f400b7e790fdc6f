/**
 * Property (STYLE 13): random bytes from one connection never throw out of
 * `receive`, change the room's doc only as the valid update they carry would,
 * and leave the room serving an honest client.
 */
import fc from 'fast-check'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  BOSE,
  docWith,
  editOf,
  fieldsOf,
  HUYEN,
  harness,
  realValidator,
  settle,
  step1,
  syncMessage,
  updateMessage,
  updatesSince,
} from './room-harness.ts'

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
