import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { StudyState } from '../../shared/api-types.ts'
import { statusLabel } from '../../shared/domain.ts'
import { controlStyles } from '../theme.ts'
import { emit, type ReaderAction } from './events.ts'
import { nextStep } from './workflow.ts'

/**
 * The desktop's action bar: "Auto-create template", "Create report", "Amend
 * report", "Advance to <next status>" and, for the privileged, "Take over
 * reading". Controls a user may not use are disabled and say why (S15).
 * Each press is an `ss-reader-action`; the desktop makes the call.
 */
@customElement('ss-reader-actions')
export class SsReaderActions extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      button {
        min-height: 2.75rem;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 2.75rem;
        padding-right: 0.5rem;
      }
      input[type='checkbox'] {
        width: 20px;
        height: 20px;
        margin: 0;
      }
      p {
        margin: 0.25rem 0 0;
        color: var(--ss-muted, #555);
        font-size: 0.875rem;
      }
    `,
  ]

  @property({ attribute: false }) state: StudyState | null = null
  /** Whether this user holds the reading claim. */
  @property({ type: Boolean }) holder = false
  @property({ type: Boolean }) busy = false
  /** Whether to offer "Take over reading" (takeOver privilege, someone else reads). */
  @property({ type: Boolean }) mayTakeOver = false
  /** Why the reader actions are disabled, for non-holders. */
  @property() explanation = ''

  @state() private autoTemplate = true

  override render() {
    const { state, holder } = this
    const next = state ? nextStep(state.status) : null
    const blocked = this.busy || state === null
    const signed = state?.status === 'signed'
    const why = holder ? '' : 'why'
    return html`
      <div class="actions" role="group" aria-label="Study actions">
        <label>
          <input
            type="checkbox"
            .checked=${holder && this.autoTemplate}
            ?disabled=${!holder}
            aria-describedby=${why}
            @change=${(e: Event) => {
              this.autoTemplate = (e.target as HTMLInputElement).checked
            }}
          />
          Auto-create template
        </label>
        <button
          type="button"
          ?disabled=${blocked || !holder}
          aria-describedby=${why}
          @click=${() => this.#emit({ action: 'create', autoTemplate: holder && this.autoTemplate })}
        >Create report</button>
        <button
          type="button"
          ?disabled=${blocked || !holder || !signed}
          aria-describedby=${holder ? (signed ? '' : 'amend-why') : why}
          @click=${() => this.#emit({ action: 'amend' })}
        >Amend report</button>
        ${
          next && state
            ? html`<button
                type="button"
                ?disabled=${blocked || (next.readerStep && !holder)}
                aria-describedby=${next.readerStep ? why : ''}
                @click=${() => this.#emit({ action: 'advance', to: next.to, expectedRev: state.rev })}
              >Advance to ${statusLabel(next.to)}</button>`
            : nothing
        }
        ${
          this.mayTakeOver
            ? html`<button
                type="button"
                ?disabled=${this.busy}
                @click=${() => this.#emit({ action: 'take-over' })}
              >Take over reading</button>`
            : nothing
        }
      </div>
      ${holder || !this.explanation ? nothing : html`<p id="why">${this.explanation}</p>`}
      ${holder && !signed ? html`<p id="amend-why">Only a signed report can be amended.</p>` : nothing}
    `
  }

  #emit(detail: ReaderAction): void {
    emit(this, 'ss-reader-action', detail)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-reader-actions': SsReaderActions
  }
}
