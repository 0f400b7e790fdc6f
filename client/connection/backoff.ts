/**
 * Reconnect delays with "full jitter" (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"): the delay is uniform in [0, min(cap, base · 2^(attempt-1))).
 *
 * y-websocket's built-in backoff is deterministic, so after a server restart every
 * client of a ward reconnects in the same instant; spreading the retries over the
 * whole window is what keeps a restarting server from being stampeded.
 */

export interface BackoffPolicy {
  /** Upper bound of the first retry's window, in ms. */
  readonly baseMs: number
  /** No window grows beyond this, in ms. */
  readonly capMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 30_000 }

/** Returns a float in [0, 1), like `Math.random`. Injected in tests. */
export type RandomSource = () => number

/** The window a retry's delay is drawn from: [0, ceiling). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`)
  }
  // 2 ** 1100 is Infinity, which Math.min turns into the cap: no overflow to guard.
  return Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))
}

/**
 * The delay before retry number `attempt` (1 for the first retry after a drop).
 * A random source that strays outside [0, 1) (or returns NaN) is clamped, so a broken stub can
 * never produce a negative delay or one above the cap.
 */
export function jitteredBackoff(
  attempt: number,
  random: RandomSource = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = backoffCeiling(attempt, policy)
  const raw = random()
  const r = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), 1) : 0
  return Math.min(Math.floor(r * ceiling), Math.max(ceiling - 1, 0))
}
