import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { StudyAccessView } from '../../shared/access-types.ts'
import {
  type AppSession,
  apiContext,
  type FeedClient,
  feedContext,
  type Navigator,
  navigatorContext,
  type StudySyncApi,
  sessionContext,
} from '../app/contexts.ts'
import { AccessController } from './access-controller.ts'
import { canManageAccess } from './permissions.ts'
import { accessStyles } from './styles.ts'
import './ss-access-buckets.ts'
import './ss-access-transfers.ts'
import './ss-access-unlocked.ts'
import './ss-access-users.ts'
import './ss-reference-numbers.ts'

/**
 * The exam's Access tab (`#/study/<acc>/access`, seed 002, issue 6 item 6): who
 * has access and how (Users), who unlocked it (break-the-glass), where it went
 * (PACS), which buckets hold it, and the patient reference numbers. Holders of
 * Manage Access change it here; everyone else who may see it reads it.
 */
@customElement('ss-access-tab')
export class SsAccessTab extends LitElement {
  static override styles = [
    accessStyles,
    css`
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.25rem 1rem;
      }
      h2 {
        margin: 0;
      }
      nav ul {
        display: flex;
        gap: 0.75rem;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      nav a[aria-current='page'] {
        font-weight: 700;
        color: inherit;
        text-decoration: none;
      }
      section {
        margin-top: 1.5rem;
      }
      .banner {
        padding: 0.5rem 0.75rem;
        border-left: 4px solid #8a4b00;
        background: #fff7e6;
      }
      [role='alert'].banner {
        border-color: #b00020;
        background: #fdecee;
      }
    `,
  ]

  @property() accession = ''

  @consume({ context: sessionContext, subscribe: true }) session: AppSession | null = null
  @consume({ context: apiContext, subscribe: true }) api: StudySyncApi | null = null
  @consume({ context: navigatorContext, subscribe: true }) nav: Navigator | null = null
  @consume({ context: feedContext, subscribe: true }) feed: FeedClient | null = null

  readonly #access = new AccessController(this)

  get #manage(): boolean {
    return canManageAccess(this.session?.user)
  }

  protected override willUpdate(): void {
    this.#access.setFeed(this.feed)
    this.#access.open(this.api, this.accession, this.#manage)
  }

  override render() {
    const load = this.#access.load
    return html`<header>
        <h2>Access to study ${this.accession}</h2>
        <nav aria-label="Study ${this.accession}">
          <ul>
            <li><a href="#/study/${this.accession}" @click=${this.#openStudy}>Study information</a></li>
            <li><a href="#/study/${this.accession}/access" aria-current="page">Access</a></li>
          </ul>
        </nav>
      </header>
      ${
        load.kind === 'loaded'
          ? this.#loaded(load.view)
          : load.kind === 'failed'
            ? html`<p role="alert" class="banner">${
                load.status === 403
                  ? `You do not have access to study ${this.accession}, so you cannot see who does.`
                  : `Could not load the access list: ${load.message}`
              }</p>
              <button type="button" @click=${() => this.#access.reload()}>Try again</button>`
            : html`<p role="status">Loading the access list…</p>`
      }`
  }

  #loaded(view: StudyAccessView) {
    const manage = this.#manage
    const a = this.#access
    return html`<p class="note">
        Every actual opening of this study is recorded in the audit trail. Withdrawing access
        takes effect at once, including for anyone who has the study open.
      </p>
      ${
        manage
          ? nothing
          : html`<p class="banner" id="read-only">
            Read-only: you can see who has access, but only users with the Manage Access
            privilege can change it.
          </p>`
      }
      <p role="status" aria-live="polite">${a.message}</p>
      ${a.error ? html`<p role="alert" class="banner">${a.error}</p>` : nothing}
      ${this.#section(
        'users',
        'Users',
        html`<ss-access-users .grants=${view.grants} ?manage=${manage}
          .actions=${a} .users=${a.users} .groups=${a.groups}></ss-access-users>`,
      )}
      ${this.#section('unlocked', 'Unlocked (break-the-glass)', html`<ss-access-unlocked .entries=${view.breakGlass}></ss-access-unlocked>`)}
      ${this.#section('pacs', 'PACS (transferred)', html`<ss-access-transfers .transfers=${view.transfers}></ss-access-transfers>`)}
      ${this.#section(
        'buckets',
        'Buckets',
        html`<ss-access-buckets accession=${this.accession} .buckets=${view.buckets}
          ?manage=${manage} .actions=${a}></ss-access-buckets>`,
      )}
      ${this.#section(
        'references',
        'Reference numbers',
        html`<ss-reference-numbers .numbers=${view.referenceNumbers}
          ?manage=${manage} .actions=${a}></ss-reference-numbers>`,
      )}`
  }

  #section(id: string, title: string, body: unknown) {
    return html`<section aria-labelledby="${id}-heading">
      <h3 id="${id}-heading">${title}</h3>
      ${body}
    </section>`
  }

  #openStudy(event: Event): void {
    if (this.nav === null) return
    event.preventDefault()
    this.nav.go({ page: 'study', accession: this.accession })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-tab': SsAccessTab
  }
}
