/** S15: one reader holds the claim; a second radiologist sees it read-only, live. */
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { it } from 'node:test'
import type { Page } from 'playwright-core'
import { openDesktop, openInfoForm, presenceBar, shoot } from '../support/app.ts'
import type { E2EEnvironment } from '../support/env.ts'
import { measured, withCast } from '../support/scenario.ts'
import { controlValue, until } from '../support/wait.ts'

/** Ready to read, nobody reading (deterministic demo seed). */
const S15_STUDY = 'A10075'
const PRESENCE_STUDY = 'A10077'
/** Presence is live: what another user sees within a second or two (S2, S3). */
const SHOWN_WITHIN_MS = 5000
const REPORT_TEXT = 'FINDINGS: No acute intracranial abnormality.'

const TIMEOUT = { timeout: 60_000 }

export function desktopScenarios(env: E2EEnvironment): void {
  it(
    '[S15] bose reads on the desktop; huyen sees "BOSE is reading this study", read-only, and his report text live',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen', 'tablet')

        await openDesktop(bose, S15_STUDY)
        await banner(bose.page, /^You are reading this study$/).waitFor()
        const boseReport = bose.page.getByRole('textbox', { name: 'Report' })
        await until(
          () => boseReport.isEditable(),
          (editable) => editable,
          {
            what: "bose's report editor to be editable",
          },
        )
        await enabled(bose.page, 'Create report', true)

        await openDesktop(huyen, S15_STUDY)
        await banner(huyen.page, /^BOSE is reading this study/).waitFor()
        const huyenReport = huyen.page.getByRole('textbox', { name: 'Report' })
        assert.equal(await huyenReport.isEditable(), false, "huyen's report editor is read-only")
        await enabled(huyen.page, 'Create report', false)
        await enabled(huyen.page, 'Amend report', false)
        await enabled(huyen.page, /^Advance to /, false)
        assert.equal(
          await huyen.page.getByRole('checkbox', { name: 'Auto-create template' }).isEnabled(),
          false,
          'auto-template is off for huyen',
        )

        const typed = performance.now()
        await boseReport.pressSequentially(REPORT_TEXT)
        const done = performance.now()
        const { at } = await controlValue(
          huyenReport,
          (v) => v.includes(REPORT_TEXT),
          "bose's text on huyen's screen",
        )
        measured(
          t,
          `S15 bose's report text complete on huyen's screen ${Math.round(at - done)} ms after his last keystroke (typing took ${Math.round(done - typed)} ms)`,
        )
        // Typing into the read-only editor changes nothing.
        await huyenReport.focus()
        await huyen.page.keyboard.type('X')
        assert.equal(
          await huyenReport.inputValue(),
          REPORT_TEXT,
          "huyen's keystrokes do not reach the report",
        )

        await shoot(bose, '06-desktop-reader')
        await shoot(huyen, '07-desktop-viewer-tablet')
      }),
  )

  // The desktop publishes {mode, view: 'desktop', openedAt} on the report document; the
  // info form adds the feed's entries of the study's other documents to its presence bar.
  it(
    '[S1] a radiologist reading on the desktop is shown as reading on the reading desktop: in the info form and on the admin dashboard',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen')
        const admin = await cast.signIn('admin')
        await openDesktop(bose, PRESENCE_STUDY)
        await banner(bose.page, /^You are reading this study$/).waitFor()
        await openInfoForm(huyen, PRESENCE_STUDY)
        await admin.page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Presence' })
          .click()
        await admin.page.getByRole('heading', { name: 'Who is connected' }).waitFor()

        // Both checks run; the test reports every one that fails.
        const problems: string[] = []
        const reading = presenceBar(huyen.page).getByRole('img', {
          name: /^BOSE \(radiologist\) reading since \d\d:\d\d on the reading desktop/,
        })
        await reading.waitFor({ timeout: SHOWN_WITHIN_MS }).catch(async () => {
          const shown = await presenceBar(huyen.page).textContent()
          problems.push(
            `huyen's presence bar does not show BOSE reading on the desktop; it shows: ${squash(shown)}`,
          )
        })
        const row = admin.page
          .getByRole('row')
          .filter({ has: admin.page.getByRole('cell', { name: 'BOSE', exact: true }) })
          .filter({ has: admin.page.getByRole('button', { name: `Study ${PRESENCE_STUDY}` }) })
        await row
          .filter({ has: admin.page.getByRole('cell', { name: 'desktop', exact: true }) })
          .filter({ has: admin.page.getByRole('cell', { name: 'reading', exact: true }) })
          .first()
          .waitFor({ timeout: SHOWN_WITHIN_MS })
          .catch(async () => {
            const shown =
              (await row.count()) > 0 ? squash(await row.first().textContent()) : 'no row'
            problems.push(
              `the admin dashboard does not list BOSE on ${PRESENCE_STUDY} as reading in the desktop view; it shows: ${shown}`,
            )
          })
        const counters = admin.page.getByLabel('Live counters')
        await until(
          async () => squash(await counters.textContent()),
          (text) => /Readers\s*[1-9]/.test(text),
          { what: 'the Readers counter to count BOSE', timeout: SHOWN_WITHIN_MS },
        ).catch(async () => {
          problems.push(
            `the dashboard's Readers counter does not count BOSE; it shows: ${squash(await counters.textContent())}`,
          )
        })
        await shoot(admin, '08-admin-presence-dashboard')
        for (const problem of problems) t.diagnostic(problem)
        assert.deepEqual(problems, [], problems.join('\n'))
      }),
  )
}

/** The desktop's claim banner (a status line). */
function banner(page: Page, text: RegExp) {
  return page.getByRole('status').filter({ hasText: text })
}

async function enabled(page: Page, name: string | RegExp, expected: boolean): Promise<void> {
  const button = page.getByRole('group', { name: 'Study actions' }).getByRole('button', { name })
  await button.waitFor()
  await until(
    () => button.isEnabled(),
    (is) => is === expected,
    {
      what: `"${name}" to be ${expected ? 'enabled' : 'disabled'}`,
    },
  )
}

function squash(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}
