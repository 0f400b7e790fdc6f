import { expect, waitUntil } from '@open-wc/testing'
import { ApiError } from '../../client/api.ts'
import type { SsWorklist } from '../../client/worklist/ss-worklist.ts'
import { describe, it } from './mocha.ts'
import {
  allByRole,
  byRole,
  deepText,
  fakeApi,
  HUYEN,
  mountWorklist,
  rowOf,
  stateOf,
  todayAt,
} from './worklist-fixture.ts'

const at = todayAt(14, 2, 31)

/** Opens a row's menu from its "⋯" button and resolves with the menu. */
async function openMenu(el: SsWorklist, accession: string): Promise<HTMLElement> {
  byRole(rowOf(el, accession), 'button', `Actions for ${accession}`).click()
  const menu = byRole(rowOf(el, accession), 'menu', `Actions for ${accession}`)
  await waitUntil(() => menu.matches(':popover-open'), 'menu open')
  return menu
}

/** Picks `name` in the open assign dialog and submits it. */
async function pickInDialog(el: SsWorklist, name: string): Promise<void> {
  const dialog = byRole(el, 'dialog') as HTMLDialogElement
  await waitUntil(
    () => dialog.open && allByRole(dialog, 'radio', name).length === 1,
    'users listed',
  )
  byRole(dialog, 'radio', name).click()
  await waitUntil(() => !(byRole(dialog, 'button', 'Assign') as HTMLButtonElement).disabled)
  byRole(dialog, 'button', 'Assign').click()
}

async function selectRows(el: SsWorklist, ...accessions: string[]): Promise<void> {
  for (const accession of accessions) {
    byRole(el, 'checkbox', `Select ${accession}`).click()
    await el.updateComplete
  }
}

