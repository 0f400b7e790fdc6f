import { expect, html, waitUntil } from '@open-wc/testing'
import { clockTime } from '../../client/admin/presence-model.ts'
import { PresenceSampler } from '../../client/admin/presence-sampler.ts'
import type { SsPresenceDashboard } from '../../client/admin/ss-presence-dashboard.ts'
import '../../client/admin/ss-presence-dashboard.ts'
import type { PresenceEntry } from '../../shared/events.ts'
import {
  button,
  fakeApi,
  fakeFeed,
  fakeNavigator,
  labelled,
  mount,
  session,
  textOf,
  type,
} from './desktop-fakes.ts'
import { describe, it } from './mocha.ts'

const NOW = Date.parse('2026-11-22T14:10:00.000Z')
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

function entry(
  user: PresenceEntry['user'],
  subjectId: string,
  overrides: Partial<PresenceEntry> = {},
): PresenceEntry {
  const type = subjectId.startsWith('P') ? 'patient' : 'study'
  return {
    user,
    subject: { type, id: subjectId },
    doc: `${type}/${subjectId}`,
    clientId: Math.floor(Math.random() * 1e9),
    mode: 'viewing',
    view: 'info',
    since: ago(600),
    lastActiveAt: ago(10),
    connection: 'live',
    focus: null,
    ...overrides,
  }
}

const BOSE = { id: 'u-bose', name: 'BOSE', role: 'radiologist' as const }
const HUYEN = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' as const }
const TECH = { id: 'u-tech', name: 'TECH', role: 'technologist' as const }
const CLERK = { id: 'u-clerk', name: 'CLERK', role: 'clerk' as const }

const snapshot = [
  entry(BOSE, 'A10001', { mode: 'reading', view: 'desktop', doc: 'study/A10001/report' }),
  entry(BOSE, 'A10001', { mode: 'reading', view: 'desktop', lastActiveAt: ago(3) }),
  entry(HUYEN, 'A10001', { view: 'desktop', connection: 'lost', device: 'tablet' } as never),
  entry(TECH, 'A10002', { mode: 'editing', lastActiveAt: ago(40) }),
  entry(CLERK, 'P20001'),
]

async function dashboard(entries = snapshot, admin = true) {
  const fake = fakeApi({ presence: async () => ({ entries, at: new Date(NOW).toISOString() }) })
  const feed = fakeFeed()
  const navigator = fakeNavigator()
  const me = session({ id: 'u-admin', name: 'ADMIN', role: admin ? 'systemAdmin' : 'radiologist' })
  const el = await mount<SsPresenceDashboard>(
    { session: me, api: fake.api, feed, navigator },
    html`<ss-presence-dashboard .now=${() => NOW}></ss-presence-dashboard>`,
  )
  const root = el.shadowRoot!
  if (admin) await waitUntil(() => root.querySelectorAll('tbody tr').length > 0, 'rows shown')
  return { el, root, fake, feed, navigator }
}

const rows = (root: ShadowRoot) =>
  [...root.querySelectorAll('tbody tr')].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => textOf(td)),
  )

const counter = (root: ShadowRoot, name: string) => {
  const dt = [...root.querySelectorAll('dt')].find((d) => textOf(d) === name)
  return Number(textOf(dt?.nextElementSibling ?? document.createElement('i')))
}

