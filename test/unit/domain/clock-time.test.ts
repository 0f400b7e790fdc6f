/** clockTime keeps the notices' format (toLocaleTimeString en-GB, 24 h) with a shared formatter. */
import { describe, expect, it } from 'vitest'
import { clockTime } from '../../../server/domain/context.ts'

describe('clockTime', () => {
  it('formats as toLocaleTimeString("en-GB", { hour12: false }) does', () => {
    const samples = [0, 1, 999, 43_200_000, 86_399_999, Date.UTC(2026, 10, 22, 14, 2, 31)]
    for (let i = 0; i < 500; i++) samples.push(Math.floor((i * 7_919_993_537) % 4e12))
    for (const ms of samples) {
      expect(clockTime(ms)).toBe(new Date(ms).toLocaleTimeString('en-GB', { hour12: false }))
    }
    expect(clockTime(Date.UTC(2026, 10, 22, 14, 2, 31))).toMatch(/^\d\d:\d\d:\d\d$/)
  })
})
