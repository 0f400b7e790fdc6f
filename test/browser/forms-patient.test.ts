import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import '../../client/forms/ss-patient-form.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import {
  commit,
  control,
  description,
  fakes,
  liveText,
  type RemotePeer,
  remotePeer,
} from './forms-helpers.ts'
import { testServer, unique } from './helpers.ts'
import { after, afterEach, describe, it } from './mocha.ts'

const clerk: UserIdentity = { id: unique('u-clerk'), name: 'CLERK', role: 'clerk' }
const reader: UserIdentity = { id: unique('u-huyen'), name: 'HUYEN', role: 'radiologist' }
const bose: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'technologist' }
const WAIT = { timeout: 4000 }

describe('<ss-patient-form>', () => {
  const peers: RemotePeer[] = []
  after(async () => {
    await wipeUserDocuments(clerk.id)
    await wipeUserDocuments(reader.id)
  })
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy()
  })

  async function openPatient(user: UserIdentity) {
    const server = await testServer()
    const patientId = unique('P')
    const other = await remotePeer(server.syncUrl, `patient/${patientId}`, bose)
    peers.push(other)
    other.doc.transact(() => {
      other.fields.set('name', 'DOE^JANE')
      other.fields.set('birthDate', '1980-12-31')
      other.fields.set('sex', 'F')
      other.fields.set('accountStatus', 'NORMAL')
      other.fields.set('phone', '')
      other.fields.set('address', '')
    })
    const shell = await fixture(html`<forms-test-shell .fakes=${fakes(user)}>
      <ss-patient-form patient-id=${patientId} .syncUrl=${server.syncUrl}></ss-patient-form>
    </forms-test-shell>`)
    const form = shell.querySelector('ss-patient-form')!
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    await waitUntil(() => control(form, 'Name').value === 'DOE^JANE', 'fields shown', WAIT)
    return { other, form }
  }

  it('[S9] a change by someone else is highlighted with what, who and when; my edits reach them', async () => {
    const { other, form } = await openPatient(clerk)
    other.fields.set('accountStatus', 'OVERDUE')
    const status = () => control(form, 'Account status')
    await waitUntil(() => status().value === 'OVERDUE', 'remote value shown', WAIT)
    await waitUntil(
      () =>
        /^Account status NORMAL → OVERDUE by BOSE at \d\d:\d\d:\d\d$/.test(description(status())),
      'change described',
      WAIT,
    )

    const phone = control(form, 'Phone')
    phone.value = '+44 20 7946 0000'
    commit(phone)
    await waitUntil(() => other.fields.get('phone') === '+44 20 7946 0000', 'edit synced', WAIT)
  })

  it('an invalid birth date is not written; the user is told the expected format', async () => {
    const { other, form } = await openPatient(clerk)
    const birth = control(form, 'Birth date')
    expect(description(birth)).to.equal('Format: YYYY-MM-DD')
    birth.focus()
    birth.value = '31/12/1980'
    birth.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }))
    commit(birth)

    await waitUntil(() => birth.getAttribute('aria-invalid') === 'true', 'marked invalid', WAIT)
    expect(description(birth)).to.include('Birth date must look like YYYY-MM-DD; not saved.')
    expect(birth.value, 'the draft stays for the user to fix').to.equal('31/12/1980')
    const address = control(form, 'Address')
    address.value = '1 Main St'
    commit(address) // a later valid edit: once it arrived, the invalid one would have too
    await waitUntil(() => other.fields.get('address') === '1 Main St', 'valid edit synced', WAIT)
    expect(other.fields.get('birthDate')).to.equal('1980-12-31')

    birth.value = '1980-12-30'
    birth.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }))
    commit(birth)
    await waitUntil(
      () => other.fields.get('birthDate') === '1980-12-30',
      'fixed value synced',
      WAIT,
    )
    expect(birth.hasAttribute('aria-invalid')).to.equal(false)
  })

  it('is read-only for a role without patient-edit rights', async () => {
    const { form } = await openPatient(reader)
    expect(control(form, 'Name').readOnly).to.equal(true)
    expect(control(form, 'Sex').disabled).to.equal(true)
    expect(form.shadowRoot?.textContent).to.include('Read-only')
  })
})
