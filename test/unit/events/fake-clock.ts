/**
 * A clock tests move by hand, and timers that fire only when it is advanced
 * past them (in due order), so time-based behaviour is tested without sleeps.
 */
import type { Clock } from '../../../server/clock.ts'
import type { TimerHandle, Timers } from '../../../server/presence/throttle.ts'

export class FakeClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}

  now(): number {
    return this.ms
  }

  set(ms: number): void {
    this.ms = ms
  }

  advance(ms: number): void {
    this.ms += ms
  }
}

interface Pending {
  id: number
  at: number
  run: () => void
}

export class FakeTimers implements Timers {
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor(readonly clock: FakeClock) {}

  setTimeout(run: () => void, ms: number): TimerHandle {
    const id = this.nextId++
    this.pending.set(id, { id, at: this.clock.now() + Math.max(0, ms), run })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number)
  }

  /** Timers not yet fired. */
  get size(): number {
    return this.pending.size
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms
    for (let due = this.nextDue(end); due; due = this.nextDue(end)) {
      this.pending.delete(due.id)
      this.clock.set(Math.max(this.clock.now(), due.at))
      due.run()
    }
    this.clock.set(end)
  }

  /** Fires the timers due now (delay 0) without moving the clock. */
  flush(): void {
    this.advance(0)
  }

  private nextDue(end: number): Pending | undefined {
    let next: Pending | undefined
    for (const p of this.pending.values()) {
      if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.id < next.id))) next = p
    }
    return next
  }
}
