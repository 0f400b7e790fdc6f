import { ContextProvider } from '@lit/context'
import { css, html, LitElement, type PropertyValues, unsafeCSS } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import { createStudySyncApi } from '../api/studysync-api.ts'
import { type ApiClient, ApiError, createApiClient, type Session } from '../api.ts'
import type { SignInDetail } from '../components/ss-login-form.ts'
import { wipeUserDocuments } from '../connection/index.ts'
import { createFeedClient } from '../feed/index.ts'
import { NotificationHistory } from '../notifications/history.ts'
import { AppNotifier } from '../notifications/notifier.ts'
import type { SsBlockingDialog } from '../notifications/ss-blocking-dialog.ts'
import type { SsToastStack } from '../notifications/ss-toast-stack.ts'
import {
  WorklistCache,
  type WorklistSource,
  withOfflineWorklist,
} from '../offline/worklist-cache.ts'
import { purgeGoneSubject } from '../quarantine/purge-gone.ts'
import {
  type AppSession,
  apiContext,
  feedContext,
  type Navigator,
  navigatorContext,
  notifierContext,
  type Route,
  type SignedInUser,
  type StudySyncApi,
  sessionContext,
} from './contexts.ts'
import { FeedController, type FeedFactory } from './feed-controller.ts'
import { type ForcedClose, mergeTarget } from './forced-close.ts'
import { PAGE_TAGS, pageTitle, renderPage } from './pages.ts'
import {
  defaultUserStorage,
  forgetUser,
  rememberedUser,
  rememberUser,
  type UserStorage,
} from './remembered-user.ts'
import { HashRouter, routeHash } from './router.ts'
import '../components/ss-login-form.ts'
import '../notifications/ss-blocking-dialog.ts'
import '../notifications/ss-toast-stack.ts'
import './ss-top-bar.ts'

type Phase = 'loading' | 'signed-out' | 'signed-in'

/**
 * The app shell: restores the session (GET /api/v1/me) or shows the login form;
 * provides the five contexts of contexts.ts to every page; routes by hash; shows
 * the top bar, toasts and blocking dialogs; turns the live feed into notices.
 */
