import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { documentDatabaseName, wipeUserDocuments } from '../../client/connection/index.ts'
import { closedText } from '../../client/forms/form-view.ts'
import { clockTime } from '../../client/forms/format.ts'
import '../../client/forms/ss-patient-form.ts'
import '../../client/forms/ss-study-form.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import { type Fakes, fakeFeed, fakes } from './forms-helpers.ts'
import { databaseNames, testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const me: UserIdentity = { id: unique('u-huyen'), name: 'HUYEN', role: 'radiologist' }
const clerk: UserIdentity = { id: unique('u-clerk'), name: 'CLERK', role: 'clerk' }
const WAIT = { timeout: 4000 }
/** What the sync test server puts in its 4410 close reason (sync-test-server.mjs). */
const GONE_AT = '2026-11-22T14:02:31.000Z'

async function studyForm(accession: string, f: Fakes) {
  const { syncUrl } = await testServer()
  const shell = await fixture(html`<forms-test-shell .fakes=${f}>
    <ss-study-form accession=${accession} .syncUrl=${syncUrl}></ss-study-form>
  </forms-test-shell>`)
  return shell.querySelector('ss-study-form')!
}

const alertText = (el: Element) => el.shadowRoot?.querySelector('[role="alert"]')?.textContent ?? ''

describe('forms that the server closes', () => {
  after(async () => {
    await wipeUserDocuments(me.id)
    await wipeUserDocuments(clerk.id)
  })

  it('[S21] a deleted study closes its form and returns to the worklist, with the dialog raised here when there is no feed', async () => {
    const accession = unique('gone')
    const f = fakes(me)
    const form = await studyForm(accession, f)

    await waitUntil(() => f.calls.includes('go worklist'), 'back to the worklist', WAIT)
    const text = `study ${accession} deleted by BOSE at ${clockTime(GONE_AT)}`
    expect(f.calls).to.include(`show ${text}`)
    expect(f.shown[0]).to.deep.include({
      tier: 'blocking',
      kind: 'study.deleted',
      by: { id: 'u-bose', name: 'BOSE' },
    })
    expect(alertText(form)).to.equal(text)
    await waitUntil(
      async () => {
        const names = await databaseNames()
        return !names.includes(documentDatabaseName(me.id, `study/${accession}`))
      },
      'local copy purged',
      WAIT,
    )
    expect(
      f.calls.filter((c) => c.startsWith('close ')),
      'a gone study is not closed on the server',
    ).to.deep.equal([])
  })

  it('[S21] with the live feed up, the shell shows the dialog from the feed: the form does not add a second one', async () => {
    const f = fakes(me, { feed: fakeFeed('open') })
    await studyForm(unique('gone'), f)
    await waitUntil(() => f.calls.includes('go worklist'), 'back to the worklist', WAIT)
    expect(f.shown).to.deep.equal([])
  })

  it('4403: says clearly that the user has no access', async () => {
    const accession = unique('forbidden')
    const f = fakes(me)
    const form = await studyForm(accession, f)
    await waitUntil(() => alertText(form) !== '', 'message shown', WAIT)
    expect(alertText(form)).to.equal(`You do not have access to study ${accession}.`)
    expect(f.calls).to.not.include('go worklist')
    expect(form.shadowRoot?.querySelector('ss-field')).to.equal(null)
  })

  it('4404 and a merge are worded for people', () => {
    const base = { kind: 'closed', reason: '', permanent: true } as const
    expect(closedText('study', 'A1', { ...base, code: 4404 })).to.equal('Study A1 does not exist.')
    const by = { id: 'u-admin', name: 'ADMIN' }
    const merged = { reason: 'merged', by, at: GONE_AT, mergedInto: 'A2' } as const
    expect(closedText('study', 'A1', { ...base, code: 4410, gone: merged })).to.equal(
      `study A1 merged into A2 by ADMIN at ${clockTime(GONE_AT)}`,
    )
  })

  it('[S23] a deleted patient closes the registration form and returns to the worklist', async () => {
    const { syncUrl } = await testServer()
    const patientId = unique('gone')
    const f = fakes(clerk)
    await fixture(html`<forms-test-shell .fakes=${f}>
      <ss-patient-form patient-id=${patientId} .syncUrl=${syncUrl}></ss-patient-form>
    </forms-test-shell>`)
    await waitUntil(() => f.calls.includes('go worklist'), 'back to the worklist', WAIT)
    expect(f.calls).to.include(`show patient ${patientId} deleted by BOSE at ${clockTime(GONE_AT)}`)
  })
})
