#!/usr/bin/env node
// `npm test`: runs every runner (vitest: unit + integration; @web/test-runner:
// browser; node:test + Playwright: e2e), even when an earlier one fails, then
// prints one line totalling all of them, `N passed, M failed`, which CI reads.
import { spawn } from 'node:child_process'

const runners = [
  { name: 'vitest', cmd: ['npx', 'vitest', 'run'], parse: parseVitest },
  {
    name: 'web-test-runner',
    cmd: ['npx', 'wtr', '--config', 'test/browser/wtr.config.mjs'],
    parse: parseWtr,
  },
  // Multi-user end-to-end tests: the real server, the built app, Playwright on Debian Chromium.
  { name: 'e2e', cmd: ['npm', 'run', 'test:e2e'], parse: parseNodeTest },
]

const ESC = String.fromCharCode(27)
const stripAnsi = (s) => s.replaceAll(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g'), '')

function parseVitest(out) {
  const line = out.split('\n').find((l) => /^\s*Tests\s+/.test(l)) ?? ''
  // A suite that fails to load runs no tests; count each such suite as a failure.
  const brokenSuites = count(out, /Failed Suites (\d+)/)
  return { passed: count(line, /(\d+) passed/), failed: count(line, /(\d+) failed/) + brokenSuites }
}

function parseWtr(out) {
  // WTR repeats its progress line; the last one holds the totals.
  const lines = out.split('\n').filter((l) => /\d+ passed, \d+ failed/.test(l))
  const line = lines.at(-1) ?? ''
  return { passed: count(line, /(\d+) passed/), failed: count(line, /(\d+) failed/) }
}

function parseNodeTest(out) {
  // node:test's summary: `# pass N` / `# fail M` (TAP, piped) or `ℹ pass N` (spec, a TTY).
  // Cancelled tests (a failed `before` hook, a timeout) count as failures.
  const last = (name) => {
    const all = [...out.matchAll(new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, 'gm'))]
    return all.length === 0 ? 0 : Number(all.at(-1)[1])
  }
  return { passed: last('pass'), failed: last('fail') + last('cancelled') }
}

function count(line, re) {
  const m = line.match(re)
  return m ? Number(m[1]) : 0
}

function run([cmd, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    })
    let out = ''
    const tee = (stream) => (d) => {
      out += d
      stream.write(d)
    }
    child.stdout.on('data', tee(process.stdout))
    child.stderr.on('data', tee(process.stderr))
    child.on('close', (code) => resolve({ code: code ?? 1, out: stripAnsi(out) }))
  })
}

let passed = 0
let failed = 0
let exitCode = 0
for (const runner of runners) {
  const { code, out } = await run(runner.cmd)
  const result = runner.parse(out)
  // A runner that failed without reporting a failing test (crash, config error) counts as one failure.
  if (code !== 0 && result.failed === 0) result.failed = 1
  console.log(`\n[${runner.name}] ${result.passed} passed, ${result.failed} failed (exit ${code})`)
  passed += result.passed
  failed += result.failed
  if (code !== 0) exitCode = 1
}
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(exitCode)
