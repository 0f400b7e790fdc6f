import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import type { SsApp } from '../../client/app/ss-app.ts'
import type { SsBlockingDialog } from '../../client/notifications/ss-blocking-dialog.ts'
import type { SsToastStack } from '../../client/notifications/ss-toast-stack.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import type { FeedEvent, Notice } from '../../shared/events.ts'
import '../../client/app/ss-app.ts'
import {
  type FakeFeed,
  fakeFeed,
  fakeSessionApi,
  manualTimers,
  unusedStudySyncApi,
} from './app-fakes.ts'
import { ContextProbe } from './context-probe.ts'
import { control, deepActiveElement, deepQuery, deepQueryAll, deepText, nextEvent } from './dom.ts'
import { afterEach, describe, it } from './mocha.ts'

customElements.define('ss-worklist', class extends ContextProbe {})
customElements.define('ss-study-form', class extends ContextProbe {})
customElements.define('ss-patient-form', class extends ContextProbe {})

const user: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }
const ADMIN = { id: 'u-admin', name: 'ADMIN' }

function notice(tier: Notice['tier'], text: string, at = new Date().toISOString()): Notice {
  return {
    kind: 'study.updated',
    tier,
    subject: { type: 'study', id: 'A10005' },
    by: ADMIN,
    at,
    text,
  }
}

async function mountSignedIn() {
  const { api } = fakeSessionApi(user, true)
  let feed: FakeFeed | null = null
  const el = await fixture<SsApp>(html`<ss-app
    .api=${api}
    .studySyncApi=${unusedStudySyncApi()}
    .userStorage=${null}
    .feedFactory=${(userId: string) => {
      feed = fakeFeed(userId)
      return feed
    }}
  ></ss-app>`)
  await waitUntil(
    () => deepQuery<ContextProbe>(el, 'main > *')?.notifier,
    'a page got the notifier',
  )
  const page = () => deepQuery<ContextProbe>(el, 'main > *')!
  const toasts = deepQuery<SsToastStack>(el, 'ss-toast-stack')!
  const dialog = deepQuery<SsBlockingDialog>(el, 'ss-blocking-dialog')!
  const bell = () => control(el, /^Notifications, /)
  return { el, feed: feed as unknown as FakeFeed, page, toasts, dialog, bell }
}

const forcedClose = (data: Extract<FeedEvent, { type: 'forced-close' }>['data']): FeedEvent => ({
  type: 'forced-close',
  data,
})

