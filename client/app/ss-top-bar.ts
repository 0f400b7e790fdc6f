import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { NotificationHistory } from '../notifications/history.ts'
import type { Route, SignedInUser } from './contexts.ts'
import { roleLabel, seesAudit, seesPresence } from './roles.ts'
import './ss-connection-indicator.ts'
import '../quarantine/ss-quarantine-badge.ts'
import '../notifications/ss-notification-center.ts'

/**
 * The shell's top bar: app name, navigation (Presence and Audit for admins only), the
 * connection indicator, the notification bell, who is signed in, and "Sign out"
 * (fires `ss-sign-out`; the shell does the work). Wraps onto two rows on narrow
 * screens rather than hiding anything.
 */
@customElement('ss-top-bar')
export class SsTopBar extends LitElement {
  static override styles = css`
    :host {
      display: block;
      background: #0b2545;
      color: #fff;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1.25rem;
      padding: 0.5rem 1rem;
    }
    h1 {
      margin: 0;
      font-size: 1.25rem;
    }
    nav ul {
      display: flex;
      gap: 0.25rem;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    nav a {
      display: inline-flex;
      align-items: center;
      min-block-size: 2.75rem;
      padding: 0 0.75rem;
      border-radius: 0.375rem;
      color: inherit;
      text-decoration: none;
    }
    nav a[aria-current='page'] {
      background: rgb(255 255 255 / 0.18);
      font-weight: 600;
    }
    .end {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.75rem;
      margin-inline-start: auto;
    }
    .role {
      opacity: 0.8;
    }
    .visually-hidden {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    ss-notification-center {
      color: #101828;
    }
    button {
      min-block-size: 2.75rem;
      padding: 0 0.9rem;
      border: 1px solid rgb(255 255 255 / 0.7);
      border-radius: 0.375rem;
      background: transparent;
      color: inherit;
      font: inherit;
      cursor: pointer;
    }
    a:focus-visible,
    button:focus-visible {
      outline: 3px solid #ffd166;
      outline-offset: 2px;
    }
  `

  @property({ attribute: false }) user: SignedInUser | null = null
  @property({ attribute: false }) route: Route = { page: 'worklist' }
  @property({ attribute: false }) history: NotificationHistory | null = null
  /** Disables "Sign out" while signing out. */
  @property({ type: Boolean }) busy = false

  override render() {
    const user = this.user
    return html`<header>
      <h1>StudySync</h1>
      <nav aria-label="Main">
        <ul>
          <li>${this.#link('#/worklist', 'Worklist', this.route.page === 'worklist')}</li>
          ${
            user !== null && seesPresence(user.role)
              ? html`<li>${this.#link('#/admin/presence', 'Presence', this.route.page === 'presence')}</li>`
              : nothing
          }
          ${
            user !== null && seesAudit(user)
              ? html`<li>${this.#link('#/admin/audit', 'Audit', this.route.page === 'audit')}</li>`
              : nothing
          }
        </ul>
      </nav>
      <div class="end">
        <ss-connection-indicator></ss-connection-indicator>
        <ss-quarantine-badge .userId=${user?.id ?? null}></ss-quarantine-badge>
        <ss-notification-center .history=${this.history}></ss-notification-center>
        ${
          user === null
            ? nothing
            : html`<span class="user">
              <span class="visually-hidden">Signed in as</span>
              <strong>${user.name}</strong> <span class="role">(${roleLabel(user.role)})</span>
            </span>`
        }
        <button type="button" ?disabled=${this.busy} @click=${this.#signOut}>Sign out</button>
      </div>
    </header>`
  }

  #link(href: string, label: string, current: boolean) {
    return html`<a href=${href} aria-current=${current ? 'page' : nothing}>${label}</a>`
  }

  #signOut(): void {
    this.dispatchEvent(new CustomEvent('ss-sign-out', { bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-top-bar': SsTopBar
  }
  interface HTMLElementEventMap {
    'ss-sign-out': CustomEvent<undefined>
  }
}
