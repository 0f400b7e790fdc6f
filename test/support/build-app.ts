/**
 * The app the server serves is `dist/` (server/main.ts serves it when present). The
 * e2e run and the security tests build it once with Vite when it is missing or older than any client
 * source, so the browser always runs the code under test.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (the app is built into its dist/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

const SOURCES = ['client', 'shared', 'vite.config.ts', 'package-lock.json']

export function ensureBuilt(root: string): 'built' | 'fresh' {
  const built = join(root, 'dist', 'index.html')
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(root)) return 'fresh'
  // Vite writes progress to stdout; node:test treats a test file's stdout as its report.
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: productionEnv(),
  })
  return 'built'
}

function newestSource(root: string): number {
  let newest = 0
  for (const source of SOURCES) {
    const path = join(root, source)
    if (existsSync(path)) newest = Math.max(newest, newestIn(path))
  }
  return newest
}

function newestIn(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)))
  return newest
}

/**
 * The environment of `npm run build`: a build started from inside vitest would inherit
 * NODE_ENV=test and VITEST=…, and Vite would bundle development builds of the libraries
 * (the offline start from the service worker then failed in the e2e run).
 */
function productionEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' }
  for (const name of Object.keys(env))
    if (name.startsWith('VITEST') || name === 'TEST') delete env[name]
  return env
}
