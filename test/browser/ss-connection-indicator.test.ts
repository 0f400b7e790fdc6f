import { ContextProvider } from '@lit/context'
import { expect, fixture, html } from '@open-wc/testing'
import { type FeedClient, feedContext } from '../../client/app/contexts.ts'
import type { SsConnectionIndicator } from '../../client/app/ss-connection-indicator.ts'
import '../../client/app/ss-connection-indicator.ts'
import { fakeFeed } from './app-fakes.ts'
import { fakeNetwork } from './helpers.ts'
import { describe, it } from './mocha.ts'

async function indicator(feed: FeedClient | null) {
  const host = await fixture<HTMLDivElement>(html`<div></div>`)
  const provider = new ContextProvider(host, { context: feedContext, initialValue: feed })
  const network = fakeNetwork(true)
  const el = document.createElement('ss-connection-indicator') as SsConnectionIndicator
  el.network = network
  host.append(el)
  await el.updateComplete
  const status = () => el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()
  return { el, network, provider, status }
}

describe('<ss-connection-indicator>', () => {
  it('follows the feed: Connecting… → Online → Reconnecting… → Offline', async () => {
    const feed = fakeFeed('u1')
    const { el, status } = await indicator(feed)
    expect(status()).to.equal('Connecting…')
    const steps: [Parameters<typeof feed.setState>[0], string][] = [
      ['open', 'Online'],
      ['connecting', 'Reconnecting…'],
      ['open', 'Online'],
      ['closed', 'Offline'],
    ]
    for (const [state, label] of steps) {
      feed.setState(state)
      await el.updateComplete
      expect(status(), state).to.equal(label)
    }
  })

  it('says Offline when the browser has no network, whatever the feed says', async () => {
    const feed = fakeFeed('u1')
    feed.setState('open')
    const { el, network, status } = await indicator(feed)
    expect(status()).to.equal('Online')
    network.set(false)
    await el.updateComplete
    expect(status()).to.equal('Offline')
    network.set(true)
    await el.updateComplete
    expect(status()).to.equal('Online')
  })

  it('follows a feed that replaces the provided one, and says Offline without any', async () => {
    const { el, provider, status } = await indicator(null)
    expect(status()).to.equal('Offline')
    const feed = fakeFeed('u2')
    feed.setState('open')
    provider.setValue(feed)
    await el.updateComplete
    expect(status()).to.equal('Online')
  })
})
