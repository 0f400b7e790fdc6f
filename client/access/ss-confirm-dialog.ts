import { html, LitElement } from 'lit'
import { customElement, query, state } from 'lit/decorators.js'
import { accessStyles } from './styles.ts'

export interface ConfirmRequest {
  /** The dialog's title, e.g. "Revoke whole bucket?". */
  heading: string
  /** What will happen, in a sentence or two. */
  message: string
  /** The confirming button, named for what it does: "Revoke whole bucket". */
  confirm: string
}

/**
 * A modal yes/no question for actions that take access away. `ask()` opens it and
 * resolves true only when the confirming button is pressed; Cancel, Escape and
 * another `ask()` resolve false. Focus starts on Cancel, the harmless choice.
 */
@customElement('ss-confirm-dialog')
export class SsConfirmDialog extends LitElement {
  static override styles = accessStyles

  @state() private request: ConfirmRequest | null = null
  @query('dialog') private dialog!: HTMLDialogElement
  #resolve: ((confirmed: boolean) => void) | null = null

  async ask(request: ConfirmRequest): Promise<boolean> {
    this.#settle(false)
    this.request = request
    await this.updateComplete
    if (!this.dialog.open) this.dialog.showModal()
    this.renderRoot.querySelector<HTMLButtonElement>('button.cancel')?.focus()
    return new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  override render() {
    const request = this.request
    // Escape fires `cancel`; `close` is not used: it arrives a task later, when a
    // new question may already be open.
    return html`<dialog aria-labelledby="heading" aria-describedby="message" @cancel=${() => this.#settle(false)}>
      <h2 id="heading">${request?.heading}</h2>
      <p id="message">${request?.message}</p>
      <div class="dialog-actions">
        <button type="button" class="cancel" @click=${() => this.#finish(false)}>Cancel</button>
        <button type="button" class="danger" @click=${() => this.#finish(true)}>${request?.confirm ?? 'Confirm'}</button>
      </div>
    </dialog>`
  }

  #finish(confirmed: boolean): void {
    this.#settle(confirmed)
    if (this.dialog.open) this.dialog.close()
  }

  #settle(confirmed: boolean): void {
    const resolve = this.#resolve
    this.#resolve = null
    resolve?.(confirmed)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-confirm-dialog': SsConfirmDialog
  }
}
