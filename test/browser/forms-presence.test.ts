import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { LitElement } from 'lit'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import { shortTime } from '../../client/forms/format.ts'
import { HighlightController } from '../../client/forms/highlight-controller.ts'
import { PresenceController } from '../../client/forms/presence-controller.ts'
import '../../client/forms/ss-study-form.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import { STUDY_FORM } from '../../shared/schema.ts'
import { byRole, fakeFeed, fakes, liveText, type RemotePeer, remotePeer } from './forms-helpers.ts'
import { testServer, unique } from './helpers.ts'
import { after, afterEach, describe, it } from './mocha.ts'

const me: UserIdentity = { id: unique('u-bose'), name: 'BOSE', role: 'radiologist' }
const huyen: UserIdentity = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' }
const WAIT = { timeout: 4000 }

class ProbeHost extends LitElement {}
customElements.define('forms-probe-host', ProbeHost)

async function openForm(accession: string, syncUrl: string, f = fakes(me)) {
  const shell = await fixture(html`<forms-test-shell .fakes=${f}>
    <ss-study-form accession=${accession} .syncUrl=${syncUrl}></ss-study-form>
  </forms-test-shell>`)
  return shell.querySelector('ss-study-form')!
}

/** Counts listeners a target holds from now on (added and not removed). */
function spy<T extends object>(target: T, add: keyof T, remove: keyof T): Set<unknown> {
  const active = new Set<unknown>()
  const record = target as Record<keyof T, (...args: unknown[]) => unknown>
  const addFn = record[add].bind(target)
  const removeFn = record[remove].bind(target)
  record[add] = (...args) => {
    active.add(args.at(-1))
    return addFn(...args)
  }
  record[remove] = (...args) => {
    active.delete(args.at(-1))
    return removeFn(...args)
  }
  return active
}

