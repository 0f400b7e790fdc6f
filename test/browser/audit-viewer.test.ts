import { expect, html, waitUntil } from '@open-wc/testing'
import type { SsAuditViewer } from '../../client/audit/ss-audit-viewer.ts'
import '../../client/audit/ss-audit-viewer.ts'
import { ApiError } from '../../client/api.ts'
import type { AuditEntry, AuditPage, AuditQueryParams } from '../../client/audit/types.ts'
import {
  ACC,
  ADMIN,
  auditEntry,
  buttons,
  field,
  fill,
  roleText,
  rows,
  table,
  USERS,
} from './access-fixture.ts'
import { fakeApi, fakeFeed, mount, session } from './desktop-fakes.ts'
import { control, deepQueryAll, deepText, hasControl } from './dom.ts'
import { describe, it } from './mocha.ts'

const WAIT = { timeout: 4000 }
const admin = session({ ...ADMIN, role: 'admin' })

async function viewer(
  impl: Parameters<typeof fakeApi>[0] = {},
  who: ReturnType<typeof session> = admin,
  feed = fakeFeed(),
) {
  const fake = fakeApi({
    audit: async () => ({ entries: [auditEntry(), auditEntry()], nextCursor: null }),
    users: async () => ({ users: USERS }),
    breakGlassQueue: async () => ({ entries: [] }),
    ...impl,
  })
  const el = await mount<SsAuditViewer>(
    { session: who, api: fake.api, feed },
    html`<ss-audit-viewer></ss-audit-viewer>`,
  )
  await waitUntil(
    () =>
      roleText(el, 'status').includes('shown, newest first') ||
      roleText(el, 'status').includes('No entries'),
    'first page',
    WAIT,
  )
  return { el, fake }
}

const auditCalls = (fake: ReturnType<typeof fakeApi>) =>
  fake.calls.filter((c) => c.method === 'audit').map((c) => c.args[0] as AuditQueryParams)

