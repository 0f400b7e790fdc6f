import { expect, fixture, html } from '@open-wc/testing'
import type { SsBlockingDialog } from '../../client/notifications/ss-blocking-dialog.ts'
import '../../client/notifications/ss-blocking-dialog.ts'
import { sendKeys } from '@web/test-runner-commands'
import { control, deepActiveElement, deepText, nextEvent } from './dom.ts'
import { describe, it } from './mocha.ts'

const native = (el: SsBlockingDialog) => el.shadowRoot!.querySelector('dialog')!

describe('<ss-blocking-dialog>', () => {
  it('opens a modal alertdialog named by its title, with the text, who/when and focus on the first action', async () => {
    const outside = await fixture<HTMLButtonElement>(html`<button>outside</button>`)
    const el = document.createElement('ss-blocking-dialog')
    outside.after(el)
    outside.focus()
    const runs: string[] = []
    const opened = nextEvent(el, 'ss-dialog-opened')
    el.open({
      title: 'Study A10005 merged',
      text: 'Study A10005 was merged into A10006 by ADMIN at 14:02:31',
      meta: 'by ADMIN at 14:02:31',
      actions: [{ label: 'Open A10006', run: () => runs.push('open') }],
    })
    await opened
    const dialog = native(el)
    expect(dialog.matches(':modal')).to.equal(true)
    expect(dialog.getAttribute('role')).to.equal('alertdialog')
    expect(
      el.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent,
    ).to.equal('Study A10005 merged')
    expect(deepText(dialog)).to.include('merged into A10006 by ADMIN at 14:02:31')
    expect(deepActiveElement()).to.equal(control(el, 'Open A10006'))
    // Modal: Tab cycles through the dialog's buttons and never reaches the page behind.
    const seen: string[] = []
    for (const shift of [false, false, true, true]) {
      if (shift) await sendKeys({ down: 'Shift' })
      await sendKeys({ press: 'Tab' })
      if (shift) await sendKeys({ up: 'Shift' })
      seen.push(deepActiveElement()?.textContent?.trim() ?? 'nothing')
    }
    expect(seen).to.deep.equal(['OK', 'Open A10006', 'OK', 'Open A10006'])

    const closed = nextEvent<CustomEvent>(el, 'ss-dialog-closed')
    control(el, 'Open A10006').click()
    expect((await closed).detail).to.deep.equal({
      title: 'Study A10005 merged',
      action: 'Open A10006',
    })
    expect(runs).to.deep.equal(['open'])
    expect(deepActiveElement(), 'focus back where it was').to.equal(outside)
    el.remove()
    expect(dialog.open).to.equal(false)
  })

  it('queues requests and shows them one at a time; Escape counts as OK', async () => {
    const el = await fixture<SsBlockingDialog>(html`<ss-blocking-dialog></ss-blocking-dialog>`)
    const opened = nextEvent(el, 'ss-dialog-opened')
    el.open({ title: 'First', text: 'one' })
    el.open({ title: 'Second', text: 'two' })
    await opened
    expect(el.showing?.title).to.equal('First')
    expect(el.waiting).to.equal(1)
    expect(deepActiveElement()).to.equal(control(el, 'OK'))

    const closed = nextEvent<CustomEvent>(el, 'ss-dialog-closed')
    const next = nextEvent(el, 'ss-dialog-opened')
    await sendKeys({ press: 'Escape' })
    expect((await closed).detail.action).to.equal(null)
    await next
    expect(el.showing?.title).to.equal('Second')
    expect(native(el).open).to.equal(true)
    control(el, 'OK').click()
    expect(el.showing).to.equal(null)
    expect(native(el).open).to.equal(false)
  })
})
