import { html, LitElement, nothing } from 'lit'
import { customElement, query, state } from 'lit/decorators.js'
import type { ReferenceNumberView } from '../../shared/access-types.ts'
import { failureText } from './format.ts'
import { PIN_HINT, pinProblem } from './pin-rules.ts'
import { accessStyles } from './styles.ts'

/**
 * Sets the PIN of a patient reference number (seed 002: secured with a PIN given
 * to the patient on payment). The PIN is checked here with the server's rules,
 * sent once, and never shown again: the server keeps only a hash.
 */
@customElement('ss-pin-dialog')
export class SsPinDialog extends LitElement {
  static override styles = accessStyles

  @state() private ref: ReferenceNumberView | null = null
  @state() private problem = ''
  @state() private busy = false
  @query('dialog') private dialog!: HTMLDialogElement
  @query('#pin') private field!: HTMLInputElement
  #submit: ((pin: string) => Promise<void>) | null = null

  /** Opens for `ref`; `submit` makes the call and throws the server's refusal. */
  async open(ref: ReferenceNumberView, submit: (pin: string) => Promise<void>): Promise<void> {
    this.ref = ref
    this.problem = ''
    this.#submit = submit
    await this.updateComplete
    this.field.value = ''
    if (!this.dialog.open) this.dialog.showModal()
    this.field.focus()
  }

  override render() {
    const ref = this.ref
    return html`<dialog aria-labelledby="pin-heading">
      <h2 id="pin-heading">${ref?.hasPin ? 'Change' : 'Set'} PIN for ${ref?.number ?? ''}</h2>
      <form novalidate @submit=${this.#onSubmit}>
        <div class="field">
          <label for="pin">PIN</label>
          <input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="new-password"
            maxlength="8" aria-invalid=${this.problem ? 'true' : 'false'}
            aria-describedby="pin-hint${this.problem ? ' pin-problem' : ''}"
            @input=${() => {
              this.problem = ''
            }} />
          <span id="pin-hint" class="note">${PIN_HINT}</span>
          ${ref?.lockedOut ? html`<span class="note">Setting a PIN also lifts the lockout and resets the failed attempts.</span>` : nothing}
          ${this.problem ? html`<span id="pin-problem" class="error" role="alert">${this.problem}</span>` : nothing}
        </div>
        <div class="dialog-actions">
          <button type="button" @click=${() => this.dialog.close()}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${this.busy}>Set PIN</button>
        </div>
      </form>
    </dialog>`
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const pin = this.field.value
    const problem = pinProblem(pin)
    if (problem !== null) {
      this.problem = problem
      this.field.focus()
      return
    }
    if (this.#submit === null || this.busy) return
    this.busy = true
    try {
      await this.#submit(pin)
      this.field.value = ''
      this.dialog.close()
    } catch (error) {
      this.problem = failureText(error)
      this.field.focus()
    } finally {
      this.busy = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-pin-dialog': SsPinDialog
  }
}
