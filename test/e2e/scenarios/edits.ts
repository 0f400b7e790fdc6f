/** S8 and S11: someone else's change, announced and highlighted; the server picks one winner. */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Locator, Page } from 'playwright-core'
import { blockingDialog, describedAs, openInfoForm, rowOf, shoot } from '../support/app.ts'
import type { UserTab } from '../support/cast.ts'
import type { E2EEnvironment } from '../support/env.ts'
import { measured, withCast } from '../support/scenario.ts'
import { controlValue, until } from '../support/wait.ts'

/** Ready to read, ROUTINE, BOSE reading (deterministic demo seed). */
const S8_STUDY = 'A10095'
/** Ready to read, nobody reading or performing yet. */
const S11_STUDY = 'A10082'

const TIMEOUT = { timeout: 60_000 }
const CLOCK = String.raw`\d\d:\d\d:\d\d`

export function editScenarios(env: E2EEnvironment): void {
  it(
    '[S8] bose raises Priority to STAT: huyen sees STAT highlighted with who and ROUTINE → STAT, and a blocking notice',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen')
        await openInfoForm(bose, S8_STUDY)
        await openInfoForm(huyen, S8_STUDY)
        const huyenPriority = huyen.page.getByRole('combobox', { name: 'Priority' })
        await controlValue(
          huyenPriority,
          (v) => v === 'ROUTINE',
          "huyen's Priority to start as ROUTINE",
        )

        await bose.page.getByRole('combobox', { name: 'Priority' }).selectOption('STAT')

        // Raised to STAT is a safety event (DESIGN §5): a blocking dialog with what, who and when.
        const dialog = blockingDialog(huyen.page)
        await dialog.waitFor()
        const said = (await dialog.textContent()) ?? ''
        t.diagnostic(`huyen's dialog: ${said.replace(/\s+/g, ' ').trim()}`)
        assert.match(
          said,
          new RegExp(`Priority ROUTINE → STAT by BOSE at ${CLOCK}`),
          'what and who',
        )
        assert.match(said, new RegExp(`${S8_STUDY}`), 'which study')
        await shoot(huyen, '04-blocking-dialog-stat')
        await dialog.getByRole('button', { name: 'OK' }).click()
        await dialog.waitFor({ state: 'hidden' })

        // The field itself: the new value, highlighted, and the change in its accessible description.
        await controlValue(huyenPriority, (v) => v === 'STAT', "huyen's Priority to show STAT")
        const description = await describedAs(
          huyen.page,
          'combobox',
          'Priority',
          new RegExp(`Priority ROUTINE → STAT by BOSE at ${CLOCK}`),
        )
        t.diagnostic(`huyen's Priority is described as: ${description}`)
        // …and announced in the form's polite live region.
        await huyen.page
          .getByRole('status')
          .filter({ hasText: new RegExp(`^Priority ROUTINE → STAT by BOSE at ${CLOCK}$`) })
          .waitFor({ state: 'attached' })
        await shoot(huyen, '03-study-form-presence-highlight')

        // And the notice stays in her notification centre (what/who/when).
        await huyen.page.getByRole('button', { name: /^Notifications, [1-9]\d* unread/ }).waitFor()
      }),
  )

  it(
    '[S11] bose and huyen assign the performing physician from the worklist at once: one wins, the other is told',
    TIMEOUT,
    (t) =>
      withCast(env, t, async (cast) => {
        const bose = await cast.signIn('bose')
        const huyen = await cast.signIn('huyen', 'tablet')
        const picks = new Map([
          [bose, 'PERF'],
          [huyen, 'ADMIN'],
        ])
        const assignButtons = await Promise.all(
          [...picks].map(([tab, who]) => choosePerformer(tab, S11_STUDY, who)),
        )
        // Both confirm at (nearly) the same moment, each from the row as they saw it.
        await Promise.all(assignButtons.map((button) => button.click()))

        const outcomes = await Promise.all([...picks.keys()].map((tab) => outcomeOf(tab.page)))
        const winners = outcomes.filter((o) => o.kind === 'won')
        const losers = outcomes.filter((o) => o.kind === 'lost')
        t.diagnostic(`bose: ${outcomes[0]?.text} — huyen: ${outcomes[1]?.text}`)
        assert.equal(winners.length, 1, 'exactly one change went through')
        assert.equal(losers.length, 1, 'the other was discarded')

        const winner = outcomes[0]?.kind === 'won' ? bose : huyen
        const loser = winner === bose ? huyen : bose
        const chosen = picks.get(winner) ?? ''
        assert.match(
          losers[0]?.text ?? '',
          new RegExp(
            `^${S11_STUDY}: Updated by ${winner.name} at ${CLOCK}; your change was discarded\\.$`,
          ),
        )
        // The loser is also told by an error toast, and their row now shows the winner's pick.
        await loser.page
          .getByRole('alert')
          .filter({ hasText: 'your change was discarded' })
          .waitFor()
        await rowOf(loser.page, S11_STUDY)
          .getByRole('cell', { name: chosen, exact: true })
          .waitFor()

        const token = await env.token('admin')
        const study = await env.call<{
          state?: { performingPhysician?: { name?: string } | null }
        }>(token, 'GET', `/api/v1/studies/${S11_STUDY}`)
        assert.equal(
          study.state?.performingPhysician?.name,
          chosen,
          "the server kept the winner's pick",
        )
        measured(t, `S11 winner ${winner.name} (${chosen}); ${loser.name} told: ${losers[0]?.text}`)
        // Evidence from the tablet: back to the top-left of the page and the table, message in view.
        await huyen.page
          .getByRole('heading', { name: 'Worklist', exact: true })
          .scrollIntoViewIfNeeded()
        await huyen.page.getByRole('region', { name: 'Worklist table' }).evaluate((table) => {
          table.scrollLeft = 0
        })
        await shoot(huyen, '05-worklist-tablet-quick-edit')
      }),
  )
}

/** Row menu → "Assign performing physician…" → pick `who`; returns the dialog's Assign button. */
async function choosePerformer(tab: UserTab, accession: string, who: string): Promise<Locator> {
  await rowOf(tab.page, accession)
    .getByRole('button', { name: `Actions for ${accession}` })
    .click()
  await tab.page.getByRole('menuitem', { name: 'Assign performing physician…' }).click()
  const dialog = tab.page.getByRole('dialog', { name: `Performing physician for ${accession}` })
  await dialog.getByRole('radio', { name: new RegExp(`^${who}\\b`) }).check()
  return dialog.getByRole('button', { name: 'Assign', exact: true })
}

type Outcome = { kind: 'won' | 'lost'; text: string }

/** The worklist's status line after a quick edit: "A10082: Performing physician of … is now PERF." or the refusal. */
async function outcomeOf(page: Page): Promise<Outcome> {
  const line = page
    .getByRole('status')
    .filter({ hasText: new RegExp(`${S11_STUDY}: .*(is now|discarded)`) })
  const { value } = await until(
    async () => ((await line.first().textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    (text) => /is now|discarded/.test(text),
    { what: 'the quick edit outcome on the worklist' },
  )
  const text = value.replace(/\s*Dismiss$/, '')
  return { kind: /discarded/.test(text) ? 'lost' : 'won', text }
}
