/**
 * Awareness guards: states are bounded in size and depth before y-protocols
 * parses or re-stringifies them, and the server can rewrite `user` in each
 * entry and re-encode the update byte for byte (SCENARIOS S5;
 * TOOLCHAIN.md "Untrusted Yjs updates").
 */
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import {
  type AwarenessEntry,
  decodeAwarenessUpdate,
  parseAwarenessJson,
  sanitizeAwarenessState,
} from '../../../server/sync/awareness-guard.ts'
import { jsonBytesDepth, jsonTextDepth } from '../../../server/sync/wire-bytes.ts'
import { encodeAwarenessEntries } from '../../support/awareness-encoding.ts'

const LIMITS = { maxBytes: 4096, maxDepth: 8 }
const UPDATE_LIMITS = { ...LIMITS, maxEntries: 16 }
const DEEP = 100_000

function expectError(r: { ok: boolean; error?: string }, pattern: RegExp) {
  expect(r.ok).toBe(false)
  expect(r.error).toMatch(pattern)
}

/** An awareness update with the given raw entries (JSON text as-is). */
function rawUpdate(entries: Array<[number, number, string | number[]]>, count = entries.length) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, count)
  for (const [client, clock, json] of entries) {
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, clock)
    if (typeof json === 'string') encoding.writeVarString(e, json)
    else encoding.writeVarUint8Array(e, new Uint8Array(json))
  }
  return encoding.toUint8Array(e)
}

describe('parseAwarenessJson', () => {
  it('accepts objects and null', () => {
    expect(parseAwarenessJson('{"cursor":{"field":"notes","index":3}}', LIMITS)).toEqual({
      ok: true,
      state: { cursor: { field: 'notes', index: 3 } },
    })
    expect(parseAwarenessJson('null', LIMITS)).toEqual({ ok: true, state: null })
  })

  it('refuses non-objects and non-JSON', () => {
    for (const json of ['[]', '5', '"s"', 'true']) {
      expectError(parseAwarenessJson(json, LIMITS), /must be an object or null/)
    }
    expectError(parseAwarenessJson('{"a":', LIMITS), /not JSON/)
    expectError(parseAwarenessJson('', LIMITS), /not JSON/)
  })

  it('measures size in UTF-8 bytes', () => {
    const fits = JSON.stringify({ s: 'x'.repeat(LIMITS.maxBytes - 8) })
    expect(parseAwarenessJson(fits, LIMITS).ok).toBe(true)
    expectError(parseAwarenessJson(`${fits} `, LIMITS), /larger than 4096 bytes/)
    // 1,500 characters, 4,500 bytes.
    expectError(parseAwarenessJson(JSON.stringify({ s: '€'.repeat(1500) }), LIMITS), /larger than/)
  })

  it('counts depth from the state object, ignoring brackets inside strings', () => {
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
    expect(parseAwarenessJson(nest(8), LIMITS).ok).toBe(true)
    expectError(parseAwarenessJson(nest(9), LIMITS), /nested deeper than 8/)
    const tricky = JSON.stringify({ s: '[[[[[[[[[[{{{{{{{', q: '\\"[[[[[[[[[[' })
    expect(parseAwarenessJson(tricky, LIMITS).ok).toBe(true)
  })

  it('refuses 100,000-level nesting before JSON.parse, where JSON.stringify would throw', () => {
    const json = `{"a":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`
    expect(() => JSON.stringify(JSON.parse(json))).toThrow(RangeError)
    const started = performance.now()
    expectError(parseAwarenessJson(json, { maxBytes: 1e6, maxDepth: 16 }), /nested deeper than 16/)
    expect(performance.now() - started).toBeLessThan(200)
  })
})

