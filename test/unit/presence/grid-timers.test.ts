/**
 * gridTimers: the presence throttle's timers share one Node timer (one
 * wake-up of the process) per 25 ms slot, and never run early.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { gridTimers } from '../../../server/presence/throttle.ts'

const T0 = 1_700_000_000_000 // a multiple of 25

beforeEach(() => {
  vi.useFakeTimers({ now: T0 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('gridTimers', () => {
  it('runs everything due in one slot from one Node timer, in order, never early', () => {
    const timers = gridTimers(25)
    const ran: string[] = []
    vi.advanceTimersByTime(1) // T0 + 1: the slot ends at T0 + 25
    timers.setTimeout(() => ran.push(`a@${Date.now() - T0}`), 0)
    timers.setTimeout(() => ran.push(`b@${Date.now() - T0}`), 10)
    timers.setTimeout(() => ran.push(`c@${Date.now() - T0}`), 24)
    timers.setTimeout(() => ran.push(`d@${Date.now() - T0}`), 25) // due T0 + 26: the next slot
    expect(vi.getTimerCount()).toBe(2)
    vi.advanceTimersByTime(23)
    expect(ran).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ran).toEqual(['a@25', 'b@25', 'c@25'])
    vi.advanceTimersByTime(24)
    expect(ran).toEqual(['a@25', 'b@25', 'c@25'])
    vi.advanceTimersByTime(1)
    expect(ran).toEqual(['a@25', 'b@25', 'c@25', 'd@50'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('clearTimeout cancels one run; cancelling a slot’s last run cancels its Node timer', () => {
    const timers = gridTimers(25)
    const ran: string[] = []
    const a = timers.setTimeout(() => ran.push('a'), 5)
    const b = timers.setTimeout(() => ran.push('b'), 6)
    timers.clearTimeout(a)
    timers.clearTimeout(a) // twice is harmless
    expect(vi.getTimerCount()).toBe(1)
    timers.clearTimeout(b)
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(100)
    expect(ran).toEqual([])
  })

  it('a run that throws does not cancel the others in its slot; the error still surfaces', () => {
    const timers = gridTimers(25)
    const ran: string[] = []
    timers.setTimeout(() => {
      throw new Error('observer broke')
    }, 1)
    timers.setTimeout(() => ran.push('after'), 2)
    expect(() => vi.advanceTimersByTime(25)).toThrow('observer broke')
    expect(ran).toEqual(['after'])
  })
})
