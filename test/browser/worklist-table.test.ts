import { ContextProvider } from '@lit/context'
import { expect, waitUntil } from '@open-wc/testing'
import { apiContext } from '../../client/app/contexts.ts'
import type { SsWorklist } from '../../client/worklist/ss-worklist.ts'
import { describe, it } from './mocha.ts'
import {
  allByRole,
  BOSE,
  byRole,
  deepElements,
  fakeApi,
  mountWorklist,
  nameOf,
  PERF,
  row,
  rowOf,
  session,
  shownAccessions,
} from './worklist-fixture.ts'

async function settle(el: SsWorklist): Promise<void> {
  await el.updateComplete
  for (const child of el.shadowRoot!.querySelectorAll('*')) {
    if ('updateComplete' in child) await (child as SsWorklist).updateComplete
  }
}

function choose(select: HTMLElement, value: string): void {
  ;(select as HTMLSelectElement).value = value
  select.dispatchEvent(new Event('change', { bubbles: true }))
}

describe('<ss-worklist> table', () => {
  it('renders each row with named priority and status badges and an accession link', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api })
    expect(shownAccessions(el)).to.have.length(4)

    const first = rowOf(el, 'A10001')
    expect(byRole(first, 'img', 'Priority STAT').textContent).to.include('STAT')
    expect(byRole(first, 'img', 'Status ready to read').textContent).to.include('ready to read')
    const link = byRole(first, 'link', 'A10001') as HTMLAnchorElement
    expect(link.getAttribute('href')).to.equal('#/study/A10001')
    expect(byRole(first, 'checkbox', 'Select A10001')).to.exist
    expect(byRole(first, 'button', 'Actions for A10001')).to.exist
    expect(byRole(rowOf(el, 'A10002'), 'img', 'Priority CRITFIND')).to.exist
    expect(byRole(rowOf(el, 'A10003'), 'img', 'Status signed')).to.exist

    const headers = allByRole(el, 'columnheader').map(nameOf)
    for (const column of [
      'Access',
      'Priority',
      'Status',
      'Accession',
      'Patient',
      'Modality',
      'Description',
      'Reading physician',
      'Performing physician',
      'Images',
      'Date',
    ]) {
      expect(
        headers.some((h) => h.startsWith(column)),
        column,
      ).to.equal(true)
    }
  })

  it('sorts by priority first, and by any column through its header button with aria-sort', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api })
    expect(shownAccessions(el)).to.deep.equal(['A10001', 'A10002', 'A10003', 'A10004'])
    const header = (label: string) =>
      allByRole(el, 'columnheader').find((th) => nameOf(th).startsWith(label))!
    expect(header('Priority').getAttribute('aria-sort')).to.equal('ascending')

    byRole(header('Images'), 'button').click()
    await settle(el)
    expect(header('Images').getAttribute('aria-sort')).to.equal('ascending')
    expect(header('Priority').getAttribute('aria-sort')).to.equal('none')
    expect(shownAccessions(el)[0]).to.equal('A10003') // 2 images

    byRole(header('Images'), 'button').click()
    await settle(el)
    expect(header('Images').getAttribute('aria-sort')).to.equal('descending')
    expect(shownAccessions(el).at(-1)).to.equal('A10003')

    byRole(header('Date'), 'button').click()
    await settle(el)
    expect(header('Date').getAttribute('aria-sort')).to.equal('descending')
    expect(shownAccessions(el)[0]).to.equal('A10002') // the newest date

    byRole(header('Reading physician'), 'button').click()
    await settle(el)
    // Unassigned ('') first, then BOSE, then HUYEN.
    expect(shownAccessions(el).slice(2)).to.deep.equal(['A10002', 'A10003'])
  })

  it('filters by status, priority, modality, "Assigned to me", "Unassigned" and text', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api, session: session(BOSE) })
    const reset = async () => {
      byRole(el, 'button', 'Clear filters').click()
      await settle(el)
      expect(shownAccessions(el)).to.have.length(4)
    }

    choose(byRole(el, 'combobox', /^Status/), 'signed')
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10003'])
    await reset()

    choose(byRole(el, 'combobox', /^Priority/), 'CRITFIND')
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10002'])
    await reset()

    choose(byRole(el, 'combobox', /^Modality/), 'CR')
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10004'])
    await reset()

    byRole(el, 'checkbox', 'Assigned to me').click()
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10002'])
    await reset()

    byRole(el, 'checkbox', 'Unassigned').click()
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10001', 'A10004'])
    await reset()

    const search = byRole(el, 'searchbox', /^Search/) as HTMLInputElement
    search.value = 'smith'
    search.dispatchEvent(new Event('input', { bubbles: true }))
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10001'])
    search.value = 'huyen'
    search.dispatchEvent(new Event('input', { bubbles: true }))
    await settle(el)
    expect(shownAccessions(el)).to.deep.equal(['A10003'])
    await reset()
    expect((byRole(el, 'combobox', /^Status/) as HTMLSelectElement).value).to.equal('')
  })

  it('clicking the accession calls navigator.go; radiologists also get "Read" to the desktop', async () => {
    const { el, routes } = await mountWorklist({ api: fakeApi().api, session: session(BOSE) })
    byRole(rowOf(el, 'A10002'), 'link', 'A10002').click()
    expect(routes).to.deep.equal([{ page: 'study', accession: 'A10002' }])

    const read = byRole(rowOf(el, 'A10002'), 'link', 'Read A10002') as HTMLAnchorElement
    expect(read.getAttribute('href')).to.equal('#/study/A10002/desktop')
    read.click()
    expect(routes.at(-1)).to.deep.equal({ page: 'desktop', accession: 'A10002' })
  })

  it('offers no "Read" link to a performing physician', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api, session: session(PERF, []) })
    expect(allByRole(el, 'link', /^Read /)).to.have.length(0)
  })

  it('selects rows by their checkboxes and all shown rows by "Select all"', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api })
    byRole(el, 'checkbox', 'Select A10003').click()
    await settle(el)
    expect(byRole(el, 'status', '1 selected')).to.exist
    const all = byRole(el, 'checkbox', 'Select all') as HTMLInputElement
    expect(all.indeterminate).to.equal(true)
    all.click()
    await settle(el)
    expect(byRole(el, 'status', '4 selected')).to.exist
    expect(
      allByRole(el, 'checkbox', /^Select A/).every((c) => (c as HTMLInputElement).checked),
    ).to.equal(true)
    byRole(el, 'button', 'Clear selection').click()
    await settle(el)
    expect(allByRole(el, 'region', 'Bulk actions')).to.have.length(0)
  })

  it('shows a failed load with Retry, without feed or session contexts', async () => {
    const fake = fakeApi([row('A1')])
    let fail = true
    fake.handlers.worklist = async () => {
      if (fail) throw new Error('offline')
      return { rows: [row('A1')] }
    }
    const { api } = fake
    const el = document.createElement('ss-worklist')
    const host = document.createElement('div')
    new ContextProvider(host, { context: apiContext, initialValue: api })
    host.append(el)
    document.body.append(host)
    await waitUntil(() => el.list.state === 'error', 'load failed')
    await settle(el)
    expect(byRole(el, 'alert').textContent).to.include('Could not load the worklist: offline')
    fail = false
    byRole(el, 'button', 'Retry').click()
    await waitUntil(() => shownAccessions(el).length === 1, 'loaded after retry')
    host.remove()
  })

  it('is tablet-sized: every control is at least 40 px square at 1024 px, and the table scrolls sideways', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api })
    el.style.width = '1024px'
    await settle(el)
    const controls = deepElements(el).filter(
      (node): node is HTMLElement =>
        node instanceof HTMLElement && node.matches('button, a[href], select, input'),
    )
    const small = controls
      .map((c) => {
        // A checkbox's target is the label around it.
        const target = c.matches('input[type=checkbox]') ? (c.closest('label') ?? c) : c
        const { width, height } = target.getBoundingClientRect()
        return { name: nameOf(c), width, height }
      })
      .filter(({ width, height }) => width > 0 && (width < 40 || height < 40))
    expect(small).to.deep.equal([])
    expect(controls.length).to.be.greaterThan(40)

    const scroller = byRole(el, 'region', 'Worklist table')
    expect(scroller.scrollWidth).to.be.greaterThan(scroller.clientWidth)
    expect(getComputedStyle(scroller).overflowX).to.equal('auto')
    expect(scroller.tabIndex).to.equal(0)
  })

  it('ArrowDown and ArrowUp move focus to the same column of the next or previous row', async () => {
    const { el } = await mountWorklist({ api: fakeApi().api })
    const link = byRole(rowOf(el, 'A10001'), 'link', 'A10001')
    link.focus()
    const key = (target: HTMLElement, k: string) =>
      target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }))
    key(link, 'ArrowDown')
    const next = byRole(rowOf(el, 'A10002'), 'link', 'A10002')
    expect(next.matches(':focus')).to.equal(true)
    key(next, 'ArrowUp')
    expect(link.matches(':focus')).to.equal(true)

    const box = byRole(rowOf(el, 'A10003'), 'checkbox', 'Select A10003')
    box.focus()
    key(box, 'ArrowDown')
    expect(byRole(rowOf(el, 'A10004'), 'checkbox', 'Select A10004').matches(':focus')).to.equal(
      true,
    )
  })
})