describe('JSON depth scanners', () => {
  it('agree with the real nesting of any JSON value, as text and as UTF-8 bytes', () => {
    const depthOf = (v: unknown): number =>
      typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const json = JSON.stringify(v)
        const bytes = new TextEncoder().encode(json)
        expect(jsonTextDepth(json)).toBe(depthOf(v))
        expect(jsonBytesDepth(bytes, 0, bytes.length)).toBe(depthOf(v))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('sanitizeAwarenessState', () => {
  it('accepts null and JSON objects, returning a copy to stamp user into', () => {
    expect(sanitizeAwarenessState(null, LIMITS)).toEqual({ ok: true, state: null })
    const state = { user: { id: 'u1', name: 'Fake' }, cursor: [1, 'x', null, true] }
    const r = sanitizeAwarenessState(state, LIMITS)
    expect(r).toEqual({ ok: true, state })
    if (r.ok) expect(r.state).not.toBe(state)
  })

  it('refuses non-objects and values that are not JSON data', () => {
    for (const bad of [undefined, 5, 'x', [], new Date(), new Map()]) {
      expectError(sanitizeAwarenessState(bad, LIMITS), /must be an object or null/)
    }
    for (const bad of [
      { f: () => 1 },
      { n: 1n },
      { x: Number.NaN },
      { u: undefined },
      { s: Symbol() },
    ]) {
      expectError(sanitizeAwarenessState(bad, LIMITS), /not JSON/)
    }
  })

  it('refuses 100,000-level nesting and cycles without recursing', () => {
    const root: Record<string, unknown> = {}
    let node = root
    for (let i = 0; i < DEEP; i++) {
      const next: Record<string, unknown> = {}
      node.a = next
      node = next
    }
    expectError(
      sanitizeAwarenessState(root, { maxBytes: 1e7, maxDepth: 64 }),
      /nested deeper than 64/,
    )
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expectError(sanitizeAwarenessState(cyclic, LIMITS), /nested deeper than 8/)
  })

  it('stops early on shared sub-objects that would expand exponentially', () => {
    let node: Record<string, unknown> = { leaf: 'x' }
    for (let i = 0; i < 7; i++) node = { l: node, r: node } // 2^7 leaves, as a tree
    const started = performance.now()
    expectError(sanitizeAwarenessState(node, { maxBytes: 1000, maxDepth: 8 }), /larger than 1000/)
    expect(performance.now() - started).toBeLessThan(50)
    expect(sanitizeAwarenessState(node, { maxBytes: 10_000, maxDepth: 8 }).ok).toBe(true)
  })
})

describe('decodeAwarenessUpdate / encodeAwarenessUpdateFrom', () => {
  function clientAwareness(state: Record<string, unknown>) {
    const awareness = new Awareness(new Y.Doc())
    awareness.setLocalState(state)
    return awareness
  }

  it('decodes a real y-protocols update and re-encodes it byte for byte', () => {
    const a = clientAwareness({ user: { name: 'Alice' }, field: 'notes' })
    const update = encodeAwarenessUpdate(a, [a.clientID])
    const r = decodeAwarenessUpdate(update, UPDATE_LIMITS)
    expect(r).toEqual({
      ok: true,
      entries: [
        { clientID: a.clientID, clock: 1, state: { user: { name: 'Alice' }, field: 'notes' } },
      ],
    })
    if (r.ok) expect(encodeAwarenessEntries(r.entries)).toEqual(update)
    a.destroy()
  })

  it('lets the server stamp user from the session, so a client cannot pose as another (S5)', () => {
    const mallory = clientAwareness({ user: { id: 'admin', name: 'Dr. Admin' }, field: 'priority' })
    const removed = { clientID: 77, clock: 3, state: null }
    const update = encodeAwarenessEntries([
      ...decodeOk(encodeAwarenessUpdate(mallory, [mallory.clientID])),
      removed,
    ])
    const stamped = decodeOk(update).map((e) => ({
      ...e,
      state: e.state && { ...e.state, user: { id: 'u-mallory', name: 'Mallory' } },
    }))
    const server = new Awareness(new Y.Doc())
    applyAwarenessUpdate(server, encodeAwarenessEntries(stamped), 'client')
    expect(server.getStates().get(mallory.clientID)).toEqual({
      user: { id: 'u-mallory', name: 'Mallory' },
      field: 'priority',
    })
    expect(server.getStates().has(77)).toBe(false)
    mallory.destroy()
    server.destroy()
  })

  it('refuses entry counts over the limit or beyond the bytes, before looping', () => {
    const many = Array.from({ length: 17 }, (_, i): [number, number, string] => [i, 1, 'null'])
    expectError(decodeAwarenessUpdate(rawUpdate(many), UPDATE_LIMITS), /more than 16 entries/)
    const bomb = rawUpdate([], 2 ** 30)
    expectError(
      decodeAwarenessUpdate(bomb, { ...UPDATE_LIMITS, maxEntries: 2 ** 31 }),
      /declares 1073741824 entries/,
    )
  })

  it('refuses oversized, deep, non-object, non-UTF-8 and non-JSON states', () => {
    expectError(
      decodeAwarenessUpdate(rawUpdate([[1, 1, 'x'.repeat(5000)]]), UPDATE_LIMITS),
      /larger than 4096/,
    )
    const deep = `{"a":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`
    expectError(
      decodeAwarenessUpdate(rawUpdate([[1, 1, deep]]), { ...UPDATE_LIMITS, maxBytes: 1e6 }),
      /client 1: awareness state nested deeper than 8/,
    )
    expectError(decodeAwarenessUpdate(rawUpdate([[1, 1, '[1]']]), UPDATE_LIMITS), /object or null/)
    expectError(
      decodeAwarenessUpdate(rawUpdate([[1, 1, [0x7b, 0xff, 0x7d]]]), UPDATE_LIMITS),
      /UTF-8/,
    )
    expectError(decodeAwarenessUpdate(rawUpdate([[1, 1, '{']]), UPDATE_LIMITS), /not JSON/)
  })

  it('refuses truncation and trailing bytes', () => {
    const update = rawUpdate([[1, 1, '{"a":1}']])
    for (let len = 0; len < update.length; len++) {
      expect(decodeAwarenessUpdate(update.subarray(0, len), UPDATE_LIMITS).ok).toBe(false)
    }
    expectError(
      decodeAwarenessUpdate(Uint8Array.of(...update, 0), UPDATE_LIMITS),
      /1 trailing bytes/,
    )
  })

  it('refuses padded varUints, which lib0 reads as NaN client ids', () => {
    const padded = [...new Array(199).fill(0x80), 1]
    const update = Uint8Array.of(1, ...padded, 1, 4, ...new TextEncoder().encode('null'))
    expectError(decodeAwarenessUpdate(update, UPDATE_LIMITS), /varUint longer than 8 bytes/)
  })

  it('round-trips random valid entries', () => {
    const state = fc.option(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }),
    )
    const entry = fc.record({ clientID: fc.nat(2 ** 32 - 1), clock: fc.nat(), state })
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const expected = entries.map((e) => ({ ...e, state: JSON.parse(JSON.stringify(e.state)) }))
        const r = decodeAwarenessUpdate(encodeAwarenessEntries(entries as AwarenessEntry[]), {
          maxBytes: 1e6,
          maxDepth: 8,
          maxEntries: 5,
        })
        expect(r).toEqual({ ok: true, entries: expected })
      }),
    )
  })

  it('never throws on random bytes or random JSON text', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.string({ unit: 'binary' }),
        (bytes, text) => {
          expect(typeof decodeAwarenessUpdate(bytes, UPDATE_LIMITS).ok).toBe('boolean')
          expect(typeof parseAwarenessJson(text, LIMITS).ok).toBe('boolean')
        },
      ),
      { numRuns: 3000 },
    )
  })
})

function decodeOk(update: Uint8Array): AwarenessEntry[] {
  const r = decodeAwarenessUpdate(update, UPDATE_LIMITS)
  if (!r.ok) throw new Error(r.error)
  return r.entries
}
