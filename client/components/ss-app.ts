import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { UserIdentity } from '../../shared/domain.ts'
import { type ApiClient, ApiError, createApiClient } from '../api.ts'
import { wipeUserDocuments } from '../connection/index.ts'
import { DocumentController } from '../controllers/document-controller.ts'
import type { SignInDetail } from './ss-login-form.ts'
import { describeStatus } from './status-text.ts'
import './ss-login-form.ts'

/**
 * Placeholder shell: sign in, show who is signed in and the live connection status
 * of the `worklist` document, sign out (which wipes this user's local documents).
 */
@customElement('ss-app')
export class SsApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, sans-serif;
      padding: 1rem;
    }
  `

  @property({ attribute: false }) api: ApiClient = createApiClient()
  /** Sync endpoint override (tests); default is this origin's `/sync`. */
  @property({ attribute: false }) syncUrl: string | undefined = undefined

  @state() private user: UserIdentity | null = null
  @state() private loading = true
  @state() private busy = false
  @state() private error = ''

  readonly #worklist = new DocumentController(this)

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#restoreSession()
  }

  override render() {
    if (this.loading) return html`<p role="status">Loading…</p>`
    if (this.user === null) {
      return html`<h1>StudySync</h1>
        <ss-login-form .error=${this.error} ?busy=${this.busy} @ss-sign-in=${this.#signIn}></ss-login-form>`
    }
    const { name, role } = this.user
    return html`
      <h1>StudySync</h1>
      <p>Signed in as ${name} (${role})</p>
      <p role="status" aria-live="polite">Connection: ${describeStatus(this.#worklist.status)}</p>
      <button type="button" ?disabled=${this.busy} @click=${this.#signOut}>Sign out</button>
    `
  }

  async #restoreSession(): Promise<void> {
    try {
      this.#setUser(await this.api.me())
    } catch {
      // Unreachable server: show the login form; offline start-up is a later issue.
      this.#setUser(null)
    } finally {
      this.loading = false
    }
  }

  async #signIn(event: CustomEvent<SignInDetail>): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      const session = await this.api.login(event.detail.username, event.detail.password)
      this.#setUser(session.user)
    } catch (error) {
      this.error =
        error instanceof ApiError && error.status === 401
          ? 'Wrong username or password'
          : 'Could not sign in; please try again'
    } finally {
      this.busy = false
    }
  }

  async #signOut(): Promise<void> {
    const user = this.user
    if (user === null) return
    this.busy = true
    try {
      // Close the document first: an open IndexedDB connection would hold up the wipe.
      await this.#worklist.close()
      await this.api.logout().catch(() => {})
      await wipeUserDocuments(user.id)
      this.#setUser(null)
    } finally {
      this.busy = false
    }
  }

  #setUser(user: UserIdentity | null): void {
    this.user = user
    if (user === null) return
    this.#worklist.open({
      docName: 'worklist',
      userId: user.id,
      ...(this.syncUrl === undefined ? {} : { serverUrl: this.syncUrl }),
    })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-app': SsApp
  }
}
