/**
 * Per-key trailing throttle: at most one run per key per `intervalMs`, and a
 * run is always scheduled after the last request, so the final state goes out.
 * The first request of a quiet key runs on the next timer tick (delay 0), so
 * changes made in one synchronous burst (a member leaving: state removed,
 * then kept as "lost") go out as one.
 */
import type { Clock } from '../clock.ts'

export type TimerHandle = unknown

/** Injected timers, so tests can drive time with a fake clock. */
export interface Timers {
  setTimeout(run: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** Node's timers, unref'd: presence must never keep a process alive. */
export const realTimers: Timers = {
  setTimeout(run, ms) {
    const handle = setTimeout(run, ms)
    handle.unref()
    return handle
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout)
  },
}

interface KeyState {
  lastRunAt: number | null
  /** The pending run. */
  timer: TimerHandle | null
  /** Forgets a key with nothing left to report once its interval has passed. */
  forget: TimerHandle | null
}

export class KeyedThrottle {
  private readonly keys = new Map<string, KeyState>()

  constructor(
    private readonly opts: {
      clock: Clock
      timers: Timers
      intervalMs: number
      /** Runs for a key; returns whether the key may be forgotten (nothing left to report). */
      run: (key: string) => boolean
    },
  ) {}

  request(key: string): void {
    let state = this.keys.get(key)
    if (!state) {
      state = { lastRunAt: null, timer: null, forget: null }
      this.keys.set(key, state)
    }
    if (state.timer !== null) return // the pending run will see this change
    if (state.forget !== null) {
      this.opts.timers.clearTimeout(state.forget)
      state.forget = null
    }
    const { clock, intervalMs, timers } = this.opts
    const delay =
      state.lastRunAt === null ? 0 : Math.max(0, state.lastRunAt + intervalMs - clock.now())
    const pending = state
    state.timer = timers.setTimeout(() => this.fire(key, pending), delay)
  }

  close(): void {
    for (const state of this.keys.values()) {
      if (state.timer !== null) this.opts.timers.clearTimeout(state.timer)
      if (state.forget !== null) this.opts.timers.clearTimeout(state.forget)
    }
    this.keys.clear()
  }

  private fire(key: string, state: KeyState): void {
    state.timer = null
    state.lastRunAt = this.opts.clock.now()
    if (!this.opts.run(key) || state.timer !== null) return
    // Kept for one interval more, so a key that empties and refills still runs at most once per interval.
    state.forget = this.opts.timers.setTimeout(() => {
      if (this.keys.get(key) === state && state.timer === null) this.keys.delete(key)
    }, this.opts.intervalMs)
  }

  /** Keys with a pending run or still remembered (for tests and metrics). */
  get size(): number {
    return this.keys.size
  }
}
