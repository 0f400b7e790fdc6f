/**
 * A page element for the shell's tests: consumes all five contexts of
 * client/app/contexts.ts, as the real pages do. Registered under a page's tag
 * name by the test that needs it.
 */
import { consume } from '@lit/context'
import { html, LitElement } from 'lit'
import { state } from 'lit/decorators.js'
import {
  type AppSession,
  apiContext,
  type FeedClient,
  feedContext,
  type Navigator,
  type Notifier,
  navigatorContext,
  notifierContext,
  type StudySyncApi,
  sessionContext,
} from '../../client/app/contexts.ts'

export class ContextProbe extends LitElement {
  @consume({ context: sessionContext, subscribe: true }) @state() session: AppSession | null = null
  @consume({ context: apiContext, subscribe: true }) @state() api: StudySyncApi | undefined =
    undefined
  @consume({ context: feedContext, subscribe: true }) @state() feed: FeedClient | null = null
  @consume({ context: navigatorContext, subscribe: true }) @state() navigator: Navigator | null =
    null
  @consume({ context: notifierContext, subscribe: true }) @state() notifier: Notifier | null = null

  override render() {
    return html`<h2>Probe</h2>
      <p>route ${this.navigator?.route.page ?? 'none'}</p>`
  }
}
