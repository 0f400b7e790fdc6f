/**
 * Offline tablets (issue 5, DESIGN §6): S26–S29 end to end — the real server on a
 * fresh demo site, the built app with its service worker, Debian's Chromium through
 * playwright-core, `context.setOffline` for the tablet. Reuses the e2e harness of
 * test/e2e/support (own environment: these scenarios delete studies and go offline).
 *
 * Run: `node --import tsx --test test/e2e/offline.e2e.ts` (also `npm run test:e2e`).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { accessionLink, openInfoForm, shoot, studyHeading } from './support/app.ts'
import type { UserTab } from './support/cast.ts'
import { E2EEnvironment } from './support/env.ts'
import { measured, withCast } from './support/scenario.ts'
import { gone, until } from './support/wait.ts'

/** Demo studies (deterministic seed) both radiologists may edit. */
const S26_STUDY = 'A10095'
const S27_STUDY = 'A10097'
const S28_STUDY = 'A10082'
const S28_SEEN = 'A10089'

const TIMEOUT = { timeout: 90_000 }
const ALL_SAVED = 'All changes saved on the server'

const env = new E2EEnvironment()

/** The form's connection line (a status region) saying `text`. */
function connectionLine(page: Page, text: string | RegExp) {
  return page.getByRole('status').filter({ hasText: text })
}

/** The top bar's connection indicator. */
function indicator(page: Page, state: 'Online' | 'Offline') {
  return page.getByRole('banner').getByRole('status').filter({ hasText: state })
}

/** Names of this tab's IndexedDB databases (per-user document copies and stores). */
function databases(tab: UserTab): Promise<string[]> {
  return tab.page.evaluate(async () =>
    (await indexedDB.databases()).flatMap((d) => (d.name ? [d.name] : [])),
  )
}

/** How many SharedWorkers run in the browser (the feed's lives as long as one of its pages). */
async function sharedWorkers(): Promise<number> {
  const cdp = await env.browser.newBrowserCDPSession()
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: { type: string }[]
    }
    return targetInfos.filter((target) => target.type === 'shared_worker').length
  } finally {
    await cdp.detach().catch(() => {})
  }
}

/** Waits until the page is controlled by the app's service worker (after its first load). */
async function serviceWorkerReady(tab: UserTab): Promise<void> {
  await tab.page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (navigator.serviceWorker.controller === null) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      )
    }
  })
}

