import { expect, html, waitUntil } from '@open-wc/testing'
import type { SsAccessTab } from '../../client/access/ss-access-tab.ts'
import { ApiError } from '../../client/api.ts'
import type { GrantView } from '../../shared/access-types.ts'
import '../../client/access/ss-access-tab.ts'
import {
  ACC,
  ADMIN,
  accessView,
  buttons,
  CLERK,
  field,
  fill,
  iso,
  openDialog,
  roleText,
  rows,
  table,
  USERS,
} from './access-fixture.ts'
import { fakeApi, fakeFeed, fakeNotifier, mount, session } from './desktop-fakes.ts'
import { control, deepText, hasControl, unnamedControls } from './dom.ts'
import { describe, it } from './mocha.ts'

const admin = session({ ...ADMIN, role: 'admin' })
const WAIT = { timeout: 4000 }

async function accessTab(
  options: { who?: ReturnType<typeof session>; impl?: Parameters<typeof fakeApi>[0] } = {},
) {
  const fake = fakeApi({
    studyAccess: async () => accessView(),
    users: async () => ({ users: USERS }),
    ...options.impl,
  })
  const tab = await mount<SsAccessTab>(
    { session: options.who ?? admin, api: fake.api, notifier: fakeNotifier() },
    html`<ss-access-tab accession=${ACC}></ss-access-tab>`,
  )
  await waitUntil(() => deepText(tab).includes('Reference numbers'), 'access list shown', WAIT)
  return { tab, fake }
}

