/**
 * Crash durability under load, short version (issue 8 §1, DESIGN §8): 50 writers,
 * a few SIGKILLs at random moments. The long version (≥ 20 kills) is
 * `npm run soak` (test/soak/crash-durability.ts); both share test/support/crash-run.ts.
 */
import { describe, expect, it } from 'vitest'
import { runCrashDurability } from '../support/crash-run.ts'

describe('crash durability under load', () => {
  it('after each of 3 SIGKILLs under writes from 50 clients, everything any client saw acknowledged or observed is there, and every document loads', async () => {
    const report = await runCrashDurability({
      kills: 3,
      writers: 50,
      docs: ['study/A10101', 'study/A10102', 'study/A10103', 'study/A10104', 'study/A10105'],
      upMs: [300, 1200],
      writeEveryMs: 40,
    })
    expect(report.failures, `seed ${report.seed}`).toEqual([])
    expect(report.kills).toBe(3)
    // The check must have had something to check: acknowledged writes before kills.
    expect(report.acknowledged).toBeGreaterThan(100)
    expect(report.checks).toBe(3 * 50)
  }, 90_000)
})