describe('presence dashboard (DESIGN §3, S3, S4)', () => {
  it('S3/S4: lists everyone connected, one row per person, study and view, with freshness and device', async () => {
    const { root, fake } = await dashboard()
    expect(fake.calls.filter((c) => c.method === 'presence')).to.have.length(1)
    const since = clockTime(ago(600))
    expect(rows(root)).to.deep.equal([
      ['BOSE', 'radiologist', 'Study A10001', 'desktop', 'reading', since, 'active just now', '—'],
      [
        'HUYEN',
        'radiologist',
        'Study A10001',
        'desktop',
        'viewing',
        since,
        'connection lost',
        'tablet',
      ],
      ['TECH', 'technologist', 'Study A10002', 'info', 'editing', since, 'active 40 s ago', '—'],
      ['CLERK', 'clerk', 'Patient P20001', 'info', 'viewing', since, 'active 10 s ago', '—'],
    ])
    expect(root.querySelector('tbody time')?.getAttribute('datetime')).to.equal(ago(600))
  })

  it('live counters: people connected, studies open, readers', async () => {
    const { root } = await dashboard()
    expect(counter(root, 'People connected'), 'HUYEN’s connection is lost').to.equal(3)
    expect(counter(root, 'Studies open')).to.equal(2)
    expect(counter(root, 'Readers')).to.equal(1)
  })

  it('S4: a presence event replaces that subject’s entries live', async () => {
    const { root, feed, el } = await dashboard()

    feed.emit({
      type: 'presence',
      data: {
        subject: { type: 'study', id: 'A10001' },
        entries: [entry(HUYEN, 'A10001', { mode: 'reading', view: 'desktop' })],
      },
    })
    await el.updateComplete

    expect(rows(root).map((r) => `${r[0]} ${r[2]} ${r[4]}`)).to.deep.equal([
      'HUYEN Study A10001 reading',
      'TECH Study A10002 editing',
      'CLERK Patient P20001 viewing',
    ])

    feed.emit({
      type: 'presence',
      data: { subject: { type: 'patient', id: 'P20001' }, entries: [] },
    })
    await el.updateComplete
    expect(rows(root).map((r) => r[0])).to.deep.equal(['HUYEN', 'TECH'])
  })

  it('filters by user, study and role', async () => {
    const { root, el } = await dashboard()

    type(labelled(root, 'User'), 'bos')
    await el.updateComplete
    expect(rows(root).map((r) => r[0])).to.deep.equal(['BOSE'])

    type(labelled(root, 'User'), '')
    type(labelled(root, 'Study or patient'), 'a10002')
    await el.updateComplete
    expect(rows(root).map((r) => r[0])).to.deep.equal(['TECH'])

    type(labelled(root, 'Study or patient'), '')
    const role = labelled<HTMLSelectElement>(root, 'Role')
    role.value = 'radiologist'
    role.dispatchEvent(new Event('change'))
    await el.updateComplete
    expect(rows(root).map((r) => r[0])).to.deep.equal(['BOSE', 'HUYEN'])
    expect(textOf(root.querySelector('caption')!)).to.equal('2 of 4 shown')
  })

  it('draws the chart and says the same in words', async () => {
    const { root } = await dashboard()
    const chart = root.querySelector('ss-presence-chart')!
    await waitUntil(() => chart.shadowRoot?.querySelector('canvas'), 'uPlot canvas')
    const link = chart.shadowRoot!.querySelector<HTMLLinkElement>('link[rel="stylesheet"]')!
    await waitUntil(() => (link.sheet?.cssRules.length ?? 0) > 0, 'uPlot stylesheet loaded')
    const figure = chart.shadowRoot!.querySelector('figure')!
    const summary = chart.shadowRoot!.getElementById(figure.getAttribute('aria-labelledby')!)
    expect(textOf(summary!)).to.equal(
      '3 people, 2 studies open now; peak 3 people in the last hour.',
    )
  })

  it('clicking a study or patient opens it', async () => {
    const { root, navigator } = await dashboard()
    button(root, 'Study A10002').click()
    button(root, 'Patient P20001').click()
    expect(navigator.routes).to.deep.equal([
      { page: 'study', accession: 'A10002' },
      { page: 'patient', patientId: 'P20001' },
    ])
  })

  it('presence events that arrive while the snapshot loads are not lost', async () => {
    let answer: (value: { entries: PresenceEntry[]; at: string }) => void = () => {}
    const fake = fakeApi({ presence: () => new Promise((resolve) => (answer = resolve)) })
    const feed = fakeFeed()
    const el = await mount<SsPresenceDashboard>(
      { session: session({ id: 'u-a', name: 'ADMIN', role: 'admin' }), api: fake.api, feed },
      html`<ss-presence-dashboard .now=${() => NOW}></ss-presence-dashboard>`,
    )
    await fake.called('presence')
    feed.emit({
      type: 'presence',
      data: { subject: { type: 'study', id: 'A10002' }, entries: [] },
    })

    answer({ entries: snapshot, at: new Date(NOW).toISOString() })
    await waitUntil(() => rows(el.shadowRoot!).length > 0)
    expect(rows(el.shadowRoot!).map((r) => r[2])).to.not.include('Study A10002')
  })

  it('is for administrators only', async () => {
    const { root, fake } = await dashboard(snapshot, false)
    expect(textOf(root)).to.contain('Only administrators can see who is connected.')
    expect(fake.calls).to.deep.equal([])
  })

  it('keeps the last 360 samples (an hour at one every 10 s)', () => {
    const host = { addController() {}, requestUpdate() {} } as never
    let people = 0
    const sampler = new PresenceSampler(host, () => ({ people: ++people, studies: 1 }))
    for (let i = 0; i < 400; i++) sampler.sample()
    expect(sampler.samples).to.have.length(360)
    expect(sampler.samples[0]!.people).to.equal(41)
  })
})
