/**
 * checkUpdateShape: every update Yjs produces passes; memory bombs, garbage,
 * truncations and mutations fail fast without throwing
 * (TOOLCHAIN.md "Untrusted Yjs updates").
 */
import fc from 'fast-check'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { checkUpdateShape, DEFAULT_MAX_VALUE_DEPTH } from '../../../server/sync/update-guard.ts'
import { isValidUtf8 } from '../../../server/sync/wire-bytes.ts'
import {
  anyValues,
  bytes,
  childItem,
  craftUpdate,
  itemAfter,
  REF,
  rawString,
  rootItem,
  str,
  uint,
} from './craft.ts'
import { docOp, runOps } from './random-docs.ts'

const LIMITS = { maxStructs: 100_000 }

function sampleUpdates(): Uint8Array[] {
  const d = new Y.Doc()
  const updates: Uint8Array[] = []
  d.on('update', (u: Uint8Array) => updates.push(u))
  d.getMap('fields').set('priority', 'STAT')
  const t = new Y.Text('history')
  d.getMap('fields').set('clinicalHistory', t)
  t.insert(3, 'é—🙂', { bold: true })
  t.delete(0, 2)
  d.getArray('a').insert(0, [1, 2.5, 2 ** 40, null, { x: [true] }, new Uint8Array([9])])
  d.getMap('m').set('big', 2n ** 40n)
  d.getMap('m').set('sub', new Y.Doc())
  updates.push(Y.encodeStateAsUpdate(d))
  return updates
}

/** What Yjs's own structural decoder says about the same bytes. */
function yjsDecodes(update: Uint8Array): boolean {
  try {
    Y.decodeUpdate(update)
    return true
  } catch {
    return false
  }
}

function expectRefused(update: Uint8Array, pattern: RegExp, limits = LIMITS) {
  const r = checkUpdateShape(update, limits)
  expect(r.ok).toBe(false)
  if (!r.ok) expect(r.error).toMatch(pattern)
}

