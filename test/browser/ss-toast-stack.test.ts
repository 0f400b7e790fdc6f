import { expect, fixture, html } from '@open-wc/testing'
import type { SsToastStack } from '../../client/notifications/ss-toast-stack.ts'
import '../../client/notifications/ss-toast-stack.ts'
import { manualTimers } from './app-fakes.ts'
import { control, deepQueryAll, deepText, nextEvent } from './dom.ts'
import { describe, it } from './mocha.ts'

async function stack() {
  const timers = manualTimers()
  const el = await fixture<SsToastStack>(html`<ss-toast-stack .timers=${timers}></ss-toast-stack>`)
  return { el, timers }
}

describe('<ss-toast-stack>', () => {
  it('shows a status toast with its second line and removes it after 8 s', async () => {
    const { el, timers } = await stack()
    const id = el.show({ text: 'Priority ROUTINE → URGENT', meta: 'by BOSE at 14:02:31' })
    await el.updateComplete
    const [toast] = deepQueryAll(el, '[role="status"]')
    expect(deepText(toast!)).to.equal('Priority ROUTINE → URGENT by BOSE at 14:02:31')
    expect(timers.pending).to.deep.equal([8000])

    const dismissed = nextEvent<CustomEvent>(el, 'ss-toast-dismissed')
    timers.runAll()
    expect((await dismissed).detail).to.deep.equal({ id, reason: 'timeout' })
    await el.updateComplete
    expect(deepQueryAll(el, '[role="status"]')).to.have.length(0)
  })

  it('closes on its named Dismiss button and cancels the timer', async () => {
    const { el, timers } = await stack()
    el.show({ text: 'Saved' })
    await el.updateComplete
    const dismissed = nextEvent<CustomEvent>(el, 'ss-toast-dismissed')
    control(el, 'Dismiss: Saved').click()
    expect((await dismissed).detail.reason).to.equal('dismissed')
    expect(timers.pending).to.deep.equal([])
  })

  it('holds a toast while focus is on it, and announces errors as alerts', async () => {
    const { el, timers } = await stack()
    el.show({ text: 'Could not assign: updated by HUYEN at 14:02:31', kind: 'error' })
    await el.updateComplete
    expect(deepQueryAll(el, '[role="alert"]')).to.have.length(1)
    const button = control(el, /^Dismiss: Could not assign/)
    button.focus()
    expect(timers.pending).to.deep.equal([])
    button.blur()
    expect(timers.pending).to.deep.equal([8000])
  })

  it('stacks several toasts in order of arrival', async () => {
    const { el } = await stack()
    el.show({ text: 'first' })
    el.show({ text: 'second' })
    await el.updateComplete
    expect(deepQueryAll(el, '[role="status"] p').map((p) => p.textContent)).to.deep.equal([
      'first',
      'second',
    ])
  })
})
