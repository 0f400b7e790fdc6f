import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  backoffCeiling,
  DEFAULT_BACKOFF,
  jitteredBackoff,
} from '../../../client/connection/backoff.ts'

describe('jittered reconnect backoff (full jitter, base 250 ms, cap 30 s)', () => {
  it('doubles the window per attempt from 250 ms and caps it at 30 s', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffCeiling(n))
    expect(ceilings).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    expect(backoffCeiling(5000)).toBe(30_000)
  })

  it('draws the delay uniformly from [0, window): the random value scales the whole window', () => {
    expect(jitteredBackoff(1, () => 0)).toBe(0)
    expect(jitteredBackoff(1, () => 0.5)).toBe(125)
    expect(jitteredBackoff(3, () => 0.25)).toBe(250)
    expect(jitteredBackoff(20, () => 0.5)).toBe(15_000)
  })

  it('never reaches the window’s upper bound, even when random() returns 1 or garbage', () => {
    expect(jitteredBackoff(1, () => 1)).toBe(249)
    expect(jitteredBackoff(1, () => 7)).toBe(249)
    expect(jitteredBackoff(1, () => -3)).toBe(0)
    expect(jitteredBackoff(1, () => Number.NaN)).toBe(0)
  })

  it('honours a custom policy', () => {
    const policy = { baseMs: 100, capMs: 1000 }
    expect(backoffCeiling(4, policy)).toBe(800)
    expect(backoffCeiling(5, policy)).toBe(1000)
    expect(jitteredBackoff(5, () => 0.5, policy)).toBe(500)
  })

  it('rejects attempt numbers below 1 or fractional', () => {
    expect(() => backoffCeiling(0)).toThrow(RangeError)
    expect(() => jitteredBackoff(1.5)).toThrow(RangeError)
  })

  it('property: every delay is an integer in [0, min(cap, base·2^(n-1)))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = jitteredBackoff(attempt, () => r)
          const ceiling = Math.min(
            DEFAULT_BACKOFF.capMs,
            DEFAULT_BACKOFF.baseMs * 2 ** (attempt - 1),
          )
          return Number.isInteger(delay) && delay >= 0 && delay < ceiling
        },
      ),
    )
  })

  it('property: the same random draw never yields a shorter delay at a later attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => jitteredBackoff(attempt + 1, () => r) >= jitteredBackoff(attempt, () => r),
      ),
    )
  })
})