describe('<ss-app> notifications', () => {
  afterEach(() => {
    history.replaceState(null, '', '#/worklist')
  })

  it('routine notices go to the history only: unread count, no toast, no dialog', async () => {
    const { page, toasts, dialog, bell } = await mountSignedIn()
    page().notifier!.show(notice('routine', 'Notes edited by ADMIN at 14:02:31 on study A10005'))
    await waitUntil(
      () => bell().getAttribute('aria-label') === 'Notifications, 1 unread',
      'counted',
    )
    expect(deepQueryAll(toasts, '[role="status"]')).to.have.length(0)
    expect(dialog.showing).to.equal(null)
  })

  it('toast notices show a toast with who and when, which dismisses itself', async () => {
    const { page, toasts, bell } = await mountSignedIn()
    const timers = manualTimers()
    toasts.timers = timers
    const shown = nextEvent(toasts, 'ss-toast-shown')
    page().notifier!.show(
      notice('toast', 'Priority ROUTINE → URGENT by ADMIN at 14:02:31 on study A10005'),
    )
    await shown
    await toasts.updateComplete
    const toast = deepQuery(toasts, '[role="status"]')!
    expect(deepText(toast)).to.include('Priority ROUTINE → URGENT').and.include('by ADMIN at')
    expect(timers.pending).to.deep.equal([8000])
    await waitUntil(
      () => bell().getAttribute('aria-label') === 'Notifications, 1 unread',
      'in history too',
    )

    const dismissed = nextEvent<CustomEvent>(toasts, 'ss-toast-dismissed')
    timers.runAll()
    expect((await dismissed).detail.reason).to.equal('timeout')
    await toasts.updateComplete
    expect(deepQuery(toasts, '[role="status"]')).to.equal(null)
  })

  it('blocking notices open a modal alertdialog with focus inside', async () => {
    const { page, dialog } = await mountSignedIn()
    const opened = nextEvent(dialog, 'ss-dialog-opened')
    page().notifier!.show(
      notice('blocking', 'Priority CRITFIND → STAT by ADMIN at 14:02:31 on study A10005'),
    )
    await opened
    const native = dialog.shadowRoot!.querySelector('dialog')!
    expect(native.open).to.equal(true)
    expect(native.matches(':modal')).to.equal(true)
    expect(native.getAttribute('role')).to.equal('alertdialog')
    expect(native.contains(deepActiveElement())).to.equal(true)
    expect(deepText(native)).to.include('Priority CRITFIND → STAT').and.include('by ADMIN at')
  })

  it('a forced close of the open study shows one dialog (not two) and returns to the worklist', async () => {
    location.hash = '#/study/A10005'
    const { el, feed, dialog, bell } = await mountSignedIn()
    await waitUntil(() => deepQuery(el, 'ss-study-form'), 'study open')
    const at = '2026-11-22T14:02:31.000Z'
    const opened = nextEvent(dialog, 'ss-dialog-opened')
    feed.emit(
      forcedClose({ subject: { type: 'study', id: 'A10005' }, reason: 'deleted', by: ADMIN, at }),
    )
    await opened
    const time = new Date(at).toLocaleTimeString('en-GB', { hour12: false })
    expect(dialog.showing?.text).to.equal(`Study A10005 was deleted by ADMIN at ${time}`)
    await waitUntil(() => deepQuery(el, 'main ss-worklist'), 'back on the worklist')
    expect(location.hash).to.equal('#/worklist')

    // The server's own blocking notice for the same event, and the form's 4410: same subject and time.
    feed.emit({
      type: 'notice',
      data: { ...notice('blocking', 'study A10005 deleted by ADMIN', at) },
    })
    deepQuery<ContextProbe>(el, 'main > *')!.notifier!.show(notice('blocking', 'closed (4410)', at))
    await el.updateComplete
    await dialog.updateComplete
    expect(dialog.waiting).to.equal(0)
    await waitUntil(
      () => bell().getAttribute('aria-label') === 'Notifications, 1 unread',
      'one entry',
    )
  })

  it('still shows the dialog when the form left on its own 4410 before the feed event arrived', async () => {
    location.hash = '#/patient/P7'
    const { el, feed, dialog } = await mountSignedIn()
    await waitUntil(() => deepQuery(el, 'ss-patient-form'), 'patient open')
    location.hash = '#/worklist'
    await waitUntil(() => deepQuery(el, 'main ss-worklist'), 'the form went back by itself')
    const opened = nextEvent(dialog, 'ss-dialog-opened')
    const at = new Date().toISOString()
    feed.emit(
      forcedClose({ subject: { type: 'patient', id: 'P7' }, reason: 'deleted', by: ADMIN, at }),
    )
    await opened
    expect(dialog.showing?.text).to.match(/^Patient P7 was deleted by ADMIN at /)
    expect(location.hash).to.equal('#/worklist')
  })

  it('a merge offers to open the target study', async () => {
    location.hash = '#/study/A10005'
    const { el, feed, dialog } = await mountSignedIn()
    await waitUntil(() => deepQuery(el, 'ss-study-form'), 'study open')
    const opened = nextEvent(dialog, 'ss-dialog-opened')
    feed.emit(
      forcedClose({
        subject: { type: 'study', id: 'A10005' },
        reason: 'merged',
        mergedInto: 'A10006',
        by: ADMIN,
        at: new Date().toISOString(),
      }),
    )
    await opened
    expect(dialog.showing?.text).to.match(/^Study A10005 was merged into A10006 by ADMIN at /)
    control(dialog, 'Open A10006').click()
    await waitUntil(() => deepQuery(el, 'ss-study-form[accession="A10006"]'), 'target opened')
    expect(dialog.showing).to.equal(null)
  })

  it('toasts a safety notice about a study this tab does not show (it blocks in the tab that shows it)', async () => {
    const { feed, dialog, toasts } = await mountSignedIn()
    const shown = nextEvent(toasts, 'ss-toast-shown')
    feed.emit({
      type: 'notice',
      data: notice('blocking', 'study A10005 deleted by ADMIN at 14:02:31'),
    })
    await shown
    await toasts.updateComplete
    expect(deepText(deepQuery(toasts, '[role="status"]')!)).to.include(
      'study A10005 deleted by ADMIN',
    )
    expect(dialog.showing).to.equal(null)
  })

  it('ignores a forced close of something this tab does not show, and files stale notices quietly', async () => {
    const { feed, dialog, toasts, bell } = await mountSignedIn()
    feed.emit(
      forcedClose({
        subject: { type: 'study', id: 'A2' },
        reason: 'deleted',
        by: 'SYSTEM',
        at: new Date().toISOString(),
      }),
    )
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString()
    feed.emit({
      type: 'notice',
      data: notice('blocking', 'Priority raised to STAT an hour ago', hourAgo),
    })
    await waitUntil(() => bell().getAttribute('aria-label') === 'Notifications, 1 unread', 'filed')
    expect(dialog.showing).to.equal(null)
    expect(deepQueryAll(toasts, '[role="status"]')).to.have.length(0)
  })
})
