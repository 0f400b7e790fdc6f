import { expect, waitUntil } from '@open-wc/testing'
import { describe, it } from './mocha.ts'
import {
  allByRole,
  BOSE,
  byRole,
  deepText,
  fakeApi,
  fakeFeed,
  HUYEN,
  mountWorklist,
  nameOf,
  PERF,
  presence,
  row,
  rowOf,
  shownAccessions,
  stateOf,
  todayAt,
} from './worklist-fixture.ts'

const flagOf = (root: Node, accession: string) =>
  allByRole(rowOf(root, accession), 'button').find((b) => nameOf(b).startsWith('Open by'))

describe('<ss-worklist> live updates', () => {
  it('S3: a presence event sets the Access flag, named "Open by HUYEN (reading) since 14:02"', async () => {
    const feed = fakeFeed()
    const { el } = await mountWorklist({ api: fakeApi().api, feed })
    expect(flagOf(el, 'A10001')).to.equal(undefined)

    feed.push({
      type: 'presence',
      data: {
        subject: { type: 'study', id: 'A10001' },
        entries: [
          presence('A10001', HUYEN),
          // The same user in another doc of the study: one entry, not two.
          presence('A10001', HUYEN, { doc: 'study/A10001/report', clientId: 2 }),
        ],
      },
    })
    await waitUntil(() => flagOf(el, 'A10001'), 'flag shown')
    expect(nameOf(flagOf(el, 'A10001')!)).to.equal('Open by HUYEN (reading) since 14:02')
  })

  it('S3/S4: focusing the flag shows who, role, view, mode, since and lost connections', async () => {
    const feed = fakeFeed()
    const { el } = await mountWorklist({ api: fakeApi().api, feed })
    feed.push({
      type: 'presence',
      data: {
        subject: { type: 'study', id: 'A10002' },
        entries: [
          presence('A10002', HUYEN),
          presence('A10002', PERF, {
            mode: 'viewing',
            view: 'info',
            connection: 'lost',
            since: todayAt(14, 5),
          }),
        ],
      },
    })
    await waitUntil(() => flagOf(el, 'A10002'), 'flag shown')
    const flag = flagOf(el, 'A10002')!
    expect(nameOf(flag)).to.equal(
      'Open by HUYEN (reading) since 14:02; Open by PERF (viewing, connection lost) since 14:05',
    )
    const tooltip = byRole(rowOf(el, 'A10002'), 'tooltip')
    expect(tooltip.matches(':popover-open')).to.equal(false)
    expect(flag.getAttribute('aria-describedby')).to.equal(tooltip.id)

    flag.focus()
    await waitUntil(() => tooltip.matches(':popover-open'), 'tooltip shown on focus')
    const text = deepText(tooltip)
    expect(text).to.include('HUYEN (radiologist) — reading in the reading desktop since 14:02')
    expect(text).to.include(
      'PERF (performing physician) — viewing in the study info form since 14:05',
    )
    expect(text).to.include('connection lost')

    flag.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    )
    await waitUntil(() => !tooltip.matches(':popover-open'), 'Escape hides it')
    flag.focus()
    flag.blur()
    await waitUntil(() => !tooltip.matches(':popover-open'), 'blur hides it')

    flag.dispatchEvent(new MouseEvent('mouseenter'))
    await waitUntil(() => tooltip.matches(':popover-open'), 'tooltip shown on hover')
    flag.dispatchEvent(new MouseEvent('mouseleave'))
    await waitUntil(() => !tooltip.matches(':popover-open'), 'hidden on leave')
  })

  it('S3: the signed-in user is not flagged, and an empty presence clears the flag', async () => {
    const feed = fakeFeed()
    const { el } = await mountWorklist({ api: fakeApi().api, feed })
    const push = (entries: ReturnType<typeof presence>[]) =>
      feed.push({ type: 'presence', data: { subject: { type: 'study', id: 'A10003' }, entries } })

    push([presence('A10003', BOSE)])
    push([presence('A10003', BOSE), presence('A10003', HUYEN)])
    await waitUntil(() => flagOf(el, 'A10003'), 'flag shown')
    expect(nameOf(flagOf(el, 'A10003')!)).to.equal('Open by HUYEN (reading) since 14:02')

    push([])
    await waitUntil(() => !flagOf(el, 'A10003'), 'flag gone')
  })

  it('a worklist "updated" event re-fetches that study only', async () => {
    const feed = fakeFeed()
    const fake = fakeApi()
    const { el } = await mountWorklist({ api: fake.api, feed })
    fake.store.rows = fake.store.rows.map((r) =>
      r.accession === 'A10004' ? { ...r, priority: 'STAT', status: 'arrived', rev: 9 } : r,
    )
    feed.push({ type: 'worklist', data: { accession: 'A10004', change: 'updated' } })
    await waitUntil(
      () => allByRole(rowOf(el, 'A10004'), 'img', 'Priority STAT').length === 1,
      'row refreshed',
    )
    expect(byRole(rowOf(el, 'A10004'), 'img', 'Status arrived')).to.exist
    expect(fake.called('study').map((c) => c.args[0])).to.deep.equal(['A10004'])
    expect(fake.called('worklist')).to.have.length(1)
    expect(el.list.row('A10004')?.rev).to.equal(9)
  })

  it('"removed" drops the row at once; "added" re-fetches the list', async () => {
    const feed = fakeFeed()
    const fake = fakeApi()
    const { el } = await mountWorklist({ api: fake.api, feed })

    feed.push({ type: 'worklist', data: { accession: 'A10002', change: 'removed' } })
    await el.updateComplete
    expect(shownAccessions(el)).to.not.include('A10002')

    fake.store.rows = [...fake.store.rows, row('A10009', { priority: 'STAT' })]
    feed.push({ type: 'worklist', data: { accession: 'A10009', change: 'added' } })
    await waitUntil(() => shownAccessions(el).includes('A10009'), 'new study listed')
    expect(fake.called('worklist')).to.have.length(2)
  })

  it('a notice about a study re-fetches it; a study gone since is dropped', async () => {
    const feed = fakeFeed()
    const fake = fakeApi()
    const { el } = await mountWorklist({ api: fake.api, feed })
    fake.handlers.study = async (accession) => {
      const r = fake.store.rows.find((x) => x.accession === accession)!
      return {
        accession,
        patientId: r.patientId,
        modality: r.modality,
        fields: {},
        state: stateOf(r, { lifecycle: 'deleted' }),
        access: [],
      }
    }
    feed.push({
      type: 'notice',
      data: {
        kind: 'deleted',
        tier: 'blocking',
        subject: { type: 'study', id: 'A10003' },
        by: { id: HUYEN.id, name: HUYEN.name },
        at: new Date().toISOString(),
        text: 'Study A10003 deleted by HUYEN',
      },
    })
    await waitUntil(() => !shownAccessions(el).includes('A10003'), 'deleted study dropped')
    expect(fake.called('study').map((c) => c.args[0])).to.deep.equal(['A10003'])
  })

  it('re-fetches the list when the feed comes back (presence is not replayed)', async () => {
    const feed = fakeFeed()
    const fake = fakeApi()
    const { el } = await mountWorklist({ api: fake.api, feed })
    feed.setState('closed')
    fake.store.rows = [...fake.store.rows, row('A10010')]
    feed.setState('connecting')
    expect(fake.called('worklist')).to.have.length(1)
    feed.setState('open')
    await waitUntil(() => shownAccessions(el).includes('A10010'), 'list re-fetched')
    expect(fake.called('worklist')).to.have.length(2)
  })

  it('unsubscribes from the feed on disconnect and subscribes again on reconnect', async () => {
    const feed = fakeFeed()
    const fake = fakeApi()
    const { el } = await mountWorklist({ api: fake.api, feed })
    expect(feed.listeners).to.equal(2) // events and state
    const parent = el.parentElement!
    el.remove()
    expect(feed.listeners).to.equal(0)

    // Nothing arrives while away; coming back reloads what was missed.
    feed.push({ type: 'worklist', data: { accession: 'A10001', change: 'updated' } })
    parent.append(el)
    expect(feed.listeners).to.equal(2)
    await waitUntil(() => fake.called('worklist').length === 2, 'reloaded on reconnect')
    expect(fake.called('study')).to.have.length(0)
  })
})
