import { css, html, LitElement } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import { controlStyles } from './styles.ts'
import type { RowAction, RowActionDetail } from './types.ts'

export interface RowMenuItem {
  action: RowAction
  label: string
  disabled?: boolean
}

/**
 * A row's "⋯" menu ("Actions for A10001"). Opens from its button, or from the row's
 * context menu (right-click, the context-menu key, Shift+F10) through `open()`.
 * Arrow keys, Home and End move between items; Escape closes and returns focus.
 * Choosing an item fires `ss-row-action`.
 */
@customElement('ss-row-menu')
export class SsRowMenu extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true }
  static override styles = [
    controlStyles,
    css`
      :host {
        display: inline-block;
      }
      .trigger {
        font-size: 1.2rem;
        line-height: 1;
        padding: 0 0.5rem;
      }
      [role='menu'] {
        position: fixed;
        inset: auto;
        margin: 0;
        padding: 0.25rem;
        min-width: 15rem;
        border: 1px solid var(--ss-border);
        border-radius: 6px;
        background: #fff;
        box-shadow: 0 4px 14px rgb(0 0 0 / 20%);
      }
      [role='menuitem'] {
        display: block;
        width: 100%;
        text-align: left;
        border: 0;
        border-radius: 4px;
        min-height: 44px;
      }
      [role='menuitem']:hover,
      [role='menuitem']:focus-visible {
        background: #e8eef7;
      }
    `,
  ]

  @property() accession = ''
  @property({ attribute: false }) items: RowMenuItem[] = []
  @property({ type: Boolean }) disabled = false

  @state() private expanded = false
  @query('[role="menu"]') private menu!: HTMLElement
  @query('.trigger') private trigger!: HTMLButtonElement

  override render() {
    const name = `Actions for ${this.accession}`
    return html`<button
        type="button"
        class="trigger"
        aria-label=${name}
        aria-haspopup="menu"
        aria-expanded=${this.expanded ? 'true' : 'false'}
        popovertarget="menu"
        ?disabled=${this.disabled}
        @keydown=${this.#triggerKey}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <div
        id="menu"
        role="menu"
        aria-label=${name}
        popover="auto"
        @toggle=${this.#toggled}
        @keydown=${this.#menuKey}
      >
        ${this.items.map(
          (item) => html`<button
            type="button"
            role="menuitem"
            tabindex="-1"
            ?disabled=${item.disabled}
            @click=${() => this.#choose(item.action)}
          >
            ${item.label}
          </button>`,
        )}
      </div>`
  }

  /** Opens the menu with focus on its first item. */
  async open(): Promise<void> {
    if (this.disabled) return
    await this.updateComplete
    if (!this.menu.matches(':popover-open')) this.menu.showPopover()
  }

  get isOpen(): boolean {
    return this.expanded
  }

  #items(): HTMLButtonElement[] {
    return [...this.menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')]
  }

  #toggled = (event: ToggleEvent) => {
    this.expanded = event.newState === 'open'
    if (!this.expanded) {
      // Back to the trigger when focus was in the menu (Escape, Tab, choosing an item).
      if (this.shadowRoot?.activeElement && this.menu.contains(this.shadowRoot.activeElement)) {
        this.trigger.focus()
      }
      return
    }
    this.#place()
    this.#items()[0]?.focus()
  }

  #place(): void {
    const anchor = this.trigger.getBoundingClientRect()
    const { offsetWidth: width, offsetHeight: height } = this.menu
    const left = Math.max(4, Math.min(anchor.right - width, window.innerWidth - width - 4))
    const below = anchor.bottom + height <= window.innerHeight
    this.menu.style.left = `${left}px`
    this.menu.style.top = `${below ? anchor.bottom + 2 : Math.max(4, anchor.top - height - 2)}px`
  }

  #triggerKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    event.preventDefault()
    void this.open()
  }

  #menuKey = (event: KeyboardEvent) => {
    const items = this.#items()
    const current = items.indexOf(this.shadowRoot?.activeElement as HTMLButtonElement)
    const move: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: items.length - 1,
    }
    if (event.key === 'Tab') {
      this.menu.hidePopover()
      return
    }
    const to = move[event.key]
    if (to === undefined || items.length === 0) return
    event.preventDefault()
    items[(to + items.length) % items.length]?.focus()
  }

  #choose(action: RowAction): void {
    this.trigger.focus()
    this.menu.hidePopover()
    const detail: RowActionDetail = { accession: this.accession, action }
    this.dispatchEvent(new CustomEvent('ss-row-action', { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-row-menu': SsRowMenu
  }
}
