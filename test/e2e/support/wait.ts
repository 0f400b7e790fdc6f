/**
 * Waiting for UI state without fixed sleeps: `until` is our `expect.poll` — it
 * re-reads a probe at a short interval until a predicate holds or a deadline
 * passes, and says when it held (for latency measurements) or what it last saw.
 */
import { AssertionError } from 'node:assert'
import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import type { Locator } from 'playwright-core'

export interface UntilOptions {
  /** Give up after this long (ms). */
  timeout?: number
  /** Re-read the probe this often (ms); short when the moment it held is measured. */
  interval?: number
  /** What is awaited, for the failure message. */
  what: string
}

export interface Held<T> {
  value: T
  /** `performance.now()` of the first probe that satisfied the predicate. */
  at: number
}

export const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_INTERVAL_MS = 25

/** Polls `probe` until `accept` holds; a probe that throws counts as "not yet". */
export async function until<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  options: UntilOptions,
): Promise<Held<T>> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS
  const interval = options.interval ?? DEFAULT_INTERVAL_MS
  const deadline = performance.now() + timeout
  let last: { value?: T; error?: unknown } = {}
  for (;;) {
    const started = performance.now()
    try {
      const value = await probe()
      if (accept(value)) return { value, at: started }
      last = { value }
    } catch (error) {
      last = { error }
    }
    if (performance.now() >= deadline) break
    await delay(Math.max(0, Math.min(interval, deadline - performance.now())))
  }
  const seen =
    'error' in last ? `last probe failed: ${String(last.error)}` : `last saw ${show(last.value)}`
  throw new AssertionError({
    message: `Timed out after ${timeout} ms waiting for ${options.what}; ${seen}`,
  })
}

/** The moment a locator first matches a visible element, measured with a tight poll. */
export function visibleAt(locator: Locator, what: string, timeout?: number): Promise<number> {
  return until(
    () => locator.first().isVisible(),
    (shown) => shown,
    timeout === undefined ? { what } : { what, timeout },
  ).then((held) => held.at)
}

/** Waits until nothing matches the locator any more. */
export async function gone(locator: Locator, what: string, timeout?: number): Promise<void> {
  await until(
    () => locator.count(),
    (n) => n === 0,
    timeout === undefined ? { what } : { what, timeout },
  )
}

/** Waits for an input's, select's or textarea's value to satisfy `accept`. */
export async function controlValue(
  control: Locator,
  accept: (value: string) => boolean,
  what: string,
): Promise<Held<string>> {
  return until(() => control.inputValue(), accept, { what })
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text
}
