import { expect, html, waitUntil } from '@open-wc/testing'
import { ApiError } from '../../client/api.ts'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import type { SsReportEditor } from '../../client/desktop/ss-report-editor.ts'
import type { SsStudyDesktop } from '../../client/desktop/ss-study-desktop.ts'
import '../../client/desktop/ss-study-desktop.ts'
import type { StudyState } from '../../shared/api-types.ts'
import {
  button,
  byRole,
  description,
  fakeApi,
  fakeFeed,
  fakeNavigator,
  labelled,
  mount,
  openResult,
  session,
  studyState,
  textOf,
  type,
} from './desktop-fakes.ts'
import { testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const BOSE = { id: unique('u-bose'), name: 'BOSE' }
const HUYEN = { id: unique('u-huyen'), name: 'HUYEN' }
const claimOf = (holder: { id: string; name: string }) => ({
  holder,
  since: '2026-11-22T14:02:31.000Z',
  view: 'desktop' as const,
})

async function desktop(
  me: { id: string; name: string },
  state: StudyState,
  impl: Parameters<typeof fakeApi>[0] = {},
  accession = unique('A'),
) {
  const server = await testServer()
  const fake = fakeApi({
    open: async () => openResult(state, { readOnly: state.claim?.holder.id !== me.id }),
    close: async () => ({ released: true }),
    ...impl,
  })
  const navigator = fakeNavigator()
  const el = await mount<SsStudyDesktop>(
    { session: session(me), api: fake.api, feed: fakeFeed(), navigator },
    html`<ss-study-desktop accession=${accession} .syncUrl=${server.syncUrl}></ss-study-desktop>`,
  )
  await fake.called('open')
  await waitUntil(() => textOf(el.shadowRoot!).includes('Status:'), 'state shown')
  const root = el.shadowRoot!
  const editor = root.querySelector('ss-report-editor') as SsReportEditor
  await waitUntil(() => editor.text !== null, 'report document bound')
  await editor.updateComplete
  const area = editor.shadowRoot!.querySelector('textarea')!
  const bar = root.querySelector('ss-reader-actions')!
  await bar.updateComplete
  return { el, root, fake, navigator, editor, area, accession, actions: bar.shadowRoot! }
}

describe('study desktop: the reading claim (S15)', () => {
  after(() => Promise.all([wipeUserDocuments(BOSE.id), wipeUserDocuments(HUYEN.id)]))

  it('S15: the holder reads, edits and may create the report with auto-template on', async () => {
    const { actions, root, fake, area, accession } = await desktop(
      BOSE,
      studyState({ claim: claimOf(BOSE) }),
      { report: async () => ({ state: studyState({ claim: claimOf(BOSE), rev: 8 }) }) },
    )
    expect(byRole(root, 'status', 'You are reading this study')).to.have.length(1)
    expect(area.readOnly).to.equal(false)
    const template = labelled(actions, 'Auto-create template')
    expect(template.checked && !template.disabled).to.equal(true)
    expect(button(actions, 'Advance to read').disabled).to.equal(false)

    button(actions, 'Create report').click()

    const call = await fake.called('report')
    expect(call.args).to.deep.equal([accession, { action: 'create', autoTemplate: true }])
    await waitUntil(() => byRole(root, 'status', 'Report created.').length === 1)
  })

  it('S15: another radiologist sees "<holder> is reading this study", read-only, with every reader action disabled and explained', async () => {
    const { actions, root, area } = await desktop(HUYEN, studyState({ claim: claimOf(BOSE) }))

    expect(byRole(root, 'status', 'BOSE is reading this study')).to.have.length(1)
    expect(area.readOnly, 'report read-only').to.equal(true)
    const template = labelled(actions, 'Auto-create template')
    expect(template.checked, 'auto-template off').to.equal(false)
    expect(template.disabled).to.equal(true)
    for (const name of ['Create report', 'Amend report', 'Advance to read']) {
      const control = button(actions, name)
      expect(control.disabled, name).to.equal(true)
      expect(description(actions, control), name).to.contain('Only the reader can')
    }
    const editor = root.querySelector('ss-report-editor')!.shadowRoot!
    expect(description(editor, area)).to.contain('only the reader can edit the report')
    // Who reads is said once, in the banner; the explanations stay short (no repeats).
    const shown = [root, actions, editor].map((r) => textOf(r)).join(' ')
    expect(shown.split('BOSE is reading this study')).to.have.length(2)
  })

  it('S15: a staff step (in-progress → ready-to-read) stays available to a non-holder', async () => {
    const { actions } = await desktop(
      HUYEN,
      studyState({ status: 'in-progress', claim: claimOf(BOSE) }),
    )
    expect(button(actions, 'Advance to ready to read').disabled).to.equal(false)
  })

  it('advance sends the state rev as expectedRev and shows the next step from the answer', async () => {
    const { actions, fake, accession } = await desktop(
      BOSE,
      studyState({ claim: claimOf(BOSE), rev: 7 }),
      {
        advance: async () => ({
          state: studyState({ status: 'read', claim: claimOf(BOSE), rev: 8 }),
        }),
      },
    )

    button(actions, 'Advance to read').click()

    const call = await fake.called('advance')
    expect(call.args).to.deep.equal([accession, { to: 'read', expectedRev: 7 }])
    await waitUntil(() => actions.textContent?.includes('Advance to dictated'), 'next step offered')
  })

  it('S15: a 423 or 409 from the server is shown in its own words', async () => {
    let answer: ApiError = new ApiError(423, 'locked', 'BOSE is reading this study', {
      holder: BOSE,
    })
    const { actions, root } = await desktop(BOSE, studyState({ claim: claimOf(BOSE) }), {
      advance: async () => {
        throw answer
      },
    })

    button(actions, 'Advance to read').click()
    await waitUntil(() => byRole(root, 'alert', 'BOSE is reading this study').length === 1)

    answer = new ApiError(409, 'stale', 'Updated by ADMIN at 14:02:31; your change was discarded.')
    button(actions, 'Advance to read').click()
    await waitUntil(() => byRole(root, 'alert', 'Updated by ADMIN at 14:02:31').length === 1)
  })

  it('S15: the holder’s typing reaches a viewer live, through the sync server', async () => {
    const accession = unique('A')
    const state = studyState({ claim: claimOf(BOSE) })
    const reader = await desktop(BOSE, state, {}, accession)
    const viewer = await desktop(HUYEN, state, {}, accession)

    type(reader.area, 'FINDINGS: no acute abnormality.')

    await waitUntil(
      () => viewer.area.value === 'FINDINGS: no acute abnormality.',
      'viewer sees the holder’s text',
    )
    expect(viewer.area.readOnly).to.equal(true)
  })

  it('shows the connection state of the report document', async () => {
    const { root } = await desktop(BOSE, studyState({ claim: claimOf(BOSE) }))
    await waitUntil(() => root.textContent?.includes('Connection: Online, up to date'))
    expect(root.textContent).to.contain('Live updates: on')
  })

  it('S18: leaving the desktop closes the study, which releases the claim', async () => {
    const { el, fake, accession } = await desktop(BOSE, studyState({ claim: claimOf(BOSE) }))

    el.remove()

    const call = await fake.called('close')
    expect(call.args).to.deep.equal([accession, 'desktop'])
  })

  it('S21/S22: a 4410 on the study documents goes back to the worklist', async () => {
    const { navigator } = await desktop(BOSE, studyState(), {}, unique('gone'))
    await waitUntil(() => navigator.routes.length > 0, 'navigated')
    expect(navigator.routes[0]).to.deep.equal({ page: 'worklist' })
  })
})
