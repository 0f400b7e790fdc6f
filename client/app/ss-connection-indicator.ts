import { consume } from '@lit/context'
import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { browserNetwork, type Network } from '../connection/environment.ts'
import { type FeedClient, feedContext } from './contexts.ts'
import { FeedStatusController, type LinkState } from './feed-status-controller.ts'

const LABELS: Record<LinkState, string> = {
  online: 'Online',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
}

const DESCRIPTIONS: Record<LinkState, string> = {
  online: 'Live updates are arriving.',
  connecting: 'Connecting to live updates.',
  reconnecting: 'Live updates were interrupted; reconnecting. Missed updates follow on reconnect.',
  offline: 'No connection to the server. Work continues on this device and syncs on reconnect.',
}

/**
 * The top bar's connection state (DESIGN §6: the UI always shows it): the live
 * feed from `feedContext` and the browser's network state, as "Online",
 * "Reconnecting…" or "Offline" in a `role="status"` region.
 */
@customElement('ss-connection-indicator')
export class SsConnectionIndicator extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    span[role='status'] {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      white-space: nowrap;
    }
    .dot {
      inline-size: 0.7rem;
      block-size: 0.7rem;
      border-radius: 50%;
      background: #98a2b3;
    }
    .online .dot {
      background: #12b76a;
    }
    .connecting .dot,
    .reconnecting .dot {
      background: #f79009;
    }
    .offline .dot {
      background: #d92d20;
    }
  `

  @consume({ context: feedContext, subscribe: true })
  @state()
  private feed: FeedClient | null = null

  /** The browser's network state; injected in tests. */
  @property({ attribute: false }) network: Network = browserNetwork

  readonly #status = new FeedStatusController(
    this,
    () => this.feed,
    () => this.network,
  )

  /** What the indicator shows now. */
  get state(): LinkState {
    return this.#status.state
  }

  override render() {
    const state = this.#status.state
    return html`<span role="status" class=${state} title=${DESCRIPTIONS[state]}>
      <span class="dot" aria-hidden="true"></span>${LABELS[state]}
    </span>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-connection-indicator': SsConnectionIndicator
  }
}