describe('checkUpdateShape: legitimate updates', () => {
  it('passes real updates and counts structs and delete ranges like Yjs', () => {
    for (const u of sampleUpdates()) {
      const r = checkUpdateShape(u, LIMITS)
      const decoded = Y.decodeUpdate(u)
      let ranges = 0
      for (const list of decoded.ds.clients.values()) ranges += list.length
      expect(r).toEqual({ ok: true, structs: decoded.structs.length, deletes: ranges })
    }
  })

  it('passes the empty update', () => {
    expect(checkUpdateShape(Y.encodeStateAsUpdate(new Y.Doc()), LIMITS)).toEqual({
      ok: true,
      structs: 0,
      deletes: 0,
    })
  })

  it('passes every update of random edit sequences (maps, arrays, text, xml, subdocs, merges)', () => {
    fc.assert(
      fc.property(fc.array(docOp, { maxLength: 40, size: 'max' }), (ops) => {
        for (const u of runOps(ops)) {
          const r = checkUpdateShape(u, LIMITS)
          if (!r.ok) throw new Error(`refused a real update: ${r.error}`)
          expect(r.structs).toBe(Y.decodeUpdate(u).structs.length)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('passes a value nested exactly to the depth limit', () => {
    let deep: unknown = 1
    for (let i = 0; i < DEFAULT_MAX_VALUE_DEPTH; i++) deep = [deep]
    const d = new Y.Doc()
    d.getMap('m').set('deep', deep)
    expect(checkUpdateShape(Y.encodeStateAsUpdate(d), LIMITS).ok).toBe(true)
    d.getMap('m').set('deeper', [deep])
    expectRefused(Y.encodeStateAsUpdate(d), /nested deeper than 64/)
  })
})

describe('checkUpdateShape: declared counts', () => {
  it('refuses the 8-byte update declaring 30M structs without allocating for it', () => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1) // one client
    encoding.writeVarUint(e, 30_000_000) // structs
    encoding.writeVarUint(e, 7) // client
    encoding.writeVarUint(e, 0) // clock
    encoding.writeUint8(e, 0) // the start of a GC
    const bomb = encoding.toUint8Array(e)
    expect(bomb.length).toBe(8)
    const before = process.memoryUsage().heapUsed
    const started = performance.now()
    expectRefused(bomb, /declares 30000000 structs but only 3 bytes remain/)
    expect(performance.now() - started).toBeLessThan(50)
    // Yjs itself allocates ~230 MiB here; a guard that did the same would show.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024)
  })

  it('refuses more structs than the limit, summed over clients', () => {
    const u = sampleUpdates().at(-1)!
    const n = Y.decodeUpdate(u).structs.length
    expect(checkUpdateShape(u, { maxStructs: n }).ok).toBe(true)
    expectRefused(u, new RegExp(`more than ${n - 1} structs`), { maxStructs: n - 1 })
  })

  it('refuses client and delete-set counts the bytes cannot hold', () => {
    expectRefused(new Uint8Array([0x80, 0x80, 0x80, 0x01, 0]), /client sections/)
    expectRefused(new Uint8Array([0, 1, 5, 0xff, 0xff, 0xff, 0x0f]), /delete ranges/)
    expectRefused(new Uint8Array([0, 0xff, 0xff, 0x03, 5]), /delete-set clients/)
  })

  it('refuses ContentAny and object counts the bytes cannot hold', () => {
    const manyValues = (e: encoding.Encoder) => encoding.writeVarUint(e, 1_000_000)
    expectRefused(craftUpdate([rootItem('m', 'k', REF.any, manyValues)]), /1000000 values/)
    const bigObject = bytes([118, 0xff, 0xff, 0x3f])
    const obj = (e: encoding.Encoder) => {
      encoding.writeVarUint(e, 1)
      bigObject(e)
    }
    expectRefused(craftUpdate([rootItem('m', 'k', REF.any, obj)]), /object entries/)
  })
})

describe('checkUpdateShape: grammar', () => {
  it('refuses truncated input, trailing garbage and empty input', () => {
    expectRefused(new Uint8Array(), /malformed|truncated/)
    expectRefused(new Uint8Array([0]), /malformed|truncated/)
    expectRefused(new Uint8Array([0, 0, 0]), /1 trailing bytes/)
  })

  it('refuses every strict prefix of real updates (the walk is deterministic)', () => {
    for (const u of sampleUpdates()) {
      for (let len = 0; len < u.length; len++) {
        expect(checkUpdateShape(u.subarray(0, len), LIMITS).ok).toBe(false)
      }
    }
  })

  it('refuses content and type refs Yjs has no reader for', () => {
    expectRefused(craftUpdate([rootItem('m', 'k', 11, uint(1))]), /unknown content ref 11/)
    expectRefused(craftUpdate([rootItem('m', 'k', REF.type, uint(7))]), /unknown type ref 7/)
    expect(checkUpdateShape(craftUpdate([rootItem('m', 'k', REF.type, uint(6))]), LIMITS).ok).toBe(
      true,
    )
  })

  it('reads the node name of XmlElement (3) and XmlHook (5) type refs', () => {
    const named = (ref: number) => (e: encoding.Encoder) => {
      encoding.writeVarUint(e, ref)
      encoding.writeVarString(e, 'para')
    }
    expect(
      checkUpdateShape(craftUpdate([rootItem('x', null, REF.type, named(3))]), LIMITS).ok,
    ).toBe(true)
    expect(
      checkUpdateShape(craftUpdate([rootItem('x', null, REF.type, named(5))]), LIMITS).ok,
    ).toBe(true)
    // XmlText (6) has no name: the same bytes no longer parse.
    expectRefused(craftUpdate([rootItem('x', null, REF.type, named(6))]), /remain|trailing/)
  })

  it('refuses a Skip struct with flag bits, which decodeUpdate cannot read', () => {
    const skip = (info: number) => bytes([info, 3])
    expect(checkUpdateShape(craftUpdate([skip(10)]), LIMITS).ok).toBe(true)
    const flagged = craftUpdate([skip(10 | 0x20)])
    expect(yjsDecodes(flagged)).toBe(false)
    expectRefused(flagged, /skip struct with flag bits/)
  })

  it('refuses strings that are not UTF-8 (lib0 decodes them fatally)', () => {
    const badKey = (e: encoding.Encoder) => {
      encoding.writeUint8(e, REF.string | 0x20)
      encoding.writeVarUint(e, 1)
      encoding.writeVarString(e, 'm')
      rawString([0xc3, 0x28])(e)
      encoding.writeVarString(e, 'v')
    }
    expectRefused(craftUpdate([badKey]), /not valid UTF-8/)
    expectRefused(
      craftUpdate([rootItem('t', null, REF.string, rawString([0xed, 0xa0, 0x80]))]),
      /UTF-8/,
    )
  })

  it('refuses format, embed and JSON content that JSON.parse would throw on', () => {
    const format = (value: string) => (e: encoding.Encoder) => {
      encoding.writeVarString(e, 'bold')
      encoding.writeVarString(e, value)
    }
    expect(
      checkUpdateShape(craftUpdate([rootItem('t', null, REF.format, format('true'))]), LIMITS).ok,
    ).toBe(true)
    expectRefused(craftUpdate([rootItem('t', null, REF.format, format('{bold'))]), /invalid JSON/)
    for (const near of ['nulL', 'tru', 'trux']) {
      expectRefused(craftUpdate([rootItem('t', null, REF.format, format(near))]), /invalid JSON/)
    }
    expectRefused(craftUpdate([rootItem('t', null, REF.embed, str('[1,'))]), /invalid JSON/)
    const json =
      (...parts: string[]) =>
      (e: encoding.Encoder) => {
        encoding.writeVarUint(e, parts.length)
        for (const p of parts) encoding.writeVarString(e, p)
      }
    expect(
      checkUpdateShape(craftUpdate([rootItem('a', null, REF.json, json('1', 'undefined'))]), LIMITS)
        .ok,
    ).toBe(true)
    expectRefused(craftUpdate([rootItem('a', null, REF.json, json('undefinedx'))]), /invalid JSON/)
  })

  it('refuses deep JSON in embeds before parsing it, ignoring brackets in strings', () => {
    const deep = `${'['.repeat(65)}${']'.repeat(65)}`
    expectRefused(craftUpdate([rootItem('t', null, REF.embed, str(deep))]), /nested deeper than 64/)
    const inString = JSON.stringify({ s: '[[[[\\"'.repeat(40) })
    expect(
      checkUpdateShape(craftUpdate([rootItem('t', null, REF.embed, str(inString))]), LIMITS).ok,
    ).toBe(true)
  })

  it('bounds any-value nesting: 100,000 levels fail fast where lib0 readAny overflows the stack', () => {
    const levels = 100_000
    const deep = new Uint8Array(2 * levels + 1)
    for (let i = 0; i < levels; i++) deep.set([117, 1], 2 * i)
    deep[2 * levels] = 126
    expect(() => decoding.readAny(decoding.createDecoder(deep))).toThrow(RangeError)
    const value = (e: encoding.Encoder) => {
      encoding.writeVarUint(e, 1)
      encoding.writeUint8Array(e, deep)
    }
    expectRefused(craftUpdate([rootItem('m', 'k', REF.any, value)]), /nested deeper than 64/)
  })

  it('refuses unknown any tags and truncated fixed-size numbers', () => {
    expectRefused(
      craftUpdate([rootItem('m', 'k', REF.any, bytes([1, 115]))]),
      /unknown value tag 115/,
    )
    expectRefused(
      craftUpdate([rootItem('m', 'k', REF.any, bytes([1, 123, 0, 0]))]),
      /truncated|trailing|remain/,
    )
    expect(
      checkUpdateShape(
        craftUpdate([rootItem('m', 'k', REF.any, anyValues(1.5, -7, 2n ** 62n))]),
        LIMITS,
      ).ok,
    ).toBe(true)
  })

  it('refuses padded varUints, which lib0 decodes as NaN and Yjs then throws on', () => {
    const padded = new Uint8Array(200).fill(0x80)
    padded[199] = 1
    expect(decoding.readVarUint(decoding.createDecoder(padded))).toBeNaN()
    const nanStructs = Uint8Array.of(1, ...padded, 0, 0, 0)
    expect(() => Y.applyUpdate(new Y.Doc(), nanStructs)).toThrow(RangeError) // new Array(NaN)
    expectRefused(nanStructs, /varUint longer than 8 bytes/)
    expectRefused(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0), /out of range/)
  })

  it('refuses zero-length structs, which Yjs never writes and cannot store', () => {
    const zero = [
      bytes([0, 0]), // GC
      bytes([10, 0]), // Skip
      rootItem('t', null, REF.deleted, uint(0)),
      rootItem('t', null, REF.string, str('')),
      rootItem('t', null, REF.string, bytes([0x80, 0x00])), // overlong varUint 0
      rootItem('m', 'k', REF.any, uint(0)),
      rootItem('a', null, REF.json, uint(0)),
    ]
    for (const struct of zero) expectRefused(craftUpdate([struct]), /zero-length struct/)
    expect(checkUpdateShape(craftUpdate([bytes([0, 1]), bytes([10, 1])]), LIMITS).ok).toBe(true)
  })

  it('refuses subdocuments whose options are not an object', () => {
    const subdoc = (opts: unknown) => (e: encoding.Encoder) => {
      encoding.writeVarString(e, 'guid')
      encoding.writeAny(e, opts as Parameters<typeof encoding.writeAny>[1])
    }
    expect(
      checkUpdateShape(craftUpdate([rootItem('m', 'k', REF.doc, subdoc({}))]), LIMITS).ok,
    ).toBe(true)
    expectRefused(
      craftUpdate([rootItem('m', 'k', REF.doc, subdoc(null))]),
      /options must be an object/,
    )
  })

  it('reads origins, right origins and ID parents', () => {
    const u = craftUpdate([
      itemAfter(5, 3, REF.string, str('a')),
      childItem(5, 0, REF.string, str('b')),
      (e) => {
        encoding.writeUint8(e, REF.deleted | 0x40 | 0x20) // right origin; parentSub bit is ignored
        encoding.writeVarUint(e, 5)
        encoding.writeVarUint(e, 9)
        encoding.writeVarUint(e, 4)
      },
    ])
    expect(checkUpdateShape(u, LIMITS)).toEqual({ ok: true, structs: 3, deletes: 0 })
  })
})

describe('checkUpdateShape: robustness', () => {
  it('never throws on random bytes, and what it passes Yjs can decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (u) => {
        const r = checkUpdateShape(u, LIMITS)
        expect(typeof r.ok).toBe('boolean')
        if (r.ok) expect(yjsDecodes(u)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on mutated real updates, and what it passes Yjs can decode', () => {
    const real = sampleUpdates()
    const mutation = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      kind: fc.constantFrom('set', 'insert', 'remove'),
    })
    const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 })
    fc.assert(
      fc.property(fc.nat(real.length - 1), mutations, (which, ms) => {
        const u = ms.reduce(mutate, real[which]!)
        const r = checkUpdateShape(u, LIMITS)
        if (r.ok) expect(yjsDecodes(u)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with a fatal TextDecoder on which byte strings are UTF-8', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc
        .array(fc.constantFrom(0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xa0, 0x9f), {
          maxLength: 12,
        })
        .map((a) => new Uint8Array(a)),
    )
    fc.assert(
      fc.property(bytesArb, (b) => {
        let expected = true
        try {
          decoder.decode(b)
        } catch {
          expected = false
        }
        expect(isValidUtf8(b, 0, b.length)).toBe(expected)
      }),
      { numRuns: 5000 },
    )
  })
})

function mutate(
  u: Uint8Array,
  m: { at: number; byte: number; kind: 'set' | 'insert' | 'remove' },
): Uint8Array {
  const at = u.length === 0 ? 0 : m.at % u.length
  const copy = Array.from(u)
  if (m.kind === 'set' && copy.length > 0) copy[at] = m.byte
  else if (m.kind === 'insert') copy.splice(at, 0, m.byte)
  else copy.splice(at, 1)
  return new Uint8Array(copy)
}