describe('<ss-audit-viewer> [S33]', () => {
  it('lists the newest entries first with time, actor, on behalf of, action, subject, patient, outcome, source ip and details', async () => {
    const refused = auditEntry({
      actor: { id: 'u-clerk', name: 'CLERK' },
      onBehalfOf: { id: 'u-bose', name: 'BOSE' },
      action: 'access.break-glass',
      outcome: 'refused',
      source: { ip: '10.1.2.3', session: 's-9' },
      details: { problem: 'Give a reason of at least 15 characters.' },
    })
    const { el, fake } = await viewer({
      audit: async () => ({ entries: [refused], nextCursor: null }),
    })
    expect(auditCalls(fake)[0]).to.deep.equal({ limit: 50 })
    const [row] = rows(table(el, 'Audit entries, newest first'))
    expect(row!.slice(1, 8)).to.deep.equal([
      'CLERK',
      'BOSE',
      'access.break-glass',
      `study ${ACC}`,
      'P20001',
      'refused',
      '10.1.2.3',
    ])
    const details = deepQueryAll<HTMLDetailsElement>(el, 'details')[0]!
    expect(details.open).to.equal(false)
    details.querySelector('summary')!.click()
    expect(details.open).to.equal(true)
    expect(details.textContent).to.include('Give a reason of at least 15 characters.')
    expect(details.textContent).to.include('s-9')
  })

  it('the filters build the query: subject, user, action, from, to', async () => {
    const { el, fake } = await viewer()
    await waitUntil(() => field(el, 'User').options.length > 2, 'people loaded', WAIT)
    fill(field(el, 'Subject'), ` ${ACC} `)
    fill(field(el, 'User'), 'u-bose')
    fill(field(el, 'Action'), 'access.*')
    fill(field(el, 'From'), '2026-11-22T08:00')
    fill(field(el, 'To'), '2026-11-22T18:30')
    control(el, 'Search').click()
    await waitUntil(() => auditCalls(fake).length === 2, 'searched', WAIT)
    expect(auditCalls(fake)[1]).to.deep.equal({
      subject: ACC,
      user: 'u-bose',
      action: 'access.*',
      from: new Date('2026-11-22T08:00').toISOString(),
      to: new Date('2026-11-22T18:30').toISOString(),
      limit: 50,
    })
  })

  it('refuses a time range that ends before it starts, at the field', async () => {
    const { el, fake } = await viewer()
    fill(field(el, 'From'), '2026-11-22T18:00')
    fill(field(el, 'To'), '2026-11-22T08:00')
    control(el, 'Search').click()
    await waitUntil(
      () => roleText(el, 'alert').includes('“To” must be after “From”.'),
      'message',
      WAIT,
    )
    expect(field(el, 'To').getAttribute('aria-invalid')).to.equal('true')
    expect(auditCalls(fake)).to.have.length(1)
  })

  it('"Load more" asks for the next page with the cursor and the same filters, and appends it', async () => {
    const first = [auditEntry({ id: '60' }), auditEntry({ id: '59' })]
    const second = [auditEntry({ id: '58' })]
    const pages: Record<string, AuditPage> = {
      start: { entries: first, nextCursor: '59' },
      '59': { entries: second, nextCursor: null },
    }
    const { el, fake } = await viewer({
      audit: async (q: AuditQueryParams) => pages[q.cursor ?? 'start']!,
    })
    fill(field(el, 'Action'), 'study.open')
    control(el, 'Search').click()
    await waitUntil(
      () => auditCalls(fake).length === 2 && roleText(el, 'status').includes('more are available'),
      'page 1',
      WAIT,
    )
    control(el, 'Load more').click()
    await waitUntil(() => deepQueryAll(el, 'tr[data-entry]').length === 3, 'appended', WAIT)
    expect(auditCalls(fake)[2]).to.deep.equal({ action: 'study.open', cursor: '59', limit: 50 })
    const ids = deepQueryAll(el, 'tr[data-entry]').map((r) => r.getAttribute('data-entry'))
    expect(ids).to.deep.equal(['60', '59', '58'])
    expect(hasControl(el, 'Load more')).to.equal(false)
    expect(roleText(el, 'status')).to.include('3 entries shown, newest first.')
  })

  it('filtered by a study, shows its timeline as a vertical list (and the table on request)', async () => {
    const entries: AuditEntry[] = [
      auditEntry({ action: 'access.grant', actor: { id: 'u-admin', name: 'ADMIN' } }),
      auditEntry({ action: 'study.open' }),
    ]
    const { el } = await viewer({ audit: async () => ({ entries, nextCursor: null }) })
    fill(field(el, 'Subject'), ACC)
    control(el, 'Search').click()
    await waitUntil(() => deepQueryAll(el, 'ol').length > 0, 'timeline', WAIT)
    const list = deepQueryAll(el, 'ol')[0]!
    expect(list.getAttribute('aria-label')).to.equal(`Timeline of study ${ACC}, newest first`)
    const items = [...list.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' '))
    expect(items[0]).to.include('access.grant by ADMIN')
    expect(items[1]).to.include('study.open by BOSE')
    control(el, 'Table').click()
    await waitUntil(() => deepQueryAll(el, 'ol').length === 0, 'table again', WAIT)
    expect(rows(table(el, 'Audit entries, newest first'))).to.have.length(2)
  })

  it('"Verify chain" says clearly that the chain is intact', async () => {
    const { el, fake } = await viewer({ verifyAudit: async () => ({ ok: true, entries: 1234 }) })
    control(el, 'Verify chain').click()
    await fake.called('verifyAudit')
    await waitUntil(() => roleText(el, 'status').includes('Chain intact'), 'verdict', WAIT)
    expect(roleText(el, 'status')).to.include('1234 entries checked')
    expect(roleText(el, 'alert')).to.equal('')
  })

  it('"Verify chain" names the entry where the chain breaks, as an alert', async () => {
    const { el } = await viewer({
      verifyAudit: async () => ({ ok: false, entries: 56, brokenAt: '57' }),
    })
    control(el, 'Verify chain').click()
    await waitUntil(() => roleText(el, 'alert') !== '', 'verdict', WAIT)
    expect(roleText(el, 'alert')).to.match(/^✗ Chain broken at entry 57: /)
    expect(roleText(el, 'alert')).to.include('56 entries checked')
  })

  it('[S33] "Verify chain" says what retention removed and gives the reason for a break', async () => {
    const anchor = {
      prunedThroughId: '6000',
      prunedThroughHash: 'a'.repeat(64),
      prunedThroughAt: '2020-01-10T08:00:00.000Z',
      prunedEntries: 6000,
      prunedAt: '2026-11-22T09:00:00.000Z',
    }
    const { el } = await viewer({
      verifyAudit: async () => ({
        ok: false,
        entries: 10,
        brokenAt: '6001',
        reason: 'entry 6001, the first retained one, is missing',
        anchor,
      }),
    })
    control(el, 'Verify chain').click()
    await waitUntil(() => roleText(el, 'alert') !== '', 'verdict', WAIT)
    expect(roleText(el, 'alert')).to.include('Entry 6001, the first retained one, is missing.')
    const note = deepQueryAll(el, 'p.retention')[0]?.textContent?.replace(/\s+/g, ' ') ?? ''
    expect(note).to.include('The 6000 oldest entries were removed by the retention policy')
    expect(note).to.include('the check starts after entry 6000')
  })

  it('"Export FHIR" downloads the bundle for the applied filters as a JSON file', async () => {
    const bundle = { resourceType: 'Bundle', type: 'searchset', total: 2, entry: [{}, {}] }
    const { el, fake } = await viewer({ exportAudit: async () => bundle })
    const saved: { name: string; blob: Blob }[] = []
    el.saveFile = (name, blob) => saved.push({ name, blob })
    fill(field(el, 'Subject'), ACC)
    control(el, 'Search').click()
    await waitUntil(() => auditCalls(fake).length === 2, 'searched', WAIT)
    control(el, 'Export FHIR').click()
    await waitUntil(() => saved.length === 1, 'downloaded', WAIT)
    expect((await fake.called('exportAudit')).args).to.deep.equal([{ subject: ACC }])
    expect(saved[0]!.name).to.match(/^studysync-audit-\d{4}-\d{2}-\d{2}\.fhir\.json$/)
    expect(saved[0]!.blob.type).to.equal('application/fhir+json')
    expect(JSON.parse(await saved[0]!.blob.text())).to.deep.equal(bundle)
    await waitUntil(
      () => roleText(el, 'status').includes('Exported 2 AuditEvent resources'),
      'told',
      WAIT,
    )
  })

  it('an export the server refuses (too many entries) says why', async () => {
    const { el } = await viewer({
      exportAudit: async () => {
        throw new ApiError(
          413,
          'too_large',
          'More than 10000 entries match: narrow the export with from/to.',
        )
      },
    })
    el.saveFile = () => expect.fail('nothing to save')
    control(el, 'Export FHIR').click()
    await waitUntil(() => roleText(el, 'alert') !== '', 'error', WAIT)
    expect(roleText(el, 'alert')).to.equal(
      'Could not export: More than 10000 entries match: narrow the export with from/to.',
    )
  })
})