describe('offline tablets (Playwright, Debian Chromium) [S26–S29]', () => {
  before(() => env.start(), { timeout: 180_000 })
  after(() => env.stop())

  it(
    '[S26] a tablet edits offline, another user edits meanwhile; on reconnect both edits are on both screens and saved',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const tablet = await cast.signIn('bose', 'tablet')
        const other = await cast.signIn('huyen')
        await openInfoForm(tablet, S26_STUDY)
        await openInfoForm(other, S26_STUDY)
        await connectionLine(tablet.page, ALL_SAVED).waitFor()

        await tablet.context.setOffline(true)
        await indicator(tablet.page, 'Offline').waitFor()
        await tablet.page.getByRole('combobox', { name: 'Priority' }).selectOption('URGENT')
        await tablet.page.getByRole('textbox', { name: 'Notes' }).fill('Patient on the ward lift.')
        const offlineLine = connectionLine(
          tablet.page,
          /^Offline — 2 unsaved changes, kept on this device$/,
        )
        await offlineLine.waitFor()
        await shoot(tablet, '11-tablet-offline-unsaved')

        const description = other.page.getByRole('textbox', { name: 'Study description' })
        await description.fill('CT head, edited while the tablet was offline')
        await description.press('Tab')
        await connectionLine(other.page, ALL_SAVED).waitFor()

        const back = Date.now()
        await tablet.context.setOffline(false)
        await connectionLine(tablet.page, ALL_SAVED).waitFor({ timeout: 20_000 })
        measured(
          t,
          `S26: tablet's offline edits saved on the server ${Date.now() - back} ms after reconnect`,
        )

        for (const tab of [tablet, other]) {
          await until(
            async () => ({
              priority: await tab.page.getByRole('combobox', { name: 'Priority' }).inputValue(),
              notes: await tab.page.getByRole('textbox', { name: 'Notes' }).inputValue(),
              description: await tab.page
                .getByRole('textbox', { name: 'Study description' })
                .inputValue(),
            }),
            (v) =>
              v.priority === 'URGENT' &&
              v.notes.includes('Patient on the ward lift.') &&
              v.description === 'CT head, edited while the tablet was offline',
            { what: `both edits on ${tab.username}'s screen`, timeout: 20_000 },
          )
        }
        await shoot(tablet, '12-tablet-reconnected-saved')
      }),
  )

  it(
    '[S27] a study deleted while the tablet is offline with an unsaved edit: refused, quarantined, never back',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const tablet = await cast.signIn('bose', 'tablet')
        await openInfoForm(tablet, S27_STUDY)
        await connectionLine(tablet.page, ALL_SAVED).waitFor()

        await tablet.context.setOffline(true)
        await indicator(tablet.page, 'Offline').waitFor()
        await tablet.page
          .getByRole('textbox', { name: 'Clinical history' })
          .fill('Fell from a ladder; left wrist pain.')
        await connectionLine(
          tablet.page,
          /^Offline — 1 unsaved change, kept on this device$/,
        ).waitFor()

        const admin = await env.token('admin')
        await env.call(admin, 'DELETE', `/api/v1/studies/${S27_STUDY}`)

        await tablet.context.setOffline(false)
        await studyHeading(tablet.page, S27_STUDY).waitFor({ state: 'detached', timeout: 20_000 })
        const dialog = tablet.page.getByRole('alertdialog')
        await dialog.waitFor()
        t.diagnostic(
          `tablet's dialog: ${((await dialog.textContent()) ?? '').replace(/\s+/g, ' ').trim()}`,
        )
        await dialog.getByRole('button', { name: 'OK' }).click()

        const badge = tablet.page.getByRole('button', { name: '1 quarantined change' })
        await badge.waitFor().catch(async (error: unknown) => {
          t.diagnostic(`databases: ${(await databases(tablet)).join(', ')}`)
          throw error
        })
        await badge.click()
        const panel = tablet.page.getByRole('dialog', { name: 'Quarantined changes' })
        const entry = panel.getByRole('article', { name: `Study ${S27_STUDY}` })
        await entry.waitFor()
        const said = (await entry.innerText()).replace(/\s+/g, ' ')
        t.diagnostic(`quarantine: ${said.trim()}`)
        assert.match(
          said,
          /1 unsaved change, quarantined at \d\d:\d\d:\d\d: deleted by ADMIN at \d\d:\d\d/,
        )
        assert.match(said, /Fell from a ladder; left wrist pain\./)
        await shoot(tablet, '13-tablet-quarantine')

        const [download] = await Promise.all([
          tablet.page.waitForEvent('download'),
          panel.getByRole('button', { name: `Export Study ${S27_STUDY}` }).click(),
        ])
        const path = await download.path()
        const exported = JSON.parse(
          await import('node:fs/promises').then((fs) => fs.readFile(path, 'utf8')),
        )
        assert.equal(exported.docName, `study/${S27_STUDY}`)
        assert.equal(exported.why.code, 4410)
        assert.equal(exported.why.gone.reason, 'deleted')
        assert.ok(
          typeof exported.update === 'string' && exported.update.length > 0,
          'the raw Yjs update',
        )

        // Never resurrected: no local copy, not in the worklist, not on the server.
        await until(
          () => databases(tablet),
          (names) => !names.some((n) => n.endsWith(`:study/${S27_STUDY}`)),
          { what: `the tablet's IndexedDB copy of study/${S27_STUDY} to be deleted` },
        )
        await tablet.page.keyboard.press('Escape')
        await tablet.page.reload()
        await tablet.page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor()
        await accessionLink(tablet.page, 'A10095')
          .or(tablet.page.getByRole('table'))
          .first()
          .waitFor()
        await gone(accessionLink(tablet.page, S27_STUDY), `${S27_STUDY} on the tablet's worklist`)
        const names = await databases(tablet)
        assert.ok(
          !names.some((n) => n.endsWith(`:study/${S27_STUDY}`)),
          `no copy after reload: ${names}`,
        )
        const study = await fetch(`${env.url}/api/v1/studies/${S27_STUDY}`, {
          headers: { authorization: `Bearer ${admin}` },
        })
        assert.notEqual(study.status, 200, 'the server does not have it back')
      }),
  )

  it(
    '[S28] notices issued while the tablet was offline (app closed) arrive when it comes back',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const tablet = await cast.signIn('bose', 'tablet')
        await indicator(tablet.page, 'Online').waitFor()
        const admin = await env.token('admin')
        const { user: me } = await env.call<{ user: { id: string } }>(
          await env.token('bose'),
          'GET',
          '/api/v1/me',
        )
        const assignBose = async (accession: string) => {
          const { state } = await env.call<{ state: { rev: number } }>(
            admin,
            'GET',
            `/api/v1/studies/${accession}`,
          )
          await env.call(admin, 'POST', `/api/v1/studies/${accession}/assignments`, {
            role: 'readingPhysician',
            userId: me.id,
            expectedRev: state.rev,
          })
        }
        const noticeAbout = (page: Page, accession: string) =>
          page.getByText(
            new RegExp(`→ BOSE by ADMIN at \\d\\d:\\d\\d:\\d\\d on study ${accession}`),
          )
        // A first notice while online: the tablet has seen an event id to resume from.
        await assignBose(S28_SEEN)
        await noticeAbout(tablet.page, S28_SEEN).first().waitFor({ state: 'attached' })

        // Playwright's setOffline does not reach the SharedWorker that owns the feed (its
        // stream stays up), so the tablet also closes the app, as in a lift with the
        // screen off: the feed's worker goes with its last page, like a dropped stream.
        await tablet.context.setOffline(true)
        await tablet.page.close()
        await until(sharedWorkers, (n) => n === 0, {
          what: 'the feed SharedWorker to end with its page',
        })
        await assignBose(S28_STUDY)

        await tablet.context.setOffline(false)
        const page = await tablet.context.newPage()
        const back = Date.now()
        await page.goto('/#/worklist')
        await noticeAbout(page, S28_STUDY).first().waitFor({ state: 'attached', timeout: 20_000 })
        measured(
          t,
          `S28: the missed notice arrived ${Date.now() - back} ms after the app came back`,
        )
        await page.getByRole('button', { name: /^Notifications, [1-9]\d* unread/ }).waitFor()
        await page.close()
      }),
  )

  it(
    "[S29] the app starts offline from the service worker with bose's worklist; after huyen signs in, only huyen's",
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const tablet = await cast.signIn('bose', 'tablet')
        await serviceWorkerReady(tablet)
        const page = tablet.page
        await accessionLink(page, S26_STUDY).waitFor()
        // One online reload so the worklist answer is kept on the device for bose.
        await page.reload()
        await accessionLink(page, S26_STUDY).waitFor()

        await tablet.context.setOffline(true)
        const shell = await page.reload()
        assert.ok(shell?.fromServiceWorker(), 'the app shell came from the service worker')
        await page.getByRole('banner').getByText('BOSE', { exact: true }).waitFor()
        await page
          .getByRole('status')
          .filter({ hasText: /Offline: this is the worklist saved on this device/ })
          .waitFor()
        await accessionLink(page, S26_STUDY).waitFor()
        const boseRows = await page.getByRole('row').count()
        t.diagnostic(`bose offline: ${boseRows} rows from the device`)
        await shoot(tablet, '14-tablet-offline-start-worklist')

        // Back online: bose signs out (wiping his data) and huyen signs in on the same tablet.
        await tablet.context.setOffline(false)
        await page.reload()
        await page.getByRole('button', { name: 'Sign out' }).click()
        await page.getByLabel('Username').waitFor()
        const left = await databases(tablet)
        assert.ok(
          !left.some((n) => n.startsWith('studysync:u-bose') || n.includes(':bose')),
          `bose's data wiped: ${left}`,
        )
        await page.getByLabel('Username').fill('huyen')
        await page.getByLabel('Password').fill('demo')
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor()
        await page.getByRole('table').waitFor()

        await tablet.context.setOffline(true)
        await page.reload()
        await page.getByRole('banner').getByText('HUYEN', { exact: true }).waitFor()
        await page
          .getByRole('status')
          .filter({ hasText: /Offline: this is the worklist saved on this device/ })
          .waitFor()
        assert.equal(await page.getByRole('banner').getByText('BOSE', { exact: true }).count(), 0)
        const names = await databases(tablet)
        t.diagnostic(`databases on the tablet now: ${names.join(', ')}`)
        const huyenId = await page.evaluate(
          () => JSON.parse(localStorage.getItem('studysync:signed-in-user') ?? '{}').id,
        )
        assert.ok(
          names.every(
            (n) =>
              !n.startsWith('studysync:') ||
              n.startsWith(`studysync:${encodeURIComponent(huyenId)}:`),
          ),
          `only huyen's databases: ${names}`,
        )
        const stored = await page.evaluate(
          () => localStorage.getItem('studysync:signed-in-user') ?? '',
        )
        assert.ok(!/token/i.test(stored), 'no session token in script-readable storage')
      }),
  )
})
