import { expect, html, waitUntil } from '@open-wc/testing'
import { ApiError } from '../../client/api.ts'
import type { SignedInUser } from '../../client/app/contexts.ts'
import { openDocument, wipeUserDocuments } from '../../client/connection/index.ts'
import type { SsReportEditor } from '../../client/desktop/ss-report-editor.ts'
import type { SsStudyDesktop } from '../../client/desktop/ss-study-desktop.ts'
import '../../client/desktop/ss-study-desktop.ts'
import type { OpenResult } from '../../shared/api-types.ts'
import type { Notice } from '../../shared/events.ts'
import {
  button,
  byRole,
  fakeApi,
  fakeFeed,
  fakeNotifier,
  hasButton,
  labelled,
  mount,
  openResult,
  session,
  studyState,
  textOf,
  type,
} from './desktop-fakes.ts'
import { fakeNetwork, testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const BOSE = { id: unique('u-bose'), name: 'BOSE' }
const ADMIN = { id: unique('u-admin'), name: 'ADMIN', role: 'systemAdmin' as const }
const TRANS = { id: unique('u-trans'), name: 'TRANS', role: 'transcriptionist' as const }
const claimOf = (holder: { id: string; name: string }) => ({
  holder,
  since: '2026-11-22T14:02:31.000Z',
  view: 'desktop' as const,
})

async function desktop(
  me: Partial<SignedInUser> & { id: string; name: string },
  opened: OpenResult,
  impl: Parameters<typeof fakeApi>[0] = {},
  accession = unique('A'),
) {
  const server = await testServer()
  const fake = fakeApi({
    open: async () => opened,
    close: async () => ({ released: true }),
    ...impl,
  })
  const feed = fakeFeed()
  const notifier = fakeNotifier()
  const el = await mount<SsStudyDesktop>(
    { session: session(me), api: fake.api, feed, notifier },
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
  return { el, root, fake, feed, notifier, area, accession, actions: bar.shadowRoot! }
}

function notice(kind: string, accession: string, extra: Partial<Notice> = {}): Notice {
  return {
    kind,
    tier: kind === 'claim.lost' ? 'blocking' : 'toast',
    subject: { type: 'study', id: accession },
    by: { id: ADMIN.id, name: 'ADMIN' },
    at: '2026-11-22T14:05:00.000Z',
    text: `Study ${accession} taken over by ADMIN at 14:05:00`,
    ...extra,
  }
}

describe('study desktop: take-over and lost claims (S19, S14, S16, S13)', () => {
  after(() =>
    Promise.all([BOSE, ADMIN, TRANS].map((u) => wipeUserDocuments(u.id))).then(() => undefined),
  )

  it('S19: taking over needs a reason of 10+ characters, validated in a labelled field, then calls the API', async () => {
    const held = studyState({ claim: claimOf(BOSE), rev: 4 })
    const { actions, el, root, fake, area, accession } = await desktop(
      { ...ADMIN, privileges: ['takeOver'] },
      openResult(held),
      { takeOver: async () => ({ state: studyState({ claim: claimOf(ADMIN), rev: 5 }) }) },
    )
    expect(area.readOnly).to.equal(true)

    button(actions, 'Take over reading').click()
    await el.updateComplete
    const dialogEl = root.querySelector('ss-takeover-dialog')!
    await dialogEl.updateComplete
    const dialog = dialogEl.shadowRoot!
    expect(dialog.querySelector('dialog')?.open, 'dialog open').to.equal(true)
    const reason = labelled<HTMLTextAreaElement>(dialog, 'Reason for taking over')

    type(reason, '  too short ')
    button(dialog, 'Take over').click()
    await dialogEl.updateComplete
    expect(byRole(dialog, 'alert', 'at least 10 characters')).to.have.length(1)
    expect(reason.getAttribute('aria-invalid')).to.equal('true')
    expect(
      fake.calls.some((c) => c.method === 'takeOver'),
      'no call yet',
    ).to.equal(false)

    type(reason, 'BOSE went home ill; urgent STAT read')
    button(dialog, 'Take over').click()

    const call = await fake.called('takeOver')
    expect(call.args).to.deep.equal([accession, 'BOSE went home ill; urgent STAT read'])
    await waitUntil(() => byRole(root, 'status', 'You are reading this study').length === 1)
    expect(dialog.querySelector('dialog')?.open, 'dialog closed').to.equal(false)
    expect(area.readOnly).to.equal(false)
  })

  it('S19: a refused take-over keeps the dialog open with the server’s reason', async () => {
    const { actions, el, root } = await desktop(
      { ...ADMIN, privileges: ['takeOver'] },
      openResult(studyState({ claim: claimOf(BOSE) })),
      {
        takeOver: async () => {
          throw new ApiError(409, 'conflict', 'Nobody is reading this study: open it instead.')
        },
      },
    )
    button(actions, 'Take over reading').click()
    await el.updateComplete
    await el.updateComplete
    const dialogEl = root.querySelector('ss-takeover-dialog')!
    await dialogEl.updateComplete
    const dialog = dialogEl.shadowRoot!
    type(labelled<HTMLTextAreaElement>(dialog, 'Reason for taking over'), 'covering the list')
    button(dialog, 'Take over').click()
    await waitUntil(() => byRole(dialog, 'alert', 'Nobody is reading this study').length === 1)
    expect(dialog.querySelector('dialog')?.open).to.equal(true)
  })

  it('S19: no take-over offer without the privilege', async () => {
    const { actions } = await desktop(ADMIN, openResult(studyState({ claim: claimOf(BOSE) })))
    expect(hasButton(actions, 'Take over reading')).to.equal(false)
  })

  it('S19: a claim.lost notice makes the report read-only at once and offers the draft copy', async () => {
    const { root, feed, area, accession } = await desktop(
      BOSE,
      openResult(studyState({ claim: claimOf(BOSE) })),
    )
    type(area, 'IMPRESSION: small effusion')
    expect(area.readOnly).to.equal(false)

    feed.emit({
      type: 'notice',
      data: notice('claim.lost', accession, {
        details: { draftCopy: 'IMPRESSION: small effusion', reason: 'urgent STAT read' },
      }),
    })
    await waitUntil(() => area.readOnly, 'read-only at once')

    expect(byRole(root, 'status', 'You are no longer reading this study')).to.have.length(1)
    const rescue = root.querySelector('ss-draft-rescue')!
    await rescue.updateComplete
    const panel = rescue.shadowRoot!
    expect(byRole(panel, 'alert', `taken over by ADMIN`)).to.have.length(1)
    expect(labelled<HTMLTextAreaElement>(panel, 'Your draft').value).to.equal(
      'IMPRESSION: small effusion',
    )
    const copied: string[] = []
    navigator.clipboard.writeText = async (text: string) => {
      copied.push(text)
    }
    button(panel, 'Copy my draft').click()
    await waitUntil(() => copied.length === 1, 'copied')
    expect(copied[0]).to.equal('IMPRESSION: small effusion')
    const link = [...panel.querySelectorAll('a')].find((a) => textOf(a) === 'Download my draft')!
    expect(link.download).to.equal(`report-${accession}-draft.txt`)
    expect(await (await fetch(link.href)).text()).to.equal('IMPRESSION: small effusion')
  })

  it('S14: a claim lost to a reassignment (no draft in the notice) keeps what the user had locally', async () => {
    const { root, feed, area, accession } = await desktop(
      BOSE,
      openResult(studyState({ claim: claimOf(BOSE) })),
    )
    type(area, 'FINDINGS: typed before the reassignment')

    feed.emit({ type: 'notice', data: notice('claim.lost', accession, { text: 'Reassigned' }) })

    await waitUntil(() => root.querySelector('ss-draft-rescue'), 'draft offered')
    expect(root.querySelector('ss-draft-rescue')!.draft).to.equal(
      'FINDINGS: typed before the reassignment',
    )
    expect(area.readOnly).to.equal(true)
  })

  it('S19: a 4409 on the report (writes refused) goes read-only and offers the refused local text', async () => {
    const server = await testServer()
    const accession = unique('refuse')
    // What the holder typed while offline, still only in this browser's IndexedDB.
    const offline = openDocument({
      docName: `study/${accession}/report`,
      userId: BOSE.id,
      serverUrl: server.syncUrl,
      network: fakeNetwork(false),
    })
    await offline.whenLocalLoaded
    offline.doc.getText('body').insert(0, 'COMPARISON: typed offline')
    await offline.destroy()

    const { root, area } = await desktop(
      BOSE,
      openResult(studyState({ claim: claimOf(BOSE) })),
      {},
      accession,
    )

    await waitUntil(() => root.querySelector('ss-draft-rescue'), 'draft offered')
    expect(root.querySelector('ss-draft-rescue')!.draft).to.equal('COMPARISON: typed offline')
    expect(area.readOnly).to.equal(true)
  })

  it('S16: a transcriptionist is warned that the study is assigned to someone else and can take over', async () => {
    const text = 'You are opening a Study that is assigned to ADMIN for (Transcriptionist)'
    const state = studyState({ status: 'dictated', transcriptionist: ADMIN, rev: 11 })
    const { root, fake, accession } = await desktop(
      { ...TRANS, privileges: ['assignOtherPersonnel'] },
      openResult(state, { canTakeOver: true, notices: [{ kind: 'assignment.taken', text }] }),
      { assign: async () => ({ state: { ...state, transcriptionist: TRANS, rev: 12 } }) },
    )
    const warningEl = root.querySelector('ss-assignment-warning')!
    await warningEl.updateComplete
    const warning = warningEl.shadowRoot!
    expect(warning.querySelector('dialog')?.open).to.equal(true)
    expect(textOf(warning)).to.contain(text)

    button(warning, 'Take over as transcriptionist').click()

    const call = await fake.called('assign')
    expect(call.args).to.deep.equal([
      accession,
      { role: 'transcriptionist', userId: TRANS.id, expectedRev: 11 },
    ])
    await waitUntil(() => !warning.querySelector('dialog')?.open, 'warning closed')
    expect(byRole(root, 'status', 'You are the transcriptionist')).to.have.length(1)
  })

  it('S16: without the privilege the warning only informs', async () => {
    const text = 'You are opening a Study that is assigned to ADMIN for (Transcriptionist)'
    const { root } = await desktop(
      TRANS,
      openResult(studyState({ status: 'dictated' }), {
        notices: [{ kind: 'assignment.taken', text }],
      }),
    )
    const warningEl = root.querySelector('ss-assignment-warning')!
    await warningEl.updateComplete
    expect(hasButton(warningEl.shadowRoot!, 'Take over as transcriptionist')).to.equal(false)
    button(warningEl.shadowRoot!, 'OK').click()
    await waitUntil(() => !warningEl.shadowRoot!.querySelector('dialog')?.open)
  })

  it('S13/S14: a change the server projects into the state document updates the banner live; toasts stay with the shell', async () => {
    const server = await testServer()
    const { root, feed, notifier, area, accession } = await desktop(
      BOSE,
      openResult(studyState({ claim: claimOf(BOSE), rev: 7 })),
    )
    expect(area.readOnly).to.equal(false)
    // Stands in for the server's projector writing `study/<acc>/state`.
    const projector = openDocument({
      docName: `study/${accession}/state`,
      userId: unique('u-projector'),
      serverUrl: server.syncUrl,
    })
    await projector.whenSynced
    const state = projector.doc.getMap('state')
    projector.doc.transact(() => {
      for (const [key, value] of Object.entries(studyState({ claim: claimOf(ADMIN), rev: 8 })))
        state.set(key, value)
    })

    await waitUntil(() => byRole(root, 'status', 'ADMIN is reading this study').length === 1)
    expect(area.readOnly).to.equal(true)
    feed.emit({ type: 'notice', data: notice('assignment.auto', accession) })
    expect(notifier.toasts, 'the shell toasts every notice; no second toast').to.deep.equal([])
    await projector.destroy({ clearLocalCopy: true })
  })
})
