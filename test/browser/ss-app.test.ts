import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { setViewport } from '@web/test-runner-commands'
import type { SsApp } from '../../client/app/ss-app.ts'
import { documentDatabaseName, wipeUserDocuments } from '../../client/connection/index.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import '../../client/app/ss-app.ts'
import { type FakeFeed, fakeFeed, fakeSessionApi, unusedStudySyncApi } from './app-fakes.ts'
import { ContextProbe } from './context-probe.ts'
import { control, deepQuery, deepText, hasControl, inputLabelled, unnamedControls } from './dom.ts'
import { databaseNames, unique } from './helpers.ts'
import { afterEach, describe, it } from './mocha.ts'

customElements.define('ss-worklist', class extends ContextProbe {})

function memoryStorage(): Storage {
  const map = new Map<string, string>()
  return {
    get length() {
      return map.size
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  }
}

async function mount(
  user: UserIdentity,
  options: { signedIn?: boolean; me?: () => Promise<never> } = {},
) {
  const { api, calls } = fakeSessionApi(user, options.signedIn ?? false)
  if (options.me) api.me = options.me
  const feeds: FakeFeed[] = []
  const studySyncApi = unusedStudySyncApi()
  const storage = memoryStorage()
  const el = await fixture<SsApp>(html`<ss-app
    .api=${api}
    .studySyncApi=${studySyncApi}
    .userStorage=${storage}
    .feedFactory=${(userId: string) => {
      const feed = fakeFeed(userId)
      feeds.push(feed)
      return feed
    }}
  ></ss-app>`)
  return { el, calls, feeds, studySyncApi, storage }
}

async function signIn(el: SsApp): Promise<void> {
  await waitUntil(() => deepQuery(el, 'form[aria-label="Sign in"]'), 'login form shown')
  inputLabelled(el, 'Username').value = 'bose'
  inputLabelled(el, 'Password').value = 'demo'
  control(el, 'Sign in').click()
  await waitUntil(() => deepQuery(el, 'ss-top-bar'), 'signed in')
}

const probe = (el: SsApp) => deepQuery<ContextProbe>(el, 'ss-worklist')

describe('<ss-app> shell', () => {
  const bose: UserIdentity = { id: unique('u-bose'), name: 'BOSE', role: 'radiologist' }
  const admin: UserIdentity = { id: unique('u-admin'), name: 'ADMIN', role: 'systemAdmin' }
  afterEach(() => {
    history.replaceState(null, '', '#/worklist')
  })

  it('signs in through the labelled form and shows the top bar: name, user, Worklist, indicator, bell, Sign out', async () => {
    const { el, calls, feeds } = await mount(bose)
    await signIn(el)
    expect(calls).to.deep.equal(['me', 'login bose/demo'])
    const bar = deepQuery(el, 'ss-top-bar')!
    await waitUntil(() => deepText(bar).includes('BOSE'), 'user shown')
    expect(deepText(bar))
      .to.include('StudySync')
      .and.include('Signed in as BOSE')
      .and.include('Radiologist')
    expect(control(bar, 'Worklist', 'a').getAttribute('aria-current')).to.equal('page')
    expect(hasControl(bar, 'Presence', 'a'), 'Presence is for admins').to.equal(false)
    expect(control(bar, /^Notifications, none unread$/)).to.exist
    expect(control(bar, 'Sign out')).to.exist
    const indicator = deepQuery(deepQuery(bar, 'ss-connection-indicator')!, '[role="status"]')!
    expect(indicator.textContent?.trim()).to.equal('Connecting…')
    expect(feeds.map((f) => f.userId)).to.deep.equal([bose.id])
    feeds[0]!.setState('open')
    await waitUntil(() => indicator.textContent?.trim() === 'Online', 'feed open shown')
    expect(unnamedControls(el)).to.deep.equal([])
  })

  it('restores the session from /me, shows Presence to admins and routes by hash', async () => {
    const { el } = await mount(admin, { signedIn: true })
    await waitUntil(() => probe(el), 'worklist page')
    const bar = deepQuery(el, 'ss-top-bar')!
    const presence = control<HTMLAnchorElement>(bar, 'Presence', 'a')
    presence.click()
    await waitUntil(() => deepQuery(el, 'main ss-presence-dashboard'), 'presence page')
    expect(presence.getAttribute('aria-current')).to.equal('page')
    expect(location.hash).to.equal('#/admin/presence')

    const routes: [string, string][] = [
      ['#/study/A10005', 'ss-study-form[accession="A10005"]'],
      ['#/study/A10005/desktop', 'ss-study-desktop[accession="A10005"]'],
      ['#/patient/P-77', 'ss-patient-form[patient-id="P-77"]'],
      ['#/worklist', 'ss-worklist'],
    ]
    for (const [hash, selector] of routes) {
      location.hash = hash
      await waitUntil(() => deepQuery(el, `main ${selector}`), `${hash} renders ${selector}`)
      expect(document.title).to.include('StudySync')
    }
    location.hash = '#/no/such/page'
    await waitUntil(() => location.hash === '#/worklist', 'unknown routes become the worklist')
    expect(probe(el)).to.exist
  })

  it('tells a non-admin the presence dashboard is not for them', async () => {
    location.hash = '#/admin/presence'
    const { el } = await mount(bose, { signedIn: true })
    await waitUntil(() => deepText(el).includes('for administrators'), 'refusal shown')
    expect(deepQuery(el, 'ss-presence-dashboard')).to.equal(null)
  })

  it('provides session, API, feed, navigator and notifier to a page', async () => {
    const { el, feeds } = await mount(bose, { signedIn: true })
    await waitUntil(() => probe(el)?.feed, 'probe got the feed')
    const page = probe(el)!
    expect(page.session?.user).to.include({ id: bose.id, name: 'BOSE', role: 'radiologist' })
    expect(page.session?.token).to.equal(null)
    // The shell's API behind the user's offline worklist (S29): every call reaches it.
    const refused = await page.api?.study('A1').then(
      () => null,
      (e: Error) => e.message,
    )
    expect(refused).to.equal('unexpected call study')
    expect(page.feed).to.equal(feeds[0])
    expect(page.navigator?.route).to.deep.equal({ page: 'worklist' })
    expect(page.notifier).to.have.property('show').that.is.a('function')

    page.navigator!.go({ page: 'study', accession: 'A1' })
    await waitUntil(() => deepQuery(el, 'ss-study-form'), 'navigated')
    expect(location.hash).to.equal('#/study/A1')
    expect(el.route).to.deep.equal({ page: 'study', accession: 'A1' })
  })

  it('starts offline as the remembered user when the server cannot be reached', async () => {
    const first = await mount(bose, { signedIn: true })
    await waitUntil(() => probe(first.el), 'signed in once')
    const offline = fakeSessionApi(bose)
    offline.api.me = () => Promise.reject(new TypeError('Failed to fetch'))
    const el = await fixture<SsApp>(html`<ss-app
      .api=${offline.api}
      .userStorage=${first.storage}
      .feedFactory=${fakeFeed}
    ></ss-app>`)
    await waitUntil(() => probe(el)?.session, 'signed in from the remembered user')
    expect(probe(el)!.session!.user.name).to.equal('BOSE')
  })

  it('shows the login form when the feed closes because the session ended elsewhere', async () => {
    const { el, calls, feeds } = await mount(bose, { signedIn: true })
    await waitUntil(() => probe(el), 'signed in')
    let signedIn = true
    el.api.me = async () => {
      calls.push('me')
      return signedIn ? bose : null
    }
    feeds[0]!.setState('closed')
    await waitUntil(() => calls.filter((c) => c === 'me').length === 2, 'session checked')
    expect(probe(el), 'a live session keeps the app').to.exist
    signedIn = false
    feeds[0]!.setState('connecting')
    feeds[0]!.setState('closed')
    await waitUntil(() => deepText(el).includes('You have been signed out'), 'told why')
    expect(deepQuery(el, 'ss-login-form')).to.exist
    expect(feeds[0]!.calls).to.deep.equal(['stop'])
  })

  for (const [width, height] of [
    [1024, 768],
    [1920, 1080],
  ] as const) {
    it(`lays the top bar out without overflow at ${width}×${height}`, async () => {
      await setViewport({ width, height })
      const { el } = await mount(admin, { signedIn: true })
      await waitUntil(() => probe(el), 'signed in')
      const bar = deepQuery(el, 'ss-top-bar')!
      const header = bar.shadowRoot!.querySelector('header')!
      expect(document.documentElement.scrollWidth, 'no horizontal scroll').to.be.at.most(width)
      expect(header.scrollWidth).to.be.at.most(header.clientWidth)
      // Every control on one row at these sizes: the bar is about one touch target high.
      expect(header.getBoundingClientRect().height).to.be.below(80)
      for (const name of ['Worklist', 'Presence']) {
        const rect = control(bar, name, 'a').getBoundingClientRect()
        expect(rect.right, name).to.be.at.most(width)
      }
      expect(control(bar, 'Sign out').getBoundingClientRect().right).to.be.at.most(width)
    })
  }

  it('signing out logs out, ends the feed, wipes the user’s local documents and shows the login form', async () => {
    const { el, calls, feeds, storage } = await mount(bose)
    await signIn(el)
    const dbName = documentDatabaseName(bose.id, 'study/A1')
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(dbName)
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(request.error)
    })
    expect(await databaseNames()).to.include(dbName)

    control(el, 'Sign out').click()
    await waitUntil(() => deepQuery(el, 'ss-login-form'), 'back to the login form')
    await waitUntil(async () => !(await databaseNames()).includes(dbName), 'documents wiped')
    expect(calls).to.include('logout')
    expect(feeds[0]!.calls).to.deep.equal(['stop'])
    expect(storage.length, 'remembered user forgotten').to.equal(0)
    await wipeUserDocuments(bose.id)
  })
})
