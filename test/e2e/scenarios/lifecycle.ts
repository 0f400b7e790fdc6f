/** S21 and S22: a study deleted or merged while others have it open. */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import {
  accessionLink,
  blockingDialog,
  openInfoForm,
  routeOf,
  shoot,
  studyHeading,
} from '../support/app.ts'
import type { UserTab } from '../support/cast.ts'
import type { E2EEnvironment } from '../support/env.ts'
import { measured, withCast } from '../support/scenario.ts'
import { gone, until } from '../support/wait.ts'

/** Ready to read, BOSE reading (deterministic demo seed). */
const S21_STUDY = 'A10097'
const S22_SOURCE = 'A10110'
const S22_TARGET = 'A10114'

const TIMEOUT = { timeout: 60_000 }
const CLOCK = String.raw`\d\d:\d\d:\d\d`

export function lifecycleScenarios(env: E2EEnvironment): void {
  it(
    '[S21] admin deletes a study bose and huyen have open: both are told who and when, the form closes, the row goes',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen')
        await openInfoForm(bose, S21_STUDY)
        await openInfoForm(huyen, S21_STUDY)

        const admin = await env.token('admin')
        await env.call(admin, 'DELETE', `/api/v1/studies/${S21_STUDY}`)

        for (const tab of [bose, huyen]) {
          const text = await dialogText(tab)
          t.diagnostic(`${tab.username}'s dialog: ${text}`)
          assert.match(text, new RegExp(`${S21_STUDY} (was )?deleted by ADMIN at ${CLOCK}`, 'i'))
          await backOnWorklist(tab, S21_STUDY)
        }
        await shoot(bose, '09-blocking-dialog-deleted')
        for (const tab of [bose, huyen]) {
          await blockingDialog(tab.page).getByRole('button', { name: 'OK' }).click()
          await gone(
            accessionLink(tab.page, S21_STUDY),
            `the ${S21_STUDY} row on ${tab.username}'s worklist`,
          )
        }
      }),
  )

  it(
    '[S22] admin merges a study huyen has open: "merged into <target>" with a button that opens the target',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const huyen = await cast.signIn('huyen', 'tablet')
        const bose = await cast.signIn('bose')
        await openInfoForm(huyen, S22_SOURCE)
        await openInfoForm(bose, S22_SOURCE)

        const admin = await env.token('admin')
        await env.call(admin, 'POST', `/api/v1/studies/${S22_SOURCE}/merge`, { into: S22_TARGET })

        for (const tab of [huyen, bose]) {
          const text = await dialogText(tab)
          t.diagnostic(`${tab.username}'s dialog: ${text}`)
          assert.match(
            text,
            new RegExp(`${S22_SOURCE} (was )?merged into ${S22_TARGET} by ADMIN at ${CLOCK}`, 'i'),
          )
        }
        await shoot(huyen, '10-blocking-dialog-merged-tablet')
        // huyen follows the offer; bose just acknowledges and stays on the worklist.
        await blockingDialog(huyen.page)
          .getByRole('button', { name: `Open ${S22_TARGET}` })
          .click()
        await studyHeading(huyen.page, S22_TARGET).waitFor()
        assert.equal(await routeOf(huyen), `#/study/${S22_TARGET}`)
        await blockingDialog(bose.page).getByRole('button', { name: 'OK' }).click()
        await backOnWorklist(bose, S22_SOURCE)
        await gone(accessionLink(bose.page, S22_SOURCE), `the merged ${S22_SOURCE} row`)
        measured(t, `S22 huyen opened ${S22_TARGET} from the merge dialog`)
      }),
  )
}

/** The blocking dialog's whole text, once it is up. */
async function dialogText(tab: UserTab): Promise<string> {
  const dialog = blockingDialog(tab.page)
  await dialog.waitFor()
  return ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ').trim()
}

/** The form closed: the study heading is gone and the route is the worklist. */
async function backOnWorklist(tab: UserTab, accession: string): Promise<void> {
  await gone(studyHeading(tab.page, accession), `${tab.username}'s form of ${accession} to close`)
  await until(
    () => routeOf(tab),
    (hash) => hash === '#/worklist',
    {
      what: `${tab.username} back on the worklist`,
    },
  )
}
