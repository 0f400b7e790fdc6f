import { css, html, LitElement } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import { emit } from './events.ts'

/**
 * S16: a transcriptionist opening a study assigned to someone else is warned
 * ("You are opening a Study that is assigned to X for (Transcriptionist)") and,
 * with the privilege, may take the assignment over. The host makes the call.
 */
@customElement('ss-assignment-warning')
export class SsAssignmentWarning extends LitElement {
  static override styles = css`
    dialog {
      max-width: 32rem;
    }
    .error {
      color: #b00020;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      justify-content: flex-end;
    }
  `

  @property({ type: Boolean }) open = false
  /** The server's warning, word for word. */
  @property() text = ''
  @property({ type: Boolean }) canTakeOver = false
  @property({ type: Boolean }) busy = false
  @property() error = ''

  @query('dialog') private dialog!: HTMLDialogElement

  override render() {
    return html`
      <dialog aria-labelledby="title" aria-describedby="text" @close=${this.#onClose}>
        <h2 id="title">Assigned to someone else</h2>
        <p id="text">${this.text}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
        <div class="actions">
          ${
            this.canTakeOver
              ? html`<button
                  type="button"
                  ?disabled=${this.busy}
                  @click=${() => emit(this, 'ss-assignment-takeover', null)}
                >
                  Take over as transcriptionist
                </button>`
              : null
          }
          <button type="button" @click=${() => this.dialog.close()}>
            ${this.canTakeOver ? 'Continue without taking over' : 'OK'}
          </button>
        </div>
      </dialog>
    `
  }

  protected override updated(): void {
    // showModal throws outside a document; connectedCallback catches up.
    if (this.open && !this.dialog.open && this.isConnected) this.dialog.showModal()
    else if (!this.open && this.dialog.open) this.dialog.close()
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.hasUpdated) this.updated()
  }

  #onClose(): void {
    if (this.open) emit(this, 'ss-dialog-close', null)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-assignment-warning': SsAssignmentWarning
  }
}
