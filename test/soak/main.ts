/**
 * `npm run soak`: the long versions of the hardening suite (issue 8), each in its
 * own process so memory figures are its own. Runs all of them even when one fails,
 * then prints one summary line per run; exits non-zero if any failed.
 */
import { spawn } from 'node:child_process'

const runs = [
  { name: 'crash durability', script: 'test/soak/crash-durability.ts' },
  { name: 'fuzz', script: 'test/soak/fuzz.ts' },
  { name: 'convergence', script: 'test/soak/convergence.ts' },
]

function run(script: string): Promise<{ code: number; seconds: number }> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      stdio: 'inherit',
    })
    child.on('close', (code) =>
      resolve({ code: code ?? 1, seconds: (performance.now() - started) / 1000 }),
    )
  })
}

const results: string[] = []
let failed = 0
for (const { name, script } of runs) {
  console.log(`\n=== ${name} (${script}) ===`)
  const { code, seconds } = await run(script)
  if (code !== 0) failed++
  results.push(`${code === 0 ? 'PASS' : 'FAIL'}  ${name}  (${seconds.toFixed(0)} s)`)
}
console.log(`\n=== soak summary ===\n${results.join('\n')}`)
process.exit(failed === 0 ? 0 : 1)
