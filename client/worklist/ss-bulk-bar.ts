import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { controlStyles } from './styles.ts'
import type { BulkAction, BulkActionDetail, UserOption } from './types.ts'

/**
 * Actions on the selected studies: assign or unassign the reading physician (S17)
 * and group them (S20). Fires `ss-bulk-action`; the worklist calls the server.
 */
@customElement('ss-bulk-bar')
export class SsBulkBar extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        padding: 0.5rem 0.75rem;
        border: 1px solid #9bb7e0;
        border-radius: 6px;
        background: #eef4fc;
      }
      .count {
        font-weight: 600;
        margin-right: 0.5rem;
      }
      label {
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
    `,
  ]

  @property({ type: Number }) count = 0
  /** Radiologists who can be assigned; null while loading. */
  @property({ attribute: false }) readers: UserOption[] | null = null
  @property({ type: Boolean }) busy = false
  @property({ type: Boolean, attribute: 'can-assign' }) canAssign = true
  @property({ type: Boolean, attribute: 'can-group' }) canGroup = true

  @state() private reader = ''

  override render() {
    const idle = !this.busy && this.count > 0
    return html`<section aria-label="Bulk actions" aria-busy=${this.busy ? 'true' : 'false'}>
      <span class="count" role="status">${this.count} selected</span>
      ${
        this.canAssign
          ? html`<label
              >Reading physician
              <select @change=${this.#pick}>
                <option value="" .selected=${this.reader === ''}>
                  ${this.readers === null ? 'Loading…' : 'Choose…'}
                </option>
                ${(this.readers ?? []).map(
                  (u) =>
                    html`<option value=${u.id} .selected=${this.reader === u.id}>${u.name}</option>`,
                )}
              </select></label
            >
            <button type="button" ?disabled=${!idle || !this.reader} @click=${() => this.#emit('assign')}>
              Assign reading physician
            </button>
            <button type="button" ?disabled=${!idle} @click=${() => this.#emit('unassign')}>
              Unassign reading physician
            </button>`
          : ''
      }
      ${
        this.canGroup
          ? html`<button
            type="button"
            ?disabled=${!idle || this.count < 2}
            title="Group needs at least two studies"
            @click=${() => this.#emit('group')}
          >
            Group
          </button>`
          : ''
      }
      <button type="button" @click=${() => this.#emit('clear')}>Clear selection</button>
    </section>`
  }

  #pick = (event: Event) => {
    this.reader = (event.target as HTMLSelectElement).value
  }

  #emit(action: BulkAction): void {
    const detail: BulkActionDetail =
      action === 'assign' ? { action, userId: this.reader } : { action }
    this.dispatchEvent(new CustomEvent('ss-bulk-action', { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-bulk-bar': SsBulkBar
  }
}