describe('presence in forms', () => {
  const peers: RemotePeer[] = []
  after(() => wipeUserDocuments(me.id))
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy()
  })

  it('[S1] opening a form shows at once who else is there, since when, and what they do', async () => {
    const server = await testServer()
    const accession = unique('A')
    const since = new Date(Date.now() - 5 * 60_000).toISOString()
    const view = { mode: 'reading', view: 'desktop', openedAt: since }
    peers.push(await remotePeer(server.syncUrl, `study/${accession}`, huyen, view))

    const form = await openForm(accession, server.syncUrl)

    const name = new RegExp(
      `^HUYEN \\(radiologist\\) reading since ${shortTime(since)} on the reading desktop, active`,
    )
    await waitUntil(() => byRole(form, 'img', name).length === 1, 'avatar with its name', WAIT)
    expect(liveText(form)).to.include(
      `HUYEN has had this study open since ${shortTime(since)}, reading.`,
    )
  })

  it('[S2] the user who was there first is told within 1 s that someone else opened it', async () => {
    const server = await testServer()
    const accession = unique('A')
    const form = await openForm(accession, server.syncUrl)
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    expect(byRole(form, 'img')).to.have.length(0)

    const arrived = Date.now()
    peers.push(await remotePeer(server.syncUrl, `study/${accession}`, huyen))
    const openedAt = peers[0]!.provider.awareness.getLocalState()?.openedAt as string

    await waitUntil(
      () => liveText(form).includes(`HUYEN opened this study at ${shortTime(openedAt)}.`),
      'arrival announced',
      { timeout: 1000 },
    )
    expect(Date.now() - arrived).to.be.below(1000)
    expect(byRole(form, 'img', /^HUYEN \(radiologist\) viewing since/)).to.have.length(1)
    const region = byRole(form, 'status').find((el) => el.textContent?.includes('HUYEN opened'))
    expect(region?.getAttribute('aria-live')).to.equal('polite')
  })

  it('[S4] freshness: "active N s ago", and "connection lost?" when not renewed for over 20 s', async () => {
    const local = new Awareness(new Y.Doc())
    const remote = new Awareness(new Y.Doc())
    const openedAt = new Date().toISOString()
    remote.setLocalState({ user: huyen, mode: 'editing', view: 'info', openedAt, focus: 'notes' })
    applyAwarenessUpdate(local, encodeAwarenessUpdate(remote, [remote.clientID]), 'test')
    let now = Date.now()
    const host = new ProbeHost()
    const presence = new PresenceController(host, { view: 'info', noun: 'study', now: () => now })
    presence.bind(local)
    document.body.append(host)
    try {
      expect(presence.peers.map((p) => [p.user.name, p.connection])).to.deep.equal([
        ['HUYEN', 'live'],
      ])
      expect(presence.editorsOf('notes').map((p) => p.user.name)).to.deep.equal(['HUYEN'])
      now += 10_000
      const bar = await fixture(html`<ss-presence-bar .peers=${presence.peers}></ss-presence-bar>`)
      expect(byRole(bar, 'img', /editing since .*, active 10 s ago$/)).to.have.length(1)
      now += 15_000
      expect(presence.peers[0]?.connection).to.equal('stale')
      const stale = await fixture(
        html`<ss-presence-bar .peers=${presence.peers}></ss-presence-bar>`,
      )
      expect(byRole(stale, 'img', /no sign for 25 s — connection lost\?$/)).to.have.length(1)
    } finally {
      host.remove()
      local.destroy()
      remote.destroy()
    }
  })

  it('[S4] someone the server reports as lost is shown as such', async () => {
    const server = await testServer()
    const accession = unique('A')
    const feed = fakeFeed('open')
    const form = await openForm(accession, server.syncUrl, fakes(me, { feed }))
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    const at = new Date().toISOString()
    feed.emit({
      type: 'presence',
      data: {
        subject: { type: 'study', id: accession },
        entries: [
          {
            user: huyen,
            subject: { type: 'study', id: accession },
            doc: `study/${accession}`,
            clientId: 4242,
            mode: 'viewing',
            view: 'info',
            since: at,
            lastActiveAt: at,
            connection: 'lost',
            focus: null,
          },
        ],
      },
    })
    await waitUntil(
      () => byRole(form, 'img', /^HUYEN .*, connection lost$/).length === 1,
      'lost peer shown',
      WAIT,
    )
  })

  it("[S1] the reader on the desktop (the study's report document, reported by the feed) is shown; this document's entries come from awareness only", async () => {
    const server = await testServer()
    const accession = unique('A')
    const feed = fakeFeed('open')
    const form = await openForm(accession, server.syncUrl, fakes(me, { feed }))
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    const at = new Date().toISOString()
    const entry = {
      subject: { type: 'study' as const, id: accession },
      since: at,
      lastActiveAt: at,
      connection: 'live' as const,
      focus: null,
    }
    feed.emit({
      type: 'presence',
      data: {
        subject: { type: 'study', id: accession },
        entries: [
          {
            ...entry,
            user: huyen,
            doc: `study/${accession}/report`,
            clientId: 4243,
            mode: 'reading',
            view: 'desktop',
          },
          // Someone in this very document that awareness does not list (any more): not shown.
          {
            ...entry,
            user: { id: 'u-perf', name: 'PERF', role: 'performingPhysician' },
            doc: `study/${accession}`,
            clientId: 4244,
            mode: 'viewing',
            view: 'info',
          },
        ],
      },
    })
    await waitUntil(
      () =>
        byRole(
          form,
          'img',
          /^HUYEN \(radiologist\) reading since \d\d:\d\d on the reading desktop, active/,
        ).length === 1,
      'the reader on the desktop shown',
      WAIT,
    )
    expect(byRole(form, 'img', /^PERF /)).to.have.length(0)
  })

  it('rebinds presence to the new awareness after a 4409 reset', async () => {
    const server = await testServer()
    const accession = unique('refuse')
    const f = fakes(me)
    const form = await openForm(accession, server.syncUrl, f)
    await waitUntil(
      () => f.calls.some((c) => c.startsWith('toast The server refused')),
      'reset',
      WAIT,
    )
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'resynced',
      WAIT,
    )

    const other = await remotePeer(server.syncUrl, `study/${accession}`, huyen)
    peers.push(other)
    const states = () => [...other.provider.awareness.getStates().values()]
    await waitUntil(() => states().some((s) => s.view === 'info' && !s.user), 'mine seen', WAIT)
    await waitUntil(() => byRole(form, 'img', /^HUYEN/).length === 1, 'theirs seen', WAIT)
  })

  it('controllers leave no listeners behind when their host disconnects', async () => {
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    const fields = doc.getMap('fields')
    const feed = fakeFeed('open')
    const onAwareness = spy(awareness, 'on', 'off')
    const onFields = spy(fields, 'observeDeep', 'unobserveDeep')
    const host = new ProbeHost()
    const presence = new PresenceController(host, { view: 'info', noun: 'study' })
    const subject = () => ({ type: 'study' as const, id: 'A1' })
    const highlights = new HighlightController(host, { schema: STUDY_FORM, subject })
    presence.bind(awareness)
    highlights.bind(fields)
    highlights.setFeed(feed)
    document.body.append(host)
    expect([onAwareness.size, onFields.size, feed.listeners]).to.deep.equal([1, 1, 1])

    host.remove()

    expect([onAwareness.size, onFields.size, feed.listeners]).to.deep.equal([0, 0, 0])
    awareness.destroy()
  })

  it('the form unsubscribes from the feed and tells the server when it is removed', async () => {
    const server = await testServer()
    const accession = unique('A')
    const feed = fakeFeed('open')
    const f = fakes(me, { feed })
    const form = await openForm(accession, server.syncUrl, f)
    await waitUntil(
      () => liveText(form).includes('All changes saved on the server'),
      'form synced',
      WAIT,
    )
    expect(feed.listeners).to.equal(2) // highlights (notices) and presence (lost entries)
    form.remove()
    expect(feed.listeners).to.equal(0)
    expect(f.calls).to.include(`close ${accession}`)
  })
})
