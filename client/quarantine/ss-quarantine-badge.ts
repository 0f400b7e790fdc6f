import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { QuarantineStore } from './store.ts'
import './ss-quarantine-panel.ts'

/**
 * The top bar's quarantine badge: "2 quarantined changes" while the signed-in user
 * has any, as a button that opens <ss-quarantine-panel> below it. Hidden when there
 * are none.
 */
@customElement('ss-quarantine-badge')
export class SsQuarantineBadge extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: inline-block;
    }
    button.badge {
      min-block-size: 2.75rem;
      padding: 0 0.9rem;
      border: 0;
      border-radius: 999px;
      background: #fec84b;
      color: #101828;
      font: inherit;
      font-weight: 600;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid #ffd166;
      outline-offset: 2px;
    }
    .popup {
      position: absolute;
      inset-inline-end: 0;
      z-index: 10;
      inline-size: min(32rem, 90vw);
      max-block-size: 70vh;
      overflow: auto;
      margin-top: 0.25rem;
      padding: 0.75rem;
      border-radius: 0.5rem;
      background: #fff;
      box-shadow: 0 8px 24px rgb(0 0 0 / 0.25);
    }
    .close {
      float: inline-end;
      min-block-size: 2.75rem;
      font: inherit;
    }
  `

  /** The signed-in user; null hides the badge. */
  @property({ attribute: false }) userId: string | null = null
  /** IndexedDB to use (tests). */
  @property({ attribute: false }) indexedDB: IDBFactory | null = null

  @state() private count = 0
  @state() private open = false
  @state() private store: QuarantineStore | null = null
  #unsubscribe: (() => void) | null = null

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('userId') || changed.has('indexedDB')) this.#follow()
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.hasUpdated) this.#follow()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  override render() {
    if (this.count === 0 || this.store === null) return nothing
    const text = `${this.count} quarantined change${this.count === 1 ? '' : 's'}`
    return html`<button
        type="button"
        class="badge"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="quarantine-popup"
        @click=${() => {
          this.open = !this.open
        }}
      >
        ${text}
      </button>
      ${
        this.open
          ? html`<div
              id="quarantine-popup"
              class="popup"
              role="dialog"
              aria-label="Quarantined changes"
              @keydown=${this.#onKey}
            >
              <button type="button" class="close" @click=${() => {
                this.open = false
              }}>Close</button>
              <ss-quarantine-panel .store=${this.store}></ss-quarantine-panel>
            </div>`
          : nothing
      }`
  }

  #onKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return
    this.open = false
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLButtonElement>('button.badge')?.focus(),
    )
  }

  #follow(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.count = 0
    this.open = false
    const { userId } = this
    const store =
      userId === null ? null : new QuarantineStore(userId, this.indexedDB ?? globalThis.indexedDB)
    this.store = store
    if (store === null || !this.isConnected) return
    const refresh = () =>
      store
        .list()
        .then((entries) => {
          if (this.store === store) this.count = entries.length
        })
        .catch(() => {})
    this.#unsubscribe = store.subscribe(refresh)
    void refresh()
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-quarantine-badge': SsQuarantineBadge
  }
}
