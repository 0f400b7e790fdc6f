/** S33: the hash chain's canonical JSON and hashing (DESIGN §7). */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ChainResult,
  ChainVerifier,
  canonicalJson,
  computeHash,
  GENESIS_HASH,
  type UnchainedEntry,
} from '../../../server/audit/chain.ts'
import { chainEntry, prepareEntry } from '../../../server/audit/entry.ts'
import type { AuditEntry } from '../../../server/audit/types.ts'
import { input, T0 } from './helpers.ts'

/** A copy of a JSON value with every object's keys in a shuffled order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i))
  if (typeof value !== 'object' || value === null) return value
  const keys = Object.keys(value)
  const order = keys.map((k, i) => ({ k, r: Math.sin(seed * 31 + i) })).sort((a, b) => a.r - b.r)
  // fromEntries defines own properties, as JSON.parse does: `out[k] = …` with k = "__proto__"
  // (which fc.jsonValue generates) would set the prototype instead.
  return Object.fromEntries(
    order.map(({ k }) => [k, shuffleKeys((value as Record<string, unknown>)[k], seed + 1)]),
  )
}

describe('S33 canonicalJson', () => {
  it('sorts keys at every level and has no whitespace', () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}')
  })

  it('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value))
      }),
    )
  })

  it('round-trips through JSON.parse to the same string (what a re-read of the file sees)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value)
        expect(canonicalJson(JSON.parse(once))).toBe(once)
      }),
    )
  })

  it('leaves out undefined object properties, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}')
  })

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['-Infinity', [Number.NEGATIVE_INFINITY]],
    ['a bigint', { n: 1n }],
    ['a Date', { at: new Date(0) }],
    ['a function', { f: () => 1 }],
    ['undefined in an array', [1, undefined]],
  ])('rejects %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError)
  })

  it('rejects cycles and absurd nesting instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => canonicalJson(cyclic)).toThrow(/nested deeper/)
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(() => canonicalJson(deep)).toThrow(/nested deeper/)
  })
})

describe('S33 computeHash', () => {
  const entry = (): UnchainedEntry => {
    const { entry: e } = chainEntry(
      prepareEntry(input({ details: { b: 1, a: [1, 2] } }), T0),
      1,
      GENESIS_HASH,
    )
    const { hash: _h, prevHash: _p, ...rest } = e
    return rest
  }

  it('is sha256 hex over prevHash, a newline and the canonical JSON', () => {
    const e = entry()
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n${canonicalJson(e)}`)
      .digest('hex')
    expect(computeHash(GENESIS_HASH, e)).toBe(expected)
    expect(GENESIS_HASH).toBe('0'.repeat(64))
  })

  it('is deterministic and independent of key order', () => {
    const e = entry()
    const h = computeHash(GENESIS_HASH, e)
    expect(computeHash(GENESIS_HASH, entry())).toBe(h)
    for (let seed = 0; seed < 20; seed++) {
      expect(computeHash(GENESIS_HASH, shuffleKeys(e, seed) as UnchainedEntry)).toBe(h)
    }
  })

  it('ignores hash and prevHash fields on the entry but not the prevHash argument', () => {
    const e = entry()
    const h = computeHash(GENESIS_HASH, e)
    expect(computeHash(GENESIS_HASH, { ...e, hash: 'x', prevHash: 'y' })).toBe(h)
    expect(computeHash('f'.repeat(64), e)).not.toBe(h)
  })

  it('changes when any field changes', () => {
    const e = entry()
    const h = computeHash(GENESIS_HASH, e)
    expect(computeHash(GENESIS_HASH, { ...e, details: { b: 2, a: [1, 2] } })).not.toBe(h)
    expect(computeHash(GENESIS_HASH, { ...e, id: '2' })).not.toBe(h)
    expect(computeHash(GENESIS_HASH, { ...e, outcome: 'failure' })).not.toBe(h)
  })
})

describe('S33 ChainVerifier', () => {
  function chainOf(n: number): AuditEntry[] {
    const out: AuditEntry[] = []
    for (let i = 1; i <= n; i++) {
      const prev = out.at(-1)?.hash ?? GENESIS_HASH
      out.push(chainEntry(prepareEntry(input({ details: { i } }), T0 + i), i, prev).entry)
    }
    return out
  }
  function run(entries: unknown[]): ChainResult {
    const v = new ChainVerifier()
    for (const e of entries) v.check(e)
    return v.result
  }

  it('accepts a good chain and pinpoints the first break', () => {
    const good = chainOf(5)
    expect(run(good)).toEqual({ ok: true })
    expect(run([good[0], good[2], good[3]])).toEqual({ ok: false, brokenAt: '2' })
    expect(run([good[0], good[2], good[1], good[3]])).toEqual({ ok: false, brokenAt: '2' })
    expect(run([good[0], { ...good[1], details: { i: 99 } }, good[2]])).toEqual({
      ok: false,
      brokenAt: '2',
    })
    expect(run([good[0], 'garbage'])).toEqual({ ok: false, brokenAt: '2' })
  })

  it('counts a missing tail as a break', () => {
    const v = new ChainVerifier()
    for (const e of chainOf(3)) v.check(e)
    v.expectAtLeast(5)
    expect(v.result).toEqual({ ok: false, brokenAt: '4' })
  })
})