@customElement('ss-app')
export class SsApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto 1fr;
      min-block-size: 100vh;
      font-family: system-ui, sans-serif;
      color: #101828;
    }
    main {
      min-inline-size: 0;
      padding: 1rem;
    }
    main:focus {
      outline: none;
    }
    .offline-worklist {
      margin: 0 0 0.75rem;
      padding: 0.5rem 0.75rem;
      border-left: 4px solid #8a4b00;
      background: #fff7e6;
    }
    .login {
      max-inline-size: 24rem;
      margin: 10vh auto 0;
    }
    ${unsafeCSS(PAGE_TAGS.map((tag) => `${tag}:not(:defined)::before`).join(', '))} {
      content: 'Loading…';
    }
  `

  /** Session endpoints (sign in, who am I, sign out). */
  @property({ attribute: false }) api: ApiClient = createApiClient()
  /** The REST client every page gets through `apiContext`. */
  @property({ attribute: false }) studySyncApi: StudySyncApi = createStudySyncApi()
  /** Creates the live feed for a user; tests pass fakes. */
  @property({ attribute: false }) feedFactory: FeedFactory = (userId) =>
    createFeedClient({ userId })
  /** Where the last user is remembered for an offline start (DESIGN §6). */
  @property({ attribute: false }) userStorage: UserStorage | null = defaultUserStorage()

  @state() private phase: Phase = 'loading'
  @state() private busy = false
  @state() private error = ''
  /** Where the worklist on screen came from: the server, or this device (offline). */
  @state() private worklistFrom: WorklistSource = { kind: 'server' }
  @query('ss-toast-stack') private toasts!: SsToastStack | null
  @query('ss-blocking-dialog') private dialog!: SsBlockingDialog | null

  /** Every notice of this session, newest first. */
  readonly notificationHistory = new NotificationHistory()
  readonly notifier = new AppNotifier({
    history: this.notificationHistory,
    toast: (request) => void this.updateComplete.then(() => this.toasts?.show(request)),
    block: (request) => void this.updateComplete.then(() => this.dialog?.open(request)),
    defaultActions: (notice) => {
      const target = mergeTarget(notice)
      return target === null
        ? []
        : [{ label: `Open ${notice.details?.mergedInto}`, run: () => this.#go(target) }]
    },
  })
  // Created in the constructor, after every field above is set: with legacy class
  // fields, `#private` and public initialisers would otherwise run in different phases.
  readonly #router: HashRouter
  readonly #feed: FeedController
  readonly #session: ContextProvider<typeof sessionContext>
  readonly #api: ContextProvider<typeof apiContext>
  readonly #feedProvider: ContextProvider<typeof feedContext>
  readonly #navigator: ContextProvider<typeof navigatorContext>

  /** Where the app is: `login` while signed out, else the hash route. */
  get route(): Route {
    return this.phase === 'signed-in' ? this.#router.route : { page: 'login' }
  }

  /** The signed-in session, null while signed out. */
  get session(): AppSession | null {
    return this.#session.value
  }

  constructor() {
    super()
    this.#router = new HashRouter(this)
    this.#feed = new FeedController(this, () => this.feedFactory, {
      notifier: this.notifier,
      route: () => this.route,
      go: (route) => this.#go(route),
      onState: (state) => {
        if (state === 'closed') void this.#checkSession()
      },
      onForcedClose: (data) => this.#purgeGone(data),
    })
    this.#session = new ContextProvider(this, { context: sessionContext, initialValue: null })
    this.#api = new ContextProvider(this, { context: apiContext, initialValue: this.studySyncApi })
    this.#feedProvider = new ContextProvider(this, { context: feedContext, initialValue: null })
    this.#navigator = new ContextProvider(this, {
      context: navigatorContext,
      initialValue: this.#navigatorFor({ page: 'login' }),
    })
    // Never changes, so nothing needs to hold on to its provider.
    new ContextProvider(this, { context: notifierContext, initialValue: this.notifier })
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.phase === 'loading') void this.#restoreSession()
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('studySyncApi')) this.#api.setValue(this.#apiFor(this.#session.value?.user))
    if (this.#feedProvider.value !== this.#feed.feed) this.#feedProvider.setValue(this.#feed.feed)
    const route = this.route
    if (!sameRoute(this.#navigator.value?.route, route)) {
      // A new object, so that consumers subscribed to the context re-render.
      this.#navigator.setValue(this.#navigatorFor(route))
    }
  }

  protected override updated(): void {
    document.title = `${pageTitle(this.route)} — StudySync`
  }

  override render() {
    return html`${this.#renderPhase()}
      <ss-toast-stack></ss-toast-stack>
      <ss-blocking-dialog></ss-blocking-dialog>`
  }

  #renderPhase() {
    switch (this.phase) {
      case 'loading':
        return html`<main><p role="status">Loading…</p></main>`
      case 'signed-out':
        return html`<main class="login">
          <h1>StudySync</h1>
          <ss-login-form .error=${this.error} ?busy=${this.busy} @ss-sign-in=${this.#signIn}></ss-login-form>
        </main>`
      case 'signed-in': {
        const user = this.#session.value?.user
        if (user === undefined) return null
        return html`<ss-top-bar
            .user=${user}
            .route=${this.route}
            .history=${this.notificationHistory}
            ?busy=${this.busy}
            @ss-sign-out=${this.#signOut}
          ></ss-top-bar>
          <main id="main" tabindex="-1">${this.#offlineWorklist()}${renderPage(this.route, user)}</main>`
      }
    }
  }

  /** S29: an offline tablet shows its user's last worklist, and says so. */
  #offlineWorklist() {
    const from = this.worklistFrom
    if (from.kind !== 'device' || this.route.page !== 'worklist') return null
    const at = new Date(from.at).toLocaleString('en-GB', { hour12: false })
    return html`<p role="status" class="offline-worklist">
      Offline: this is the worklist saved on this device at ${at}. It updates when the
      connection is back; changes from here are not possible until then.
    </p>`
  }

  /** S27: a deleted or merged study never comes back from this device; its unsaved edits go to quarantine. */
  #purgeGone(data: ForcedClose): void {
    const user = this.#session.value?.user
    if (user === undefined || (data.reason !== 'deleted' && data.reason !== 'merged')) return
    const { reason, by, at, mergedInto } = data
    const gone = mergedInto === undefined ? { reason, by, at } : { reason, by, at, mergedInto }
    void purgeGoneSubject(user.id, data.subject, { code: 4410, reason: JSON.stringify(gone), gone })
  }

  /** The API every page gets: with the signed-in user's offline worklist. */
  #apiFor(user: SignedInUser | undefined): StudySyncApi {
    if (user === undefined) return this.studySyncApi
    return withOfflineWorklist(this.studySyncApi, new WorklistCache(user.id), (source) => {
      if (this.#session.value?.user.id === user.id) this.worklistFrom = source
    })
  }

  #navigatorFor(route: Route): Navigator {
    return { route, go: (next) => this.#go(next) }
  }

  #go(route: Route): void {
    this.#router.go(route)
  }

  async #restoreSession(): Promise<void> {
    try {
      const user = await this.api.me()
      if (user === null) {
        forgetUser(this.userStorage)
        this.#signedOut()
      } else this.#signedIn(signedInUser(user))
    } catch (error) {
      // The server answered with an error: do not guess. No answer at all (offline
      // tablet): carry on as the last user, on the documents cached on this device.
      const remembered = error instanceof ApiError ? null : rememberedUser(this.userStorage)
      if (remembered === null) this.#signedOut()
      else this.#signedIn(remembered)
    }
  }

  /**
   * The feed was refused or stopped: signed out in another tab, or the session
   * expired. Then show the login form; local documents stay (they may hold edits
   * not yet on the server — only an explicit sign-out wipes them).
   */
  async #checkSession(): Promise<void> {
    const user = await this.api.me().catch(() => undefined)
    if (user !== null || this.phase !== 'signed-in') return
    this.#feed.stop()
    forgetUser(this.userStorage)
    this.#signedOut()
    this.error = 'You have been signed out. Please sign in again.'
  }

  async #signIn(event: CustomEvent<SignInDetail>): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      const session = await this.api.login(event.detail.username, event.detail.password)
      this.#signedIn(signedInUser(session.user))
    } catch (error) {
      this.error =
        error instanceof ApiError && error.status === 401
          ? 'Wrong username or password'
          : 'Could not sign in; please try again'
    } finally {
      this.busy = false
    }
  }

  /** Logs out, ends the shared feed, then wipes this user's local documents (DESIGN §6). */
  async #signOut(): Promise<void> {
    const user = this.#session.value?.user
    if (user === undefined || this.busy) return
    this.busy = true
    try {
      this.#feed.stop()
      await this.api.logout().catch(() => {})
      forgetUser(this.userStorage)
      // Unrender the pages first: their document controllers close their IndexedDB copies.
      this.#signedOut()
      await this.updateComplete
      await wipeUserDocuments(user.id)
    } finally {
      this.busy = false
    }
  }

  #signedIn(user: SignedInUser): void {
    rememberUser(this.userStorage, user)
    this.#session.setValue({ user, token: null })
    this.#api.setValue(this.#apiFor(user))
    this.#feed.open(user.id)
    this.phase = 'signed-in'
  }

  #signedOut(): void {
    this.#session.setValue(null)
    this.#api.setValue(this.studySyncApi)
    this.worklistFrom = { kind: 'server' }
    this.notificationHistory.clear()
    this.notifier.reset()
    this.phase = 'signed-out'
  }
}

function sameRoute(a: Route | undefined, b: Route): boolean {
  return a !== undefined && a.page === b.page && routeHash(a) === routeHash(b)
}

/** The server sends username and privileges with the user; older answers may not. */
function signedInUser(user: Session['user']): SignedInUser {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    username: user.username ?? user.id,
    privileges: [...(user.privileges ?? [])],
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-app': SsApp
  }
}
