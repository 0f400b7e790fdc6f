/**
 * Multi-user end-to-end tests (issue 4): the real server on a fresh demo site, the
 * built web app, Debian's Chromium through playwright-core, two or three users in
 * their own browser contexts. Elements are found by role and accessible name only.
 * Screenshots of the main screens land in test/e2e/screenshots/ (committed evidence).
 *
 * Run: `npm run test:e2e` (also part of `npm test`).
 */
import { after, before, describe, it } from 'node:test'
import { desktopScenarios } from './scenarios/desktop.ts'
import { editScenarios } from './scenarios/edits.ts'
import { lifecycleScenarios } from './scenarios/lifecycle.ts'
import { presenceScenarios } from './scenarios/presence.ts'
import { shoot } from './support/app.ts'
import { submitLogin } from './support/cast.ts'
import { DEMO_PASSWORD, E2EEnvironment } from './support/env.ts'
import { withCast } from './support/scenario.ts'

const env = new E2EEnvironment()

describe('StudySync web app, several users at once (Playwright, Debian Chromium)', () => {
  before(() => env.start(), { timeout: 180_000 })
  after(() => env.stop())

  it(
    'signing in: the login form has Username, Password and Sign in (API.md "Web app")',
    { timeout: 30_000 },
    (t) =>
      withCast(env, t, async (cast) => {
        const tab = await cast.open('bose')
        await submitLogin(tab, 'not-the-password')
        await tab.page
          .getByRole('alert')
          .filter({ hasText: 'Wrong username or password' })
          .waitFor()
        await tab.page.getByLabel('Password').fill('')
        await shoot(tab, '01-login')
        await submitLogin(tab, DEMO_PASSWORD)
        await tab.page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor()
        await tab.page.getByRole('banner').getByText('BOSE', { exact: true }).waitFor()
      }),
  )

  presenceScenarios(env)
  editScenarios(env)
  desktopScenarios(env)
  lifecycleScenarios(env)
})
