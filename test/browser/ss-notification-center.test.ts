import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { sendKeys } from '@web/test-runner-commands'
import { NotificationHistory } from '../../client/notifications/history.ts'
import type { SsNotificationCenter } from '../../client/notifications/ss-notification-center.ts'
import '../../client/notifications/ss-notification-center.ts'
import type { Notice } from '../../shared/events.ts'
import { control, deepActiveElement, deepQuery, deepQueryAll, unnamedControls } from './dom.ts'
import { describe, it } from './mocha.ts'

function notice(
  text: string,
  at: string,
  by: Notice['by'] = { id: 'u-bose', name: 'BOSE' },
): Notice {
  return {
    kind: 'study.updated',
    tier: 'routine',
    subject: { type: 'study', id: 'A1' },
    by,
    at,
    text,
  }
}

async function centre() {
  const history = new NotificationHistory()
  const el = await fixture<SsNotificationCenter>(
    html`<ss-notification-center .history=${history}></ss-notification-center>`,
  )
  return { el, history, bell: () => control(el, /^Notifications, /) }
}

describe('<ss-notification-center>', () => {
  it('counts unread notices on the bell and lists them newest first with who and when', async () => {
    const { el, history, bell } = await centre()
    expect(bell().getAttribute('aria-label')).to.equal('Notifications, none unread')
    history.add(notice('Notes edited', '2026-11-22T14:00:00.000Z'), 'history')
    history.add(notice('Priority → STAT', '2026-11-22T14:02:31.000Z', 'SYSTEM'), 'toast')
    await el.updateComplete
    expect(bell().getAttribute('aria-label')).to.equal('Notifications, 2 unread')
    expect(bell().getAttribute('aria-expanded')).to.equal('false')

    bell().click()
    await el.updateComplete
    expect(bell().getAttribute('aria-expanded')).to.equal('true')
    const panel = deepQuery(el, '#panel')!
    expect(panel.hidden).to.equal(false)
    expect(deepActiveElement()).to.equal(panel)
    const items = deepQueryAll(panel, 'li')
    expect(items.map((li) => li.querySelector('p')?.textContent)).to.deep.equal([
      'Priority → STAT',
      'Notes edited',
    ])
    expect(items[0]!.textContent).to.include('by SYSTEM at')
    expect(items[1]!.textContent).to.include('by BOSE at')
    expect(items[0]!.querySelector('time')?.getAttribute('datetime')).to.equal(
      '2026-11-22T14:02:31.000Z',
    )
    expect(unnamedControls(el)).to.deep.equal([])
  })

  it('marks all as read', async () => {
    const { el, history, bell } = await centre()
    history.add(notice('one', '2026-11-22T14:00:00.000Z'), 'history')
    await el.show()
    control(el, 'Mark all as read').click()
    await el.updateComplete
    expect(history.unread).to.equal(0)
    expect(bell().getAttribute('aria-label')).to.equal('Notifications, none unread')
    expect(control(el, 'Mark all as read').disabled).to.equal(true)
    expect(deepQueryAll(el, 'li.unread')).to.have.length(0)
  })

  it('closes on Escape and gives focus back to the bell', async () => {
    const { el, bell } = await centre()
    bell().focus()
    await sendKeys({ press: 'Enter' })
    await waitUntil(() => el.open, 'opened from the keyboard')
    await el.updateComplete
    await sendKeys({ press: 'Escape' })
    await waitUntil(() => !el.open, 'closed')
    await el.updateComplete
    expect(deepActiveElement()).to.equal(bell())
    expect(deepQuery(el, '#panel')!.hidden).to.equal(true)
  })

  it('announces notices shown only here in a polite live region', async () => {
    const { el, history } = await centre()
    const live = deepQuery(el, '[aria-live="polite"]')!
    history.add(notice('Shown as a toast', '2026-11-22T14:00:00.000Z'), 'toast')
    await el.updateComplete
    expect(live.textContent?.trim()).to.equal('')
    history.add(notice('Notes edited by BOSE', '2026-11-22T14:01:00.000Z'), 'history')
    await el.updateComplete
    expect(live.textContent?.trim()).to.equal('New notification: Notes edited by BOSE')
  })
})
