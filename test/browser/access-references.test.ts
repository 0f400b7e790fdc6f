import { expect, html, waitUntil } from '@open-wc/testing'
import { pinProblem } from '../../client/access/pin-rules.ts'
import type { SsAccessTab } from '../../client/access/ss-access-tab.ts'
import type { ReferenceNumberView } from '../../shared/access-types.ts'
import '../../client/access/ss-access-tab.ts'
import { ApiError } from '../../client/api.ts'
import {
  ACC,
  ADMIN,
  accessView,
  field,
  fill,
  iso,
  openDialog,
  roleText,
  rows,
  table,
  USERS,
} from './access-fixture.ts'
import { fakeApi, mount, session } from './desktop-fakes.ts'
import { control, deepText, hasControl } from './dom.ts'
import { describe, it } from './mocha.ts'

const WAIT = { timeout: 4000 }

async function accessTab(impl: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi({
    studyAccess: async () => accessView(),
    users: async () => ({ users: USERS }),
    ...impl,
  })
  const tab = await mount<SsAccessTab>(
    { session: session({ ...ADMIN, role: 'admin' }), api: fake.api },
    html`<ss-access-tab accession=${ACC}></ss-access-tab>`,
  )
  await waitUntil(() => deepText(tab).includes('Reference numbers'), 'access list shown', WAIT)
  return { tab, fake }
}

const refRows = (tab: Element) => rows(table(tab, 'Reference numbers'))

/** Confirms (or cancels) the open confirmation dialog by its button. */
async function answer(tab: Element, button: string): Promise<void> {
  await waitUntil(() => openDialog(tab) !== null, 'dialog open', WAIT)
  control(openDialog(tab)!, button).click()
  await waitUntil(() => openDialog(tab) === null, 'dialog closed', WAIT)
}

describe('<ss-access-tab>: reference numbers [S32]', () => {
  it('lists number, validity, PIN, failed attempts and lockout; flags a non-compliant number as unusable', async () => {
    const { tab } = await accessTab()
    const [good, legacy] = refRows(tab)
    expect(good![0]).to.equal('CT-7KQ4M9PRT2')
    expect(good!.slice(4, 8)).to.deep.equal(['Not set', '2', 'No', 'Compliant'])
    expect(legacy![0]).to.equal('⚠ 12345')
    expect(legacy![7]).to.equal(
      'Not compliant: does not meet the minimum complexity — cannot be used',
    )
    const legacyRow = table(tab, 'Reference numbers').tBodies[0]!.rows[1]!
    expect(legacyRow.classList.contains('noncompliant')).to.equal(true)
    const setPin = control(tab, 'Set PIN for 12345')
    expect(setPin.disabled, 'a non-compliant number cannot get a PIN').to.equal(true)
    const why = setPin.getAttribute('aria-describedby')!
    expect((setPin.getRootNode() as ShadowRoot).getElementById(why)?.textContent).to.include(
      'cannot be used',
    )
  })

  it('PIN: checked like the server before sending, then set; the row says a PIN is set', async () => {
    const updated: ReferenceNumberView = {
      ...accessView().referenceNumbers[0]!,
      hasPin: true,
      failedAttempts: 0,
    }
    const { tab, fake } = await accessTab({
      setReferencePin: async () => ({ referenceNumber: updated }),
    })
    control(tab, 'Set PIN for CT-7KQ4M9PRT2').click()
    await waitUntil(() => openDialog(tab) !== null, 'PIN dialog open', WAIT)
    const dialog = openDialog(tab)!
    const pin = field(dialog, 'PIN')
    for (const [typed, message] of [
      ['12', 'The PIN must be 4 to 8 digits.'],
      ['12a4', 'The PIN must be 4 to 8 digits.'],
      ['1111', 'The PIN must not repeat one digit (like 1111).'],
      ['4321', 'The PIN must not be a simple run of digits (like 1234 or 4321).'],
    ] as const) {
      fill(pin, typed)
      control(dialog, 'Set PIN').click()
      await waitUntil(() => roleText(dialog, 'alert') === message, `message for ${typed}`, WAIT)
      expect(pin.getAttribute('aria-invalid')).to.equal('true')
    }
    expect(fake.calls.some((c) => c.method === 'setReferencePin')).to.equal(false)

    fill(pin, '2580')
    control(dialog, 'Set PIN').click()
    const call = await fake.called('setReferencePin')
    expect(call.args).to.deep.equal([ACC, 'ref-1', '2580'])
    await waitUntil(() => openDialog(tab) === null, 'dialog closed', WAIT)
    expect(refRows(tab)[0]!.slice(4, 6)).to.deep.equal(['Set', '0'])
    expect(hasControl(tab, 'Change PIN for CT-7KQ4M9PRT2')).to.equal(true)
  })

  it('PIN: the server’s refusal is shown in the dialog', async () => {
    const { tab } = await accessTab({
      setReferencePin: async () => {
        throw new ApiError(409, 'conflict', 'This number is not compliant and cannot be used.')
      },
    })
    control(tab, 'Set PIN for CT-7KQ4M9PRT2').click()
    await waitUntil(() => openDialog(tab) !== null, 'PIN dialog open', WAIT)
    fill(field(openDialog(tab)!, 'PIN'), '2580')
    control(openDialog(tab)!, 'Set PIN').click()
    await waitUntil(() => roleText(openDialog(tab)!, 'alert') !== '', 'refusal shown', WAIT)
    expect(roleText(openDialog(tab)!, 'alert')).to.equal(
      'This number is not compliant and cannot be used.',
    )
  })

  it('the client PIN rules match the server’s wording', () => {
    expect(pinProblem('2580')).to.equal(null)
    expect(pinProblem('13579135')).to.equal(null)
    expect(pinProblem('123456789')).to.equal('The PIN must be 4 to 8 digits.')
    expect(pinProblem('56789')).to.equal(
      'The PIN must not be a simple run of digits (like 1234 or 4321).',
    )
  })

  it('withdraw calls the API with that number’s id and removes the row', async () => {
    const { tab, fake } = await accessTab({
      withdrawReferenceNumber: async () => ({
        referenceNumber: accessView().referenceNumbers[1]!,
        withdrawnAt: iso(0),
      }),
    })
    control(tab, 'Withdraw reference number 12345').click()
    expect((await fake.called('withdrawReferenceNumber')).args).to.deep.equal([ACC, 'ref-2'])
    await waitUntil(() => refRows(tab).length === 1, 'row gone', WAIT)
    expect(refRows(tab)[0]![0]).to.equal('CT-7KQ4M9PRT2')
  })

  it('regenerate asks first, then replaces the withdrawn numbers with the new one', async () => {
    const fresh: ReferenceNumberView = {
      ...accessView().referenceNumbers[0]!,
      id: 'ref-9',
      number: 'CT-ABCDE23456',
      failedAttempts: 0,
    }
    const { tab, fake } = await accessTab({
      regenerateReferenceNumbers: async () => ({
        referenceNumber: fresh,
        withdrawn: ['ref-1', 'ref-2'],
      }),
    })
    control(tab, 'Regenerate reference numbers').click()
    await answer(tab, 'Cancel')
    expect(fake.calls.some((c) => c.method === 'regenerateReferenceNumbers')).to.equal(false)

    control(tab, 'Regenerate reference numbers').click()
    await waitUntil(() => openDialog(tab) !== null, 'dialog open', WAIT)
    expect(deepText(openDialog(tab)!)).to.include('the current 2 numbers stop working at once')
    await answer(tab, 'Regenerate')
    expect((await fake.called('regenerateReferenceNumbers')).args).to.deep.equal([ACC])
    await waitUntil(() => refRows(tab).length === 1, 'replaced', WAIT)
    expect(refRows(tab)[0]![0]).to.equal('CT-ABCDE23456')
  })
})

