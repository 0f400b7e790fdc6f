/**
 * A small seeded PRNG (mulberry32) and the few helpers the demo seed needs.
 * The demo site must be reproducible from its seed, so nothing here may touch
 * Math.random or the clock.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** True with probability `p`. */
  chance(p: number): boolean
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[]
  /** An unsigned 32-bit integer, e.g. a Yjs client id. */
  uint32(): number
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const next = (): number => uint32() / 4_294_967_296
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick from an empty list')
    return items[int(0, items.length - 1)] as T
  }
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
  return { next, int, chance: (p) => next() < p, pick, shuffle, uint32 }
}

/**
 * `n` values in shuffled order, each appearing in proportion to its weight and
 * at least once (so a rare value such as CRITFIND is never missing by bad luck).
 * Rounding shortfall is made up with the heaviest value. Meant for `n` well above
 * the number of values: if the minimums overshoot `n`, the excess is cut at random.
 */
export function deal<T>(rng: Rng, weights: readonly (readonly [T, number])[], n: number): T[] {
  const total = weights.reduce((sum, [, w]) => sum + w, 0)
  const out: T[] = []
  for (const [value, w] of weights) {
    const count = Math.max(1, Math.floor((w * n) / total))
    for (let i = 0; i < count; i++) out.push(value)
  }
  const heaviest = weights.reduce((a, b) => (b[1] > a[1] ? b : a))[0]
  while (out.length < n) out.push(heaviest)
  return rng.shuffle(out).slice(0, n)
}
