/** S1–S3: who is where, in the form's presence bar and the worklist's Access column. */
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { it } from 'node:test'
import {
  accessFlag,
  goToWorklist,
  hhmm,
  openInfoForm,
  presenceBar,
  shoot,
  studyHeading,
} from '../support/app.ts'
import type { E2EEnvironment } from '../support/env.ts'
import { measured, withCast } from '../support/scenario.ts'
import { until, visibleAt } from '../support/wait.ts'

/** Demo studies (deterministic seed), ready to read with BOSE as reading physician. */
const S1_STUDY = 'A10087'
const S2_STUDY = 'A10089'
const S3_STUDY = 'A10092'

/** S2 and S3: what a user sees on a healthy network on one server. */
const LIVE_MS = 1000

const TIMEOUT = { timeout: 60_000 }

export function presenceScenarios(env: E2EEnvironment): void {
  it(
    '[S1] huyen opening a study bose has open sees BOSE in the presence bar with mode, view and since',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen')
        const before = new Date()
        await openInfoForm(bose, S1_STUDY)
        await presenceBar(bose.page).getByText('Nobody else has this study open.').waitFor()
        const sinceChoices = new Set([hhmm(before), hhmm(new Date())])

        await openInfoForm(huyen, S1_STUDY)
        const avatar = presenceBar(huyen.page).getByRole('img', { name: /^BOSE / })
        await avatar.waitFor()
        const label = (await avatar.getAttribute('aria-label')) ?? ''
        t.diagnostic(`huyen sees: ${label}`)
        const parts = label.match(
          /^BOSE \(radiologist\) (viewing|editing|reading) since (\d\d:\d\d) in the info form, (active|no sign)/,
        )
        assert.ok(parts, `the avatar says who, mode, since and view: "${label}"`)
        assert.ok(
          sinceChoices.has(parts[2] ?? ''),
          `since ${parts[2]} is when bose opened it (${[...sinceChoices]})`,
        )
        // Seed 001's wording: "<User> has opened this study on <time> and is currently reviewing…".
        await presenceBar(huyen.page)
          .getByRole('status')
          .filter({
            hasText: /BOSE has had this study open since \d\d:\d\d, (viewing|editing|reading)/,
          })
          .waitFor()
      }),
  )

  it('[S2] bose is told within 1 s that HUYEN opened the study he has open', TIMEOUT, (t) =>
    withCast(env, t, async (cast) => {
      const bose = await cast.signIn('bose')
      const huyen = await cast.signIn('huyen')
      await openInfoForm(bose, S2_STUDY)
      const bar = presenceBar(bose.page)
      await bar.getByText('Nobody else has this study open.').waitFor()

      const clicked = performance.now()
      const [arrived, avatarSeen, announced] = await Promise.all([
        huyen.page
          .getByRole('link', { name: S2_STUDY, exact: true })
          .click()
          .then(() => visibleAt(studyHeading(huyen.page, S2_STUDY), "huyen's form")),
        visibleAt(
          bar.getByRole('img', { name: /^HUYEN \(radiologist\) / }),
          "HUYEN's avatar on bose's screen",
        ),
        visibleAt(
          bar.getByRole('status').filter({ hasText: /HUYEN opened this study at \d\d:\d\d/ }),
          "bose's announcement of HUYEN",
        ),
      ])
      const told = Math.max(avatarSeen, announced)
      const latency = Math.round(told - arrived)
      measured(
        t,
        `S2 latency: bose told ${latency} ms after huyen's form appeared (${Math.round(told - clicked)} ms after her click; avatar ${Math.round(avatarSeen - arrived)} ms, announcement ${Math.round(announced - arrived)} ms)`,
      )
      assert.ok(
        latency < LIVE_MS,
        `bose was told ${latency} ms after huyen arrived (limit ${LIVE_MS} ms)`,
      )
    }),
  )

  it(
    "[S3] admin's worklist flags the open study with BOSE and HUYEN, and updates live when HUYEN leaves",
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const admin = await cast.signIn('admin')
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen')
        await openInfoForm(bose, S3_STUDY)
        await openInfoForm(huyen, S3_STUDY)

        const both = accessFlag(admin.page, S3_STUDY).and(
          admin.page.getByRole('button', {
            name: /^(?=.*Open by BOSE \((viewing|editing|reading)\) since \d\d:\d\d)(?=.*Open by HUYEN \((viewing|editing|reading)\) since \d\d:\d\d)/,
          }),
        )
        await both.waitFor()
        t.diagnostic(`admin's flag: ${await both.getAttribute('aria-label')}`)

        // Evidence: flagged rows first, the flag's tooltip open (keyboard focus shows it).
        const accessHeader = admin.page.getByRole('columnheader', { name: 'Access', exact: true })
        const sortedBy = (direction: string) =>
          until(
            () => accessHeader.getAttribute('aria-sort'),
            (sort) => sort === direction,
            {
              what: `the worklist sorted by Access, ${direction}`,
            },
          )
        await accessHeader.getByRole('button').click()
        await sortedBy('ascending')
        await accessHeader.getByRole('button').click()
        await sortedBy('descending')
        await both.focus()
        await admin.page.getByRole('tooltip').filter({ hasText: 'HUYEN' }).waitFor()
        await shoot(admin, '02-worklist-access-flags')

        const left = performance.now()
        await goToWorklist(huyen)
        const onlyBose = accessFlag(admin.page, S3_STUDY).and(
          admin.page.getByRole('button', { name: /^Open by BOSE \([a-z]+\) since \d\d:\d\d$/ }),
        )
        const updated = await visibleAt(onlyBose, 'the flag naming only BOSE after HUYEN left')
        const latency = Math.round(updated - left)
        measured(t, `S3 Access flag updated ${latency} ms after HUYEN left the form`)
        assert.ok(
          latency < LIVE_MS,
          `the Access flag updated after ${latency} ms (limit ${LIVE_MS} ms)`,
        )
      }),
  )
}
