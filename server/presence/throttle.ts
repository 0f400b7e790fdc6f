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

/** Due times of `gridTimers` are rounded up to a multiple of this (ms). */
export const DEFAULT_TIMER_GRID_MS = 25

interface GridRun {
  readonly at: number
  readonly run: () => void
}

/**
 * Node's timers (unref'd), with each due time rounded up to a multiple of
 * `gridMs`: every run due in one slot shares one Node timer and one wake-up
 * of the event loop. A throttle with a timer per change otherwise wakes the
 * process once per awareness update, which costs more than the update itself.
 * Runs are never early, at most `gridMs` late.
 */
export function gridTimers(gridMs = DEFAULT_TIMER_GRID_MS, now: () => number = Date.now): Timers {
  const slots = new Map<number, { timer: NodeJS.Timeout; runs: Set<GridRun> }>()
  const fire = (at: number) => {
    const slot = slots.get(at)
    slots.delete(at)
    if (!slot) return
    // One run that throws must not cancel the others (each was a timer of its own).
    let failed = false
    let failure: unknown
    for (const { run } of slot.runs) {
      try {
        run()
      } catch (error) {
        if (!failed) failure = error
        failed = true
      }
    }
    if (failed) throw failure
  }
  return {
    setTimeout(run, ms) {
      const at = Math.ceil((now() + Math.max(0, ms)) / gridMs) * gridMs
      let slot = slots.get(at)
      if (!slot) {
        const timer = setTimeout(fire, Math.max(0, at - now()), at)
        timer.unref()
        slot = { timer, runs: new Set() }
        slots.set(at, slot)
      }
      const handle: GridRun = { at, run }
      slot.runs.add(handle)
      return handle
    },
    clearTimeout(handle) {
      const { at } = handle as GridRun
      const slot = slots.get(at)
      if (!slot?.runs.delete(handle as GridRun) || slot.runs.size > 0) return
      clearTimeout(slot.timer)
      slots.delete(at)
    },
  }
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