describe('<ss-access-tab>: buckets', () => {
  it('"Remove study from bucket" asks first; Cancel does nothing; confirming calls the API and drops the row', async () => {
    const bucket = accessView().buckets[0]!
    const { tab, fake } = await accessTab({
      removeFromBucket: async () => ({ bucket, revoked: false }),
    })
    control(tab, 'Remove study from bucket Tumour board, week 23').click()
    await waitUntil(() => openDialog(tab) !== null, 'dialog open', WAIT)
    expect(deepText(openDialog(tab)!)).to.include(
      `Study ${ACC} leaves bucket “Tumour board, week 23”`,
    )
    await answer(tab, 'Cancel')
    expect(fake.calls.some((c) => c.method === 'removeFromBucket')).to.equal(false)

    control(tab, 'Remove study from bucket Tumour board, week 23').click()
    await answer(tab, 'Remove study from bucket')
    expect((await fake.called('removeFromBucket')).args).to.deep.equal(['bucket-1', ACC])
    await waitUntil(() => deepText(tab).includes('This study is in no bucket.'), 'row gone', WAIT)
  })

  it('"Revoke whole bucket" confirms, then revokes that bucket by id', async () => {
    const bucket = accessView().buckets[0]!
    const { tab, fake } = await accessTab({ revokeBucket: async () => ({ bucket, revoked: true }) })
    control(tab, 'Revoke whole bucket Tumour board, week 23').click()
    await waitUntil(() => openDialog(tab) !== null, 'dialog open', WAIT)
    expect(deepText(openDialog(tab)!)).to.include('Northside Referring Clinic lose access')
    await answer(tab, 'Revoke whole bucket')
    expect((await fake.called('revokeBucket')).args).to.deep.equal(['bucket-1'])
    await waitUntil(
      () => !hasControl(tab, 'Revoke whole bucket Tumour board, week 23'),
      'gone',
      WAIT,
    )
    expect(roleText(tab, 'status')).to.include('Bucket Tumour board, week 23 revoked')
  })
})
