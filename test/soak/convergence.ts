/**
 * Long convergence runs (issue 8 §6): more clients, longer scripts and more runs
 * than the integration test, each with offline periods, dropped connections and one
 * restart of the file-backed server. Exits non-zero if any client diverges.
 *
 *   npx tsx test/soak/convergence.ts   (SOAK_CONVERGENCE_RUNS=…, SOAK_SEED=…)
 */
import fc from 'fast-check'
import { convergencePlan, runConvergence } from '../support/convergence-run.ts'
import { startTestServer } from '../support/server.ts'

// Each stock provider listens for process 'exit' (to say goodbye): 12 of them are expected.
process.setMaxListeners(64)
const runs = Number(process.env.SOAK_CONVERGENCE_RUNS ?? 20)
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31)
const started = performance.now()
const probe = await startTestServer()
const patient = probe.registry.read().patients[1]!.id
await probe.close()
console.log(`convergence soak: ${runs} runs of 12 clients × 400 steps, seed ${seed}`)
let edits = 0
let offline = 0
const failures: string[] = []
for (const [i, plan] of fc.sample(convergencePlan(12, 400), { numRuns: runs, seed }).entries()) {
  const report = await runConvergence(plan, ['study/A10110', 'study/A10111', `patient/${patient}`])
  edits += report.edits
  offline += report.offlineEdits
  failures.push(...report.divergent.map((d) => `run ${i}: ${d}`))
  console.log(
    `  run ${i + 1}/${runs}: ${report.edits} edits (${report.offlineEdits} offline), ${report.divergent.length} divergent`,
  )
  if (failures.length > 0) break
}
console.log('\nconvergence soak results')
console.log(`  runs (server restarts)   ${runs}`)
console.log(
  `  edits                    ${edits.toLocaleString()} (${offline.toLocaleString()} made offline)`,
)
console.log(`  time                     ${((performance.now() - started) / 1000).toFixed(0)} s`)
for (const f of failures.slice(0, 10)) console.log(`FAIL ${f.slice(0, 400)}`)
console.log(
  failures.length === 0 ? 'convergence soak: PASS' : `convergence soak: FAIL (${failures.length})`,
)
process.exit(failures.length === 0 ? 0 : 1)
