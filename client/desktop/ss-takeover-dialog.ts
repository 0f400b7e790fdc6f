import { css, html, LitElement } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import { emit, TAKEOVER_REASON_MIN } from './events.ts'

/**
 * "Take over reading" (S19): a modal dialog that asks why. The reason is checked
 * here (the server checks it again) and sent in `ss-takeover-confirm`; the host
 * makes the call and closes the dialog, or passes the server's refusal in `error`.
 */
@customElement('ss-takeover-dialog')
export class SsTakeoverDialog extends LitElement {
  static override styles = css`
    dialog {
      max-width: 32rem;
    }
    label {
      display: block;
      font-weight: 600;
    }
    textarea {
      box-sizing: border-box;
      width: 100%;
      min-height: 5rem;
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
  /** Who reads the study now. */
  @property() holder = ''
  @property({ type: Boolean }) busy = false
  /** The server's refusal, if any. */
  @property() error = ''

  @state() private invalid = ''
  @query('dialog') private dialog!: HTMLDialogElement
  @query('textarea') private field!: HTMLTextAreaElement

  override render() {
    const problem = this.invalid || this.error
    return html`
      <dialog aria-labelledby="title" @close=${this.#onClose}>
        <h2 id="title">Take over reading</h2>
        <p>
          ${this.holder} is reading this study. Taking over is recorded in the audit log with
          your reason; ${this.holder} is told at once and keeps a copy of their draft.
        </p>
        <form novalidate @submit=${this.#submit}>
          <label for="reason">Reason for taking over</label>
          <textarea
            id="reason"
            name="reason"
            aria-invalid=${this.invalid ? 'true' : 'false'}
            aria-describedby="hint ${problem ? 'problem' : ''}"
            @input=${() => {
              this.invalid = ''
            }}
          ></textarea>
          <p id="hint">At least ${TAKEOVER_REASON_MIN} characters.</p>
          ${problem ? html`<p id="problem" class="error" role="alert">${problem}</p>` : null}
          <div class="actions">
            <button type="button" @click=${this.#cancel}>Cancel</button>
            <button type="submit" ?disabled=${this.busy}>Take over</button>
          </div>
        </form>
      </dialog>
    `
  }

  protected override updated(): void {
    // showModal throws outside a document; connectedCallback catches up.
    if (this.open && !this.dialog.open && this.isConnected) {
      this.invalid = ''
      this.field.value = ''
      this.dialog.showModal()
      this.field.focus()
    } else if (!this.open && this.dialog.open) {
      this.dialog.close()
    }
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.hasUpdated) this.updated()
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault()
    const reason = this.field.value.trim()
    if (reason.length < TAKEOVER_REASON_MIN) {
      this.invalid = `Give a reason of at least ${TAKEOVER_REASON_MIN} characters (${reason.length} so far).`
      this.field.focus()
      return
    }
    emit(this, 'ss-takeover-confirm', { reason })
  }

  #cancel(): void {
    this.dialog.close()
  }

  #onClose(): void {
    if (this.open) emit(this, 'ss-dialog-close', null)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-takeover-dialog': SsTakeoverDialog
  }
}
