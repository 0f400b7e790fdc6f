/**
 * Long crash durability run (issue 8 §1): 50 writers over 5 study documents, the
 * spawned server SIGKILLed at random moments ≥ 20 times (SOAK_KILLS), each restart
 * checked before any writer reconnects. Prints the figures; exits non-zero on loss.
 *
 *   npx tsx test/soak/crash-durability.ts   (SOAK_KILLS=…, SOAK_SEED=… to replay)
 */
import { runCrashDurability } from '../support/crash-run.ts'

const kills = Math.max(20, Number(process.env.SOAK_KILLS ?? 20))
const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : undefined
const started = performance.now()
console.log(`crash soak: ${kills} SIGKILLs under 50 writers`)
const report = await runCrashDurability({
  kills,
  writers: 50,
  docs: ['study/A10101', 'study/A10102', 'study/A10103', 'study/A10104', 'study/A10105'],
  upMs: [200, 3000],
  writeEveryMs: 30,
  ...(seed === undefined ? {} : { seed }),
  progress: (line) => console.log(`  ${line}`),
})
console.log('\ncrash soak results')
console.log(`  seed                     ${report.seed}`)
console.log(
  `  kills survived           ${report.kills - (report.failures.length > 0 ? 1 : 0)} of ${report.kills}`,
)
console.log(`  transactions written     ${report.transactions.toLocaleString()}`)
console.log(`  acknowledged (type 100)  ${report.acknowledged.toLocaleString()}`)
console.log(
  `  writer checks            ${report.checks.toLocaleString()} (all acked + observed present)`,
)
console.log(`  restarts with torn tail  ${report.tornTails}`)
console.log(
  `  restart time             avg ${report.restartMs.avg} ms, max ${report.restartMs.max} ms`,
)
console.log(`  time                     ${((performance.now() - started) / 1000).toFixed(0)} s`)
for (const f of report.failures.slice(0, 20)) console.log(`FAIL ${f}`)
console.log(
  report.failures.length === 0
    ? 'crash soak: PASS'
    : `crash soak: FAIL (${report.failures.length})`,
)
process.exit(report.failures.length === 0 ? 0 : 1)