describe('<ss-worklist> quick edits, bulk assign and grouping', () => {
  it('S11: a quick edit sends the row rev; a 409 says "Updated by … at …; your change was discarded."', async () => {
    const fake = fakeApi()
    fake.handlers.assign = async () => {
      throw new ApiError(409, 'stale', 'Updated by HUYEN at 13:02:31; your change was discarded.', {
        error: 'stale',
        by: 'HUYEN',
        at,
      })
    }
    const { el, toasts } = await mountWorklist({ api: fake.api })
    const menu = await openMenu(el, 'A10001')
    byRole(menu, 'menuitem', 'Assign performing physician…').click()
    const title = 'Performing physician for A10001'
    await waitUntil(() => allByRole(el, 'dialog', title).length === 1, 'dialog named')
    const dialog = byRole(el, 'dialog', title)
    // Only performing physicians and system admins can perform.
    expect(allByRole(dialog, 'radio', 'HUYEN')).to.have.length(0)
    await pickInDialog(el, 'PERF (performing physician)')

    const expected = 'Updated by HUYEN at 14:02:31; your change was discarded.'
    await waitUntil(() => deepText(el).includes(`A10001: ${expected}`), 'discarded message shown')
    expect(fake.called('assign').map((c) => c.args)).to.deep.equal([
      ['A10001', { role: 'performingPhysician', userId: 'u-perf', expectedRev: 7 }],
    ])
    expect(toasts).to.deep.equal([{ text: `A10001: ${expected}`, kind: 'error' }])
    // The stale row is fetched again so the next try carries the new rev.
    await waitUntil(() => fake.called('study').length === 1, 'row re-fetched')
    expect(fake.called('study')[0]!.args[0]).to.equal('A10001')
  })

  it('S11: a quick edit that goes through updates the row from the answer', async () => {
    const fake = fakeApi()
    fake.handlers.assign = async (accession, body) => {
      const r = fake.store.rows.find((x) => x.accession === accession)!
      const reader = body.userId === HUYEN.id ? { id: HUYEN.id, name: HUYEN.name } : null
      return { state: stateOf(r, { readingPhysician: reader, rev: r.rev + 1 }) }
    }
    const { el } = await mountWorklist({ api: fake.api })
    const menu = await openMenu(el, 'A10004')
    byRole(menu, 'menuitem', 'Assign reading physician…').click()
    const dialog = byRole(el, 'dialog')
    expect(allByRole(dialog, 'radio', 'PERF')).to.have.length(0)
    await pickInDialog(el, 'HUYEN')
    await waitUntil(() => deepText(rowOf(el, 'A10004')).includes('HUYEN'), 'row updated')
    expect(el.list.row('A10004')?.rev).to.equal(2)
    expect(byRole(el, 'status', /Reading physician of A10004 is now HUYEN/)).to.exist
  })

  it('S11: a 423 says who has the study open for reading; the menu opens from the context-menu key', async () => {
    const fake = fakeApi()
    fake.handlers.assign = async () => {
      throw new ApiError(423, 'locked', 'HUYEN has this study open for reading.', {
        error: 'locked',
        holder: { id: HUYEN.id, name: HUYEN.name },
      })
    }
    const { el, toasts } = await mountWorklist({ api: fake.api })
    const link = byRole(rowOf(el, 'A10002'), 'link', 'A10002')
    link.focus()
    link.dispatchEvent(
      new MouseEvent('contextmenu', { bubbles: true, composed: true, cancelable: true }),
    )
    const menu = byRole(rowOf(el, 'A10002'), 'menu', 'Actions for A10002')
    await waitUntil(() => menu.matches(':popover-open'), 'menu opened by contextmenu')
    const items = allByRole(menu, 'menuitem')
    await waitUntil(() => items[0]!.matches(':focus'), 'first item focused')
    items[0]!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'End', bubbles: true, composed: true }),
    )
    expect(items.at(-1)!.matches(':focus')).to.equal(true)
    items
      .at(-1)!
      .dispatchEvent(
        new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }),
      )
    expect(items[0]!.matches(':focus')).to.equal(true)

    byRole(menu, 'menuitem', 'Unassign reading physician (BOSE)').click()
    await waitUntil(() => toasts.length === 1, 'refusal told')
    expect(toasts[0]!.text).to.equal('A10002: HUYEN has this study open for reading')
    expect(fake.called('assign')[0]!.args).to.deep.equal([
      'A10002',
      { role: 'readingPhysician', userId: null, expectedRev: 3 },
    ])
  })

  it("S17: bulk assign lists the result of every study, with the server's error text", async () => {
    const fake = fakeApi()
    const refusal = 'One or more studies have been opened by another reading physician'
    fake.handlers.bulkAssign = async ({ accessions }) => ({
      results: accessions.map((accession) =>
        accession === 'A10002' ? { accession, ok: false, error: refusal } : { accession, ok: true },
      ),
    })
    const { el } = await mountWorklist({ api: fake.api })
    await selectRows(el, 'A10001', 'A10002', 'A10003')
    const bar = byRole(el, 'region', 'Bulk actions')
    const picker = byRole(bar, 'combobox', /^Reading physician/) as HTMLSelectElement
    await waitUntil(() => [...picker.options].some((o) => o.value === HUYEN.id), 'readers listed')
    expect([...picker.options].map((o) => o.textContent?.trim())).to.not.include('PERF')
    picker.value = HUYEN.id
    picker.dispatchEvent(new Event('change'))
    await el.updateComplete
    const assign = byRole(bar, 'button', 'Assign reading physician') as HTMLButtonElement
    await waitUntil(() => !assign.disabled, 'assign enabled')
    assign.click()

    await waitUntil(() => allByRole(el, 'list', 'Results by study').length === 1, 'results shown')
    const results = allByRole(byRole(el, 'list', 'Results by study'), 'listitem').map(deepText)
    expect(results).to.deep.equal(['A10001: done', `A10002: failed — ${refusal}`, 'A10003: done'])
    expect(deepText(el)).to.include('Assign reading physician (HUYEN): 2 done, 1 failed')
    expect(fake.called('bulkAssign')[0]!.args[0]).to.deep.equal({
      accessions: ['A10001', 'A10002', 'A10003'],
      role: 'readingPhysician',
      userId: HUYEN.id,
    })
    // A failed bulk unassign says why.
    fake.handlers.bulkAssign = async () => {
      throw new ApiError(403, 'forbidden', 'Assigning the reading physician needs a privilege.')
    }
    byRole(el, 'button', 'Unassign reading physician').click()
    await waitUntil(
      () => deepText(el).includes('Unassign reading physician: failed'),
      'failure shown',
    )
    expect(deepText(el)).to.include('Assigning the reading physician needs a privilege.')
  })

  it("S20: Group sends each row's rev and lists every excluded study with reason, who and when", async () => {
    const fake = fakeApi()
    fake.handlers.group = async () => ({
      grouped: ['A10001', 'A10004'],
      group: 'G-7',
      excluded: [
        {
          accession: 'A10003',
          reason: 'Its grouping criteria changed since you looked.',
          by: 'HUYEN',
          at,
        },
      ],
    })
    const { el } = await mountWorklist({ api: fake.api })
    await selectRows(el, 'A10001', 'A10003', 'A10004')
    byRole(byRole(el, 'region', 'Bulk actions'), 'button', 'Group').click()

    await waitUntil(
      () => allByRole(el, 'list', 'Left out of the group').length === 1,
      'exclusions shown',
    )
    expect(fake.called('group')[0]!.args[0]).to.deep.equal({
      accessions: ['A10001', 'A10003', 'A10004'],
      expectedRevs: { A10001: 7, A10003: 4, A10004: 1 },
    })
    expect(deepText(el)).to.include('Grouped A10001, A10004 as G-7')
    const excluded = allByRole(byRole(el, 'list', 'Left out of the group'), 'listitem').map(
      deepText,
    )
    expect(excluded).to.deep.equal([
      'A10003: Its grouping criteria changed since you looked. — changed by HUYEN at 14:02:31',
    ])
    byRole(el, 'button', 'Dismiss results').click()
    await el.updateComplete
    expect(allByRole(el, 'list', 'Left out of the group')).to.have.length(0)
  })
})
