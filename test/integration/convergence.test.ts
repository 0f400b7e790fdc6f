/**
 * Convergence, short version (issue 8 §6): random concurrent edits of study and
 * patient forms (map fields and Y.Text) from stock y-websocket clients, random
 * offline periods and dropped connections, and one restart of the file-backed
 * server — every client and the server end with the same document. The longer
 * runs are in `npm run soak` (test/soak/convergence.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { convergencePlan, runConvergence } from '../support/convergence-run.ts'
import { startTestServer } from '../support/server.ts'

describe('convergence', () => {
  it('6 clients on a study and a patient form, 100 random steps with offline periods, drops and one server restart: everyone converges to the server’s copy', async () => {
    const probe = await startTestServer()
    const patient = probe.registry.read().patients[1]!.id
    await probe.close()
    let edits = 0
    let offline = 0
    await fc.assert(
      fc.asyncProperty(convergencePlan(6, 100), async (plan) => {
        const report = await runConvergence(plan, ['study/A10110', `patient/${patient}`])
        edits += report.edits
        offline += report.offlineEdits
        expect(report.divergent).toEqual([])
        expect(report.restarts).toBe(1)
      }),
      { numRuns: 4 },
    )
    console.info(`convergence: ${edits} edits, ${offline} of them offline, 4 restarts`)
    expect(offline).toBeGreaterThan(0)
  }, 60_000)
})
