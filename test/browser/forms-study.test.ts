import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import type * as Y from 'yjs'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import { clockTime } from '../../client/forms/format.ts'
import '../../client/forms/ss-study-form.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import {
  commit,
  control,
  description,
  type Fakes,
  fakeFeed,
  fakes,
  hasControl,
  liveText,
  type RemotePeer,
  remotePeer,
  seedStudy,
  typeInto,
} from './forms-helpers.ts'
import { testServer, unique } from './helpers.ts'
import { after, afterEach, describe, it } from './mocha.ts'

const me: UserIdentity = { id: unique('u-huyen'), name: 'HUYEN', role: 'radiologist' }
const bose: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }
const WAIT = { timeout: 4000 }

describe('<ss-study-form>: editing together', () => {
  const peers: RemotePeer[] = []
  after(() => wipeUserDocuments(me.id))
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy()
  })

  /** BOSE has the study open (and seeded); HUYEN opens the form. */
  async function openStudy(options: { fakes?: Fakes; history?: string; state?: boolean } = {}) {
    const server = await testServer()
    const accession = unique('A')
    const docName = `study/${accession}`
    const other = await remotePeer(server.syncUrl, docName, bose, { mode: 'editing' })
    peers.push(other)
    seedStudy(other, options.history)
    const state = await remotePeer(server.syncUrl, `${docName}/state`)
    peers.push(state)
    state.doc.getMap('state').set('imageCount', 14) // the open call says 12: 14 proves it synced
    state.doc.getMap('state').set('status', 'ready-to-read')
    const f = options.fakes ?? fakes(me)
    const shell = await fixture(html`<forms-test-shell .fakes=${f}>
      <ss-study-form accession=${accession} .syncUrl=${server.syncUrl}></ss-study-form>
    </forms-test-shell>`)
    const form = shell.querySelector('ss-study-form')!
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    await waitUntil(() => control(form, 'Clinical history').value !== '', 'text bound', WAIT)
    return { server, accession, docName, other, state, form, fakes: f }
  }

  it('[S6] two users edit different fields at once: both edits survive on both sides and on the server', async () => {
    const { server, docName, other, form } = await openStudy()
    const description = control(form, 'Study description')
    description.focus()
    description.value = 'CT head without contrast'
    // Same turn: neither side has seen the other's edit.
    commit(description)
    other.fields.set('priority', 'URGENT')

    await waitUntil(() => control(form, 'Priority').value === 'URGENT', 'remote edit shown', WAIT)
    await waitUntil(
      () => other.fields.get('description') === 'CT head without contrast',
      'local edit reached the other user',
      WAIT,
    )
    await waitUntil(async () => {
      const fields = await server.fields(docName)
      return fields.priority === 'URGENT' && fields.description === 'CT head without contrast'
    }, 'both on the server')
  })

  it('[S7] typing in clinical history at the same time merges both texts and keeps the caret', async () => {
    const { other, form } = await openStudy({ history: 'Cough.' })
    const textarea = control(form, 'Clinical history')
    const remoteText = other.fields.get('clinicalHistory') as Y.Text

    typeInto(textarea, 'Cough. Fever.')
    remoteText.insert(0, 'Smoker. ') // concurrently: neither has the other's edit yet

    const merged = 'Smoker. Cough. Fever.'
    await waitUntil(() => textarea.value === merged, 'merged locally', WAIT)
    await waitUntil(() => remoteText.toString() === merged, 'merged remotely', WAIT)
    expect(textarea.selectionStart, 'caret still after what I typed').to.equal(merged.length)

    textarea.setSelectionRange(14, 14) // "Smoker. Cough.|"
    remoteText.insert(merged.length, ' Afebrile.')
    await waitUntil(() => textarea.value.endsWith('Afebrile.'), 'remote append shown', WAIT)
    expect(textarea.selectionStart, 'text after the caret does not move it').to.equal(14)
    remoteText.insert(0, 'Hx: ')
    await waitUntil(() => textarea.value.startsWith('Hx: '), 'remote prefix shown', WAIT)
    expect([textarea.selectionStart, textarea.selectionEnd]).to.deep.equal([18, 18])
    expect((textarea.getRootNode() as ShadowRoot).activeElement).to.equal(textarea)
  })

  it('[S10] shows which field the other user is in right now', async () => {
    const { other, form } = await openStudy()
    other.present({ focus: 'description', mode: 'editing' })

    const field = () => control(form, 'Study description')
    await waitUntil(() => description(field()).includes('BOSE is editing'), 'editor shown', WAIT)
    expect(field().closest('.field')?.classList.contains('occupied')).to.equal(true)
    expect(description(control(form, 'Priority'))).to.not.include('BOSE')

    other.present({ focus: null, mode: 'viewing' })
    await waitUntil(() => !description(field()).includes('BOSE'), 'editor gone', WAIT)
  })

  it('[S10] publishes my own focus: the other user sees me editing that field', async () => {
    const { other, form } = await openStudy()
    control(form, 'Body part').focus()
    const mine = () =>
      [...other.provider.awareness.getStates().entries()].find(
        ([id]) => id !== other.doc.clientID,
      )?.[1]
    await waitUntil(() => mine()?.focus === 'bodyPart', 'focus published', WAIT)
    expect(mine()).to.include({ mode: 'editing', view: 'info' })
    control(form, 'Body part').blur()
    await waitUntil(() => mine()?.focus === null && mine()?.mode === 'viewing', 'left', WAIT)
  })

  it('[S8] a change by someone else is highlighted with what, who and when', async () => {
    const { other, form } = await openStudy()
    other.fields.set('priority', 'STAT')

    const priority = () => control(form, 'Priority')
    await waitUntil(() => priority().value === 'STAT', 'remote value shown', WAIT)
    await waitUntil(
      () => /Priority ROUTINE → STAT by BOSE at \d\d:\d\d:\d\d/.test(description(priority())),
      'highlight described',
      WAIT,
    )
    expect(priority().closest('.field')?.classList.contains('changed')).to.equal(true)
    expect(priority().closest('.field')?.getAttribute('title')).to.match(/ROUTINE → STAT by BOSE/)
    expect(liveText(form)).to.match(/Priority ROUTINE → STAT by BOSE/)
  })

  it('[S8][S24] the live feed names the author, SYSTEM included', async () => {
    const feed = fakeFeed('open')
    const f = fakes(me, { feed })
    const { accession, form } = await openStudy({ fakes: f })
    const at = '2026-11-22T14:02:31.000Z'
    feed.emit({
      type: 'notice',
      data: {
        kind: 'system.update',
        tier: 'toast',
        subject: { type: 'study', id: accession },
        by: 'SYSTEM',
        at,
        changes: [{ field: 'referringPhysician', from: 'Dr Okafor', to: 'Dr Ngata' }],
        text: 'Referring physician Dr Okafor → Dr Ngata by SYSTEM',
      },
    })
    const field = () => control(form, 'Referring physician')
    await waitUntil(() => description(field()).includes('by SYSTEM'), 'system change shown', WAIT)
    expect(description(field())).to.equal(
      `Referring physician Dr Okafor → Dr Ngata by SYSTEM at ${clockTime(at)}`,
    )
  })

  it('an invalid value is not written, and the user is told why', async () => {
    const { other, form } = await openStudy()
    const priority = control(form, 'Priority')
    // A value outside the schema, as an outdated or tampered option list would send.
    const option = document.createElement('option')
    option.value = 'WHENEVER'
    priority.append(option)
    priority.value = 'WHENEVER'
    commit(priority)

    await waitUntil(() => priority.getAttribute('aria-invalid') === 'true', 'marked invalid', WAIT)
    expect(description(priority)).to.match(
      /Priority must be one of STAT, CRITFIND, URGENT, ROUTINE/,
    )
    const body = control(form, 'Body part')
    body.value = 'CHEST'
    commit(body) // a valid edit after it, to know the invalid one would have arrived by now
    await waitUntil(() => other.fields.get('bodyPart') === 'CHEST', 'valid edit synced', WAIT)
    expect(other.fields.get('priority')).to.equal('ROUTINE')
  })

  it('read-only: nothing can be edited and the form says so', async () => {
    const f = fakes(me, { open: { readOnly: true } })
    const { form } = await openStudy({ fakes: f })
    await waitUntil(() => control(form, 'Priority').disabled, 'priority disabled', WAIT)
    expect(control(form, 'Study description').readOnly).to.equal(true)
    expect(control(form, 'Clinical history').readOnly).to.equal(true)
    expect(form.shadowRoot?.textContent).to.include('Read-only')
  })

  it('tells the server it opened and left the study, and shows what the server said', async () => {
    const f = fakes(me, {
      open: { notices: [{ kind: 'assignment.taken', text: 'Study belongs to BOSE' }] },
    })
    const { accession, form } = await openStudy({ fakes: f })
    await waitUntil(() => f.calls.includes('toast Study belongs to BOSE'), 'notice shown', WAIT)
    expect(f.calls).to.include(`open ${accession}`)
    expect(hasControl(form, 'Priority')).to.equal(true)
    form.parentElement?.remove()
    expect(f.calls).to.include(`close ${accession}`)
  })

  it('[S25] image count refreshes live from the state document and is announced', async () => {
    const { state, form } = await openStudy()
    const text = () => form.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? ''
    await waitUntil(() => text().includes('Images14'), 'count from the state document', WAIT)
    state.doc.getMap('state').set('imageCount', 17)
    await waitUntil(() => text().includes('Images17'), 'count refreshed', WAIT)
    expect(liveText(form)).to.include('3 new images arrived (now 17).')
  })
})
