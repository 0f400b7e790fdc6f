import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import { whenText, whoText } from './format.ts'
import {
  type HistoryChange,
  HistoryController,
  type HistoryEntry,
  type NotificationHistory,
} from './history.ts'

const BELL_ICON = html`<svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none"
  stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
  <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" /><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
</svg>`

/**
 * The bell and the notification centre: a button with the unread count that opens
 * a panel listing every notice of this session, newest first (what, who, when),
 * with "Mark all as read". Escape closes the panel and returns focus to the bell.
 * Notices shown only here (routine ones) are announced through a polite live
 * region; toasts and dialogs announce themselves.
 */
@customElement('ss-notification-center')
export class SsNotificationCenter extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: inline-block;
    }
    .bell {
      position: relative;
      display: inline-grid;
      place-items: center;
      color: #101828;
      min-inline-size: 2.75rem;
      min-block-size: 2.75rem;
      border: 1px solid #d0d5dd;
      border-radius: 0.375rem;
      background: #fff;
      font: inherit;
      cursor: pointer;
    }
    .badge {
      position: absolute;
      inset-block-start: -0.4rem;
      inset-inline-end: -0.4rem;
      min-inline-size: 1.25rem;
      padding: 0 0.25rem;
      border-radius: 0.625rem;
      background: #b42318;
      color: #fff;
      font-size: 0.75rem;
      line-height: 1.25rem;
    }
    .panel {
      position: absolute;
      inset-inline-end: 0;
      inset-block-start: calc(100% + 0.5rem);
      z-index: 20;
      inline-size: min(26rem, calc(100vw - 2rem));
      max-block-size: 70vh;
      overflow: auto;
      padding: 0.75rem 1rem;
      border: 1px solid #d0d5dd;
      border-radius: 0.5rem;
      background: #fff;
      color: #101828;
      box-shadow: 0 8px 24px rgb(0 0 0 / 0.2);
    }
    .panel:focus-visible,
    button:focus-visible {
      outline: 3px solid #1d4ed8;
      outline-offset: 2px;
    }
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
    }
    h2 {
      margin: 0;
      font-size: 1.1rem;
    }
    header button {
      min-block-size: 2.75rem;
      font: inherit;
    }
    ol {
      list-style: none;
      margin: 0.5rem 0 0;
      padding: 0;
    }
    li {
      padding: 0.5rem 0;
      border-block-start: 1px solid #eaecf0;
    }
    li.unread {
      font-weight: 600;
    }
    p {
      margin: 0;
    }
    .meta {
      font-size: 0.85em;
      font-weight: normal;
      color: #475467;
    }
    .visually-hidden {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `

  @property({ attribute: false }) history: NotificationHistory | null = null
  /** Whether the panel is open. */
  @property({ type: Boolean, reflect: true }) open = false

  @state() private announcement = ''
  @query('.bell') private bell!: HTMLButtonElement
  @query('.panel') private panel!: HTMLElement

  constructor() {
    super()
    new HistoryController(
      this,
      () => this.history,
      (change) => this.#announce(change),
    )
  }

  /** Opens the panel and moves focus into it. */
  async show(): Promise<void> {
    this.open = true
    await this.updateComplete
    this.panel.focus()
  }

  /** Closes the panel; focus goes back to the bell. */
  async hide(): Promise<void> {
    this.open = false
    await this.updateComplete
    this.bell.focus()
  }

  override render() {
    const unread = this.history?.unread ?? 0
    const label = `Notifications, ${unread === 0 ? 'none' : unread} unread`
    return html`
      <button
        type="button"
        class="bell"
        aria-label=${label}
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="panel"
        @click=${() => (this.open ? this.hide() : this.show())}
      >
        ${BELL_ICON}
        ${unread > 0 ? html`<span class="badge" aria-hidden="true">${unread}</span>` : nothing}
      </button>
      <section
        id="panel"
        class="panel"
        aria-labelledby="heading"
        tabindex="-1"
        ?hidden=${!this.open}
        @keydown=${this.#onKeydown}
      >
        <header>
          <h2 id="heading">Notifications</h2>
          <button type="button" ?disabled=${unread === 0} @click=${() => this.history?.markAllRead()}>
            Mark all as read
          </button>
        </header>
        ${this.#renderList(this.history?.entries ?? [])}
      </section>
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
    `
  }

  #renderList(entries: readonly HistoryEntry[]) {
    if (entries.length === 0) return html`<p>No notifications yet.</p>`
    return html`<ol>
      ${entries.map(
        ({ notice, read }) => html`<li class=${read ? 'read' : 'unread'}>
          ${read ? nothing : html`<span class="visually-hidden">Unread: </span>`}
          <p>${notice.text}</p>
          <p class="meta">
            by ${whoText(notice.by)} at <time datetime=${notice.at}>${whenText(notice.at)}</time>
          </p>
        </li>`,
      )}
    </ol>`
  }

  #onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return
    event.stopPropagation()
    void this.hide()
  }

  #announce(change: HistoryChange): void {
    if (change.type !== 'added' || change.entry.shownAs !== 'history') return
    this.announcement = `New notification: ${change.entry.notice.text}`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-notification-center': SsNotificationCenter
  }
}