describe('<ss-access-tab>: the exam Access tab (seed 002)', () => {
  it('[S30] Users: each grant with type, valid until, granted by and when', async () => {
    const { tab, fake } = await accessTab()
    expect(fake.calls[0]).to.deep.equal({ method: 'studyAccess', args: [ACC] })
    const users = rows(table(tab, 'Users and groups with access'))
    expect(users).to.have.length(2)
    expect(users[0]!.slice(0, 4)).to.deep.equal(['CLERK', 'View', users[0]![2], 'ADMIN'])
    expect(users[0]![2]).to.match(/\d{4}/) // a date, not "No end date"
    expect(users[1]!.slice(0, 4)).to.deep.equal([
      'Registration desk Group',
      'Edit',
      'No end date',
      'ADMIN',
    ])
    const times = [...table(tab, 'Users and groups with access').querySelectorAll('time')]
    expect(times.map((t) => t.dateTime)).to.include(accessView().grants[0]!.grantedAt)
    expect(unnamedControls(tab), 'every control has a name').to.deep.equal([])
  })

  it('a group name opens its details: members, address and contact', async () => {
    const { tab } = await accessTab()
    control(tab, 'Registration desk').click()
    await waitUntil(() => openDialog(tab) !== null, 'group dialog open', WAIT)
    const text = deepText(openDialog(tab)!)
    for (const part of [
      'Group Registration desk',
      'CLERK',
      'PERF',
      '1 Hospital Way, Springfield',
      '555-0140',
      'registration@hospital.example',
    ])
      expect(text).to.include(part)
    control(openDialog(tab)!, 'Close').click()
    await waitUntil(() => openDialog(tab) === null, 'closed', WAIT)
  })

  it('[S31] Unlocked, [seed] PACS (transferred) and Buckets render from the payload', async () => {
    const { tab } = await accessTab()
    const unlocked = rows(table(tab, 'Break-the-glass unlocks'))
    expect(unlocked[0]![0]).to.equal('PERF')
    expect(unlocked[0]![2]).to.equal('Patient in resus, referring team unreachable')
    expect(unlocked[0]![3]).to.match(/^Active until /)
    expect(unlocked[0]![4]).to.equal('Not yet reviewed')
    const pacs = rows(table(tab, 'Transfers to PACS'))
    expect(pacs.map((r) => r.slice(0, 3))).to.deep.equal([
      ['Forwarded', 'NORTHSIDE-PACS (AE NSPACS01)', 'SYSTEM'],
      ['Downloaded', 'Workstation RAD-WS-03', 'BOSE'],
    ])
    const buckets = rows(table(tab, 'Buckets'))
    expect(buckets[0]!.slice(0, 4)).to.deep.equal([
      'Tumour board, week 23',
      'BOSE',
      'Northside Referring Clinic (group)',
      `2 (${ACC}, A10004)`,
    ])
  })

  it('[S30] withdraw calls the API with that grant id and removes the row', async () => {
    const { tab, fake } = await accessTab({
      impl: {
        withdrawGrant: async (_acc: string, id: string) => ({
          grant: accessView().grants.find((g) => g.id === id)!,
          revokedAt: iso(0),
        }),
      },
    })
    control(tab, 'Withdraw access for CLERK').click()
    const call = await fake.called('withdrawGrant')
    expect(call.args).to.deep.equal([ACC, 'grant-1'])
    await waitUntil(() => !hasControl(tab, 'Withdraw access for CLERK'), 'row gone', WAIT)
    expect(rows(table(tab, 'Users and groups with access'))).to.have.length(1)
    expect(roleText(tab, 'status')).to.include('Access withdrawn for CLERK.')
    expect(hasControl(tab, 'Withdraw access for group Registration desk')).to.equal(true)
  })

  it('a refused withdraw keeps the row and says why', async () => {
    const { tab } = await accessTab({
      impl: {
        withdrawGrant: async () => {
          throw new ApiError(403, 'forbidden', 'Managing access needs the manageAccess privilege.')
        },
      },
    })
    control(tab, 'Withdraw access for CLERK').click()
    await waitUntil(() => roleText(tab, 'alert') !== '', 'error shown', WAIT)
    expect(roleText(tab, 'alert')).to.include(
      'Could not withdraw access for CLERK: Managing access needs',
    )
    expect(hasControl(tab, 'Withdraw access for CLERK')).to.equal(true)
  })

  it('[S30] add access: labelled fields, messages for what is missing or in the past, then the call', async () => {
    const added: GrantView = {
      id: 'grant-9',
      user: { id: 'u-bose', name: 'BOSE' },
      type: 'report',
      validUntil: '2099-12-31T22:59:59.999Z',
      grantedBy: ADMIN,
      grantedAt: iso(0),
    }
    const { tab, fake } = await accessTab({ impl: { addGrant: async () => ({ grant: added }) } })
    await waitUntil(() => field(tab, 'User or group').options.length > 3, 'people loaded', WAIT)
    const groupOption = [...field(tab, 'User or group').options].find(
      (o) => o.text === 'Registration desk',
    )
    expect(groupOption?.value, 'groups from the access list are offered').to.equal(
      'group:g-registration',
    )

    control(tab, 'Add access').click()
    await waitUntil(() => deepText(tab).includes('Choose a user or a group.'), 'message', WAIT)
    expect(field(tab, 'User or group').getAttribute('aria-invalid')).to.equal('true')
    expect(fake.calls.some((c) => c.method === 'addGrant')).to.equal(false)

    fill(field(tab, 'User or group'), 'user:u-bose')
    fill(field(tab, 'Access type'), 'report')
    fill(field(tab, 'Valid until'), '2001-01-01')
    control(tab, 'Add access').click()
    await waitUntil(
      () => deepText(tab).includes('Valid until must be today or later'),
      'date message',
      WAIT,
    )
    expect(fake.calls.some((c) => c.method === 'addGrant')).to.equal(false)

    fill(field(tab, 'Valid until'), '2099-12-31')
    control(tab, 'Add access').click()
    const call = await fake.called('addGrant')
    const [accession, body] = call.args as [
      string,
      { userId: string; type: string; validUntil: string },
    ]
    expect(accession).to.equal(ACC)
    expect(body.userId).to.equal('u-bose')
    expect(body.type).to.equal('report')
    expect(new Date(body.validUntil).getFullYear()).to.equal(2099)
    expect(new Date(body.validUntil).getHours()).to.equal(23) // through the end of that day
    await waitUntil(
      () => rows(table(tab, 'Users and groups with access')).length === 3,
      'row added',
      WAIT,
    )
    expect(hasControl(tab, 'Withdraw access for BOSE')).to.equal(true)
  })

  it('add access shows the server’s refusal at its field', async () => {
    const { tab } = await accessTab({
      impl: {
        addGrant: async () => {
          throw new ApiError(400, 'invalid', 'No such user.', {
            fields: { userId: 'unknown user u-x' },
          })
        },
      },
    })
    await waitUntil(() => field(tab, 'User or group').options.length > 3, 'people loaded', WAIT)
    fill(field(tab, 'User or group'), 'user:u-bose')
    control(tab, 'Add access').click()
    await waitUntil(
      () => field(tab, 'User or group').getAttribute('aria-invalid') === 'true',
      'marked',
      WAIT,
    )
    expect(deepText(tab)).to.include('No such user.')
  })

  it('a change to this study’s access announced on the live feed reloads the list', async () => {
    const feed = fakeFeed()
    let view = accessView()
    const fake = fakeApi({ studyAccess: async () => view, users: async () => ({ users: USERS }) })
    const tab = await mount<SsAccessTab>(
      { session: admin, api: fake.api, feed },
      html`<ss-access-tab accession=${ACC}></ss-access-tab>`,
    )
    await waitUntil(() => hasControl(tab, 'Withdraw access for CLERK'), 'shown', WAIT)
    view = { ...view, grants: view.grants.slice(1) }
    const notice = (id: string) => ({
      type: 'notice' as const,
      data: {
        kind: 'access.break-glass',
        tier: 'routine' as const,
        subject: { type: 'study' as const, id },
        by: CLERK,
        at: iso(0),
        text: 'CLERK broke the glass',
      },
    })
    feed.emit(notice('A99999')) // another study: nothing to do
    feed.emit(notice(ACC))
    await waitUntil(() => !hasControl(tab, 'Withdraw access for CLERK'), 'reloaded', WAIT)
    expect(fake.calls.filter((c) => c.method === 'studyAccess')).to.have.length(2)
  })

  it('a user without Manage Access sees the lists read-only: no withdraw, add or revoke controls', async () => {
    const { tab, fake } = await accessTab({ who: session({ ...CLERK, role: 'clerk' }) })
    expect(rows(table(tab, 'Users and groups with access'))).to.have.length(2)
    expect(buttons(tab, /^Withdraw/)).to.deep.equal([])
    expect(
      buttons(tab, /Add access|Remove study from bucket|Revoke whole bucket|Set PIN|Regenerate/),
    ).to.deep.equal([])
    expect(deepText(tab)).to.include('only users with the Manage Access privilege can change it')
    expect(
      fake.calls.map((c) => c.method),
      'no people picker is loaded',
    ).to.not.include('users')
  })

  it('without access to the study it says so', async () => {
    const refused = async () => {
      throw new ApiError(403, 'forbidden', 'You have no access to this study.')
    }
    const tab = await mount<SsAccessTab>(
      { session: session({ ...CLERK, role: 'clerk' }), api: fakeApi({ studyAccess: refused }).api },
      html`<ss-access-tab accession=${ACC}></ss-access-tab>`,
    )
    await waitUntil(() => roleText(tab, 'alert') !== '', 'alert shown', WAIT)
    expect(roleText(tab, 'alert')).to.equal(
      `You do not have access to study ${ACC}, so you cannot see who does.`,
    )
    expect(deepText(tab)).to.not.include('Reference numbers')
  })
})
