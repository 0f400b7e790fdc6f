import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { AccessEntry } from '../../shared/api-types.ts'
import { accessLabel, clockTime, isLost, roleName, viewName } from './format.ts'
import { controlStyles } from './styles.ts'

/**
 * The Access column's flag (S3): shown when someone else has the study open. Its
 * accessible name says who, how and since when; hover, keyboard focus or a tap show
 * a tooltip with name, role, view, mode, since and lost connections (S4).
 * The tooltip is a popover in the top layer, so the table's scroll box cannot clip it.
 */
@customElement('ss-access-flag')
export class SsAccessFlag extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true }
  static override styles = [
    controlStyles,
    css`
      :host {
        display: inline-block;
      }
      button {
        display: inline-flex;
        align-items: center;
        gap: 0.2rem;
        border-color: transparent;
        background: transparent;
        padding: 0 0.3rem;
        color: #b3261e;
      }
      button.lost {
        color: var(--ss-muted);
      }
      svg {
        width: 20px;
        height: 20px;
      }
      .count {
        font-size: 0.8rem;
        font-weight: 700;
      }
      [role='tooltip'] {
        position: fixed;
        inset: auto;
        margin: 0;
        max-width: min(28rem, 90vw);
        white-space: normal;
        text-align: left;
        font-weight: normal;
        padding: 0.5rem 0.75rem;
        border: 1px solid #333;
        border-radius: 4px;
        background: #1f2328;
        color: #fff;
        font-size: 0.9rem;
        box-shadow: 0 2px 8px rgb(0 0 0 / 30%);
      }
      ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li + li {
        margin-top: 0.35rem;
      }
      .lost-text {
        color: #ffb4a8;
        font-weight: 600;
      }
    `,
  ]

  /** Who has it open, the signed-in user already left out. */
  @property({ attribute: false }) entries: AccessEntry[] = []

  @state() private shown = false
  @query('[role="tooltip"]') private tip!: HTMLElement | null
  @query('button') private button!: HTMLButtonElement | null

  override render() {
    if (this.entries.length === 0) return nothing
    const allLost = this.entries.every(isLost)
    return html`<button
        type="button"
        class=${allLost ? 'lost' : ''}
        aria-label=${accessLabel(this.entries)}
        aria-describedby="tip"
        @focus=${this.#show}
        @blur=${this.#hide}
        @click=${this.#show}
        @keydown=${this.#keydown}
        @mouseenter=${this.#show}
        @mouseleave=${this.#hide}
      >
        ${flagIcon(allLost)}${
          this.entries.length > 1
            ? html`<span class="count" aria-hidden="true">${this.entries.length}</span>`
            : nothing
        }
      </button>
      <div id="tip" role="tooltip" popover="manual" @mouseleave=${this.#hide}>
        <ul>
          ${this.entries.map((e) => this.#entry(e))}
        </ul>
      </div>`
  }

  #entry(e: AccessEntry) {
    return html`<li>
      <strong>${e.name}</strong> (${roleName(e.role)}) — ${e.mode} in the ${viewName(e.view)}
      since ${clockTime(e.since)}${
        isLost(e) ? html` · <span class="lost-text">connection lost</span>` : nothing
      }
    </li>`
  }

  override updated(): void {
    const tip = this.tip
    if (!tip) {
      this.shown = false
      return
    }
    const open = tip.matches(':popover-open')
    if (this.shown && !open) {
      tip.showPopover()
      this.#place(tip)
    } else if (!this.shown && open) {
      tip.hidePopover()
    }
  }

  #place(tip: HTMLElement): void {
    const anchor = this.button?.getBoundingClientRect()
    if (!anchor) return
    const width = tip.offsetWidth
    const left = Math.max(4, Math.min(anchor.left, window.innerWidth - width - 4))
    const below = anchor.bottom + tip.offsetHeight <= window.innerHeight
    tip.style.left = `${left}px`
    tip.style.top = `${below ? anchor.bottom : Math.max(4, anchor.top - tip.offsetHeight)}px`
  }

  #show = () => {
    this.shown = true
  }

  #hide = (event: Event) => {
    // Moving the pointer from the flag onto its tooltip keeps it open (WCAG 1.4.13).
    const to = (event as MouseEvent).relatedTarget
    if (to instanceof Node && (this.tip?.contains(to) || this.button?.contains(to))) return
    if (event.type === 'mouseleave' && this.shadowRoot?.activeElement === this.button) return
    this.shown = false
  }

  #keydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.shown) {
      event.stopPropagation()
      this.shown = false
    }
  }
}

function flagIcon(lost: boolean) {
  return html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path
      d="M5 21V4h10l.4 2H21v10h-7l-.4-2H7v7z"
      fill=${lost ? 'none' : 'currentColor'}
      stroke="currentColor"
      stroke-width="1.6"
      stroke-dasharray=${lost ? '3 2' : 'none'}
    />
  </svg>`
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-flag': SsAccessFlag
  }
}
