/**
 * One StudySync for the whole e2e run: the built app, the real server in its own
 * process on a fresh demo data dir (STUDYSYNC_DEMO=1 seeds the demo site), and
 * Debian's Chromium driven by playwright-core. Each scenario signs its users in
 * through a `Cast`: one browser context per user, closed when the scenario ends.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { ensureBuilt, REPO_ROOT } from '../../support/build-app.ts'
import { type SpawnedServer, spawnServer } from '../../support/spawned.ts'
import { Cast, type Diagnostics } from './cast.ts'

export const ROOT = REPO_ROOT

/** TOOLCHAIN.md: Debian's Chromium, never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export class E2EEnvironment {
  #server: SpawnedServer | null = null
  #browser: Browser | null = null
  #dataDir: string | null = null

  get url(): string {
    if (this.#server === null) throw new Error('the e2e environment is not started')
    return this.#server.url
  }

  get browser(): Browser {
    if (this.#browser === null) throw new Error('the e2e environment is not started')
    return this.#browser
  }

  async start(): Promise<void> {
    const build = ensureBuilt(ROOT)
    this.#dataDir = await mkdtemp(join(tmpdir(), 'studysync-e2e-'))
    const started = Date.now()
    this.#server = await spawnServer(this.#dataDir, { STUDYSYNC_DEMO: '1' })
    this.#browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
    process.stderr.write(
      `e2e: app ${build}, server ${this.#server.url} up in ${Date.now() - started} ms, Chromium ${this.#browser.version()}\n`,
    )
  }

  async stop(): Promise<void> {
    await this.#browser?.close()
    await this.#server?.stop()
    if (this.#dataDir !== null) await rm(this.#dataDir, { recursive: true, force: true })
    this.#browser = null
    this.#server = null
  }

  /** A scenario's users; `close()` it in `finally`. */
  cast(diagnostics: Diagnostics): Cast {
    return new Cast(this.browser, this.url, diagnostics)
  }

  /** A bearer token for REST calls the test makes as `username` (e.g. admin's delete). */
  async token(username: string): Promise<string> {
    const response = await fetch(`${this.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    })
    if (!response.ok) throw new Error(`sign-in of ${username} failed: ${response.status}`)
    return ((await response.json()) as { token: string }).token
  }

  /** A REST call with a bearer token; throws with the body on a non-2xx answer. */
  async call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }
}

export const DEMO_PASSWORD = 'demo'