describe('<ss-audit-viewer>: break-the-glass review [S31]', () => {
  const pending = [
    {
      id: 'bg-1',
      accession: ACC,
      patientId: 'P20001',
      user: { id: 'u-perf', name: 'PERF' },
      at: new Date(Date.now() - 3600_000).toISOString(),
      reason: 'Patient in resus, referring team unreachable',
      expiresAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      active: true,
      acknowledgedBy: null,
      acknowledgedAt: null,
    },
    {
      id: 'bg-2',
      accession: 'A10002',
      patientId: null,
      user: { id: 'u-clerk', name: 'CLERK' },
      at: new Date(Date.now() - 9 * 3600_000).toISOString(),
      reason: 'Checking a registration error reported by the ward',
      expiresAt: new Date(Date.now() - 5 * 3600_000).toISOString(),
      active: false,
      acknowledgedBy: null,
      acknowledgedAt: null,
    },
  ]

  it('lists pending unlocks; Acknowledge calls the API with that id and removes the row', async () => {
    const { el, fake } = await viewer({
      breakGlassQueue: async () => ({ entries: pending }),
      acknowledgeBreakGlass: async (id: string) => ({
        breakGlass: {
          ...pending.find((p) => p.id === id)!,
          acknowledgedBy: ADMIN,
          acknowledgedAt: new Date().toISOString(),
        },
      }),
    })
    await waitUntil(
      () => hasControl(el, `Acknowledge break-the-glass by PERF on study ${ACC}`),
      'queue',
      WAIT,
    )
    const queue = rows(table(el, 'Break-the-glass unlocks waiting for review'))
    expect(queue.map((r) => [r[0], r[1], r[2], r[4]])).to.deep.equal([
      ['PERF', ACC, 'P20001', 'Patient in resus, referring team unreachable'],
      ['CLERK', 'A10002', '—', 'Checking a registration error reported by the ward'],
    ])
    expect(queue[1]![5]).to.match(/^Expired/)
    control(el, `Acknowledge break-the-glass by PERF on study ${ACC}`).click()
    expect((await fake.called('acknowledgeBreakGlass')).args).to.deep.equal(['bg-1'])
    await waitUntil(
      () => !hasControl(el, `Acknowledge break-the-glass by PERF on study ${ACC}`),
      'gone',
      WAIT,
    )
    expect(rows(table(el, 'Break-the-glass unlocks waiting for review'))).to.have.length(1)
    expect(roleText(el, 'status')).to.include(`Acknowledged: PERF on study ${ACC}.`)
  })

  it('an entry someone else acknowledged first leaves the queue with their name', async () => {
    const { el } = await viewer({
      breakGlassQueue: async () => ({ entries: pending.slice(0, 1) }),
      acknowledgeBreakGlass: async () => {
        throw new ApiError(409, 'conflict', 'Already acknowledged by SYSADMIN.')
      },
    })
    await waitUntil(() => buttons(el, /^Acknowledge/).length === 1, 'queue', WAIT)
    buttons(el, /^Acknowledge/)[0]!.click()
    await waitUntil(
      () => deepText(el).includes('No break-the-glass unlocks are waiting for review.'),
      'empty',
      WAIT,
    )
    expect(roleText(el, 'status')).to.include('Already acknowledged by SYSADMIN.')
  })

  it('a new unlock announced on the live feed appears in the queue', async () => {
    const feed = fakeFeed()
    let queue: typeof pending = []
    const { el } = await viewer({ breakGlassQueue: async () => ({ entries: queue }) }, admin, feed)
    await waitUntil(() => deepText(el).includes('No break-the-glass unlocks'), 'empty queue', WAIT)
    queue = pending.slice(0, 1)
    feed.emit({
      type: 'notice',
      data: {
        kind: 'access.break-glass',
        tier: 'routine',
        subject: { type: 'study', id: ACC },
        by: { id: 'u-perf', name: 'PERF' },
        at: pending[0]!.at,
        text: `PERF broke the glass on study ${ACC}: ${pending[0]!.reason}`,
      },
    })
    await waitUntil(() => buttons(el, /^Acknowledge/).length === 1, 'queued', WAIT)
  })

  it('a Read Audit holder without Manage Access sees the trail but not the queue', async () => {
    const auditor = session({
      id: 'u-aud',
      name: 'AUDITOR',
      role: 'radiologist',
      privileges: ['readAudit'],
    })
    const { el, fake } = await viewer({}, auditor)
    expect(deepText(el)).to.not.include('Break-the-glass review')
    expect(fake.calls.map((c) => c.method)).to.not.include('breakGlassQueue')
    expect(hasControl(el, 'Verify chain')).to.equal(true)
  })
})
