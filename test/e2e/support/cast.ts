/**
 * The users of one scenario, each in their own browser context (own cookies, own
 * IndexedDB, own live feed), signed in through the login form like a person would.
 * A workstation is 1280×800; a tablet is a 10-inch 1024×768 touch screen.
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'

/** What node:test's TestContext offers that we use. */
export interface Diagnostics {
  readonly name: string
  diagnostic(message: string): void
}

export type Device = 'workstation' | 'tablet'

const DEVICES: Record<Device, BrowserContextOptions> = {
  workstation: { viewport: { width: 1280, height: 800 } },
  tablet: { viewport: { width: 1024, height: 768 }, hasTouch: true },
}

export interface UserTab {
  readonly username: string
  /** The display name the app shows, e.g. "BOSE". */
  readonly name: string
  readonly device: Device
  readonly page: Page
  readonly context: BrowserContext
  /** Page errors and console errors, reported when the scenario fails. */
  readonly problems: string[]
}

const PASSWORD = 'demo'

export class Cast {
  readonly #browser: Browser
  readonly #url: string
  readonly #diagnostics: Diagnostics
  readonly #tabs: UserTab[] = []

  constructor(browser: Browser, url: string, diagnostics: Diagnostics) {
    this.#browser = browser
    this.#url = url
    this.#diagnostics = diagnostics
  }

  /** Opens the app in a fresh context, at the login form. */
  async open(username: string, device: Device = 'workstation'): Promise<UserTab> {
    const context = await this.#browser.newContext({ ...DEVICES[device], baseURL: this.#url })
    const page = await context.newPage()
    const tab: UserTab = {
      username,
      name: username.toUpperCase(),
      device,
      page,
      context,
      problems: [],
    }
    this.#tabs.push(tab)
    page.on('pageerror', (error) => tab.problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') tab.problems.push(`console error: ${message.text()}`)
    })
    await page.goto('/#/worklist')
    await page.getByLabel('Username').waitFor()
    return tab
  }

  /** Opens the app in a fresh context and signs in through the login form. */
  async signIn(username: string, device: Device = 'workstation'): Promise<UserTab> {
    const tab = await this.open(username, device)
    await submitLogin(tab, PASSWORD)
    await tab.page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor()
    return tab
  }

  /** On failure: a screenshot of every tab (outside the repo) and their page errors. */
  async report(error: unknown): Promise<void> {
    const dir = join(tmpdir(), 'studysync-e2e-failures')
    mkdirSync(dir, { recursive: true })
    const slug = this.#diagnostics.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)
    for (const tab of this.#tabs) {
      const path = join(dir, `${slug}-${tab.username}.png`)
      const shot = await tab.page.screenshot({ path }).then(
        () => path,
        () => 'no screenshot',
      )
      const where = tab.page.isClosed() ? 'closed' : tab.page.url()
      this.#diagnostics.diagnostic(`${tab.username} at ${where}; screenshot ${shot}`)
      for (const problem of tab.problems)
        this.#diagnostics.diagnostic(`  ${tab.username}: ${problem}`)
    }
    this.#diagnostics.diagnostic(
      `failed: ${error instanceof Error ? error.message : String(error)}`,
    )
  }

  async close(): Promise<void> {
    for (const tab of this.#tabs.splice(0)) await tab.context.close().catch(() => {})
  }
}

/** Fills the login form as the tab's user and presses "Sign in". */
export async function submitLogin(tab: UserTab, password: string): Promise<void> {
  await tab.page.getByLabel('Username').fill(tab.username)
  await tab.page.getByLabel('Password').fill(password)
  await tab.page.getByRole('button', { name: 'Sign in' }).click()
}
