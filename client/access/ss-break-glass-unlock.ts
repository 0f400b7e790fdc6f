import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { BreakGlassView } from '../../shared/access-types.ts'
import { apiContext, type StudySyncApi } from '../app/contexts.ts'
import { BREAK_GLASS_MIN_REASON } from './break-glass-controller.ts'
import { failureText, statusOf } from './format.ts'
import { accessStyles } from './styles.ts'

export type UnlockedEvent = CustomEvent<{ breakGlass: BreakGlassView }>

/**
 * "Unlock (break the glass)" for a study the user has no access to (S31): a modal
 * dialog that needs a typed reason of at least {@link BREAK_GLASS_MIN_REASON}
 * characters, then POST …/break-glass. Fires `ss-unlocked` with the server's
 * answer (its expiry) so the host can reload the study.
 */
@customElement('ss-break-glass-unlock')
export class SsBreakGlassUnlock extends LitElement {
  static override styles = [
    accessStyles,
    css`
      textarea {
        box-sizing: border-box;
        inline-size: 100%;
        min-block-size: 5rem;
      }
    `,
  ]

  @property() accession = ''
  @consume({ context: apiContext, subscribe: true }) api: StudySyncApi | null = null

  @state() private problem = ''
  @state() private busy = false
  @query('dialog') private dialog!: HTMLDialogElement
  @query('textarea') private field!: HTMLTextAreaElement

  override render() {
    return html`<p class="note">
        In an emergency you can unlock this study for a limited time by giving a reason. The
        unlock is recorded in the audit trail and reviewed by an administrator.
      </p>
      <button type="button" class="danger" aria-haspopup="dialog" @click=${this.#open}>
        Unlock (break the glass)
      </button>
      <dialog aria-labelledby="bg-heading">
        <h2 id="bg-heading">Unlock study ${this.accession} (break the glass)</h2>
        <p>
          You are about to open a study you have not been given access to. Your name, the time
          and your reason are recorded and reviewed. Access ends automatically.
        </p>
        <form novalidate @submit=${this.#submit}>
          <div class="field">
            <label for="reason">Reason for emergency access</label>
            <textarea id="reason" name="reason" maxlength="1000" required
              aria-invalid=${this.problem ? 'true' : 'false'}
              aria-describedby="reason-hint${this.problem ? ' reason-problem' : ''}"
              @input=${() => {
                this.problem = ''
              }}></textarea>
            <span id="reason-hint" class="note">At least ${BREAK_GLASS_MIN_REASON} characters.</span>
            ${this.problem ? html`<span id="reason-problem" class="error" role="alert">${this.problem}</span>` : nothing}
          </div>
          <div class="dialog-actions">
            <button type="button" @click=${() => this.dialog.close()}>Cancel</button>
            <button type="submit" class="danger" ?disabled=${this.busy}>Unlock</button>
          </div>
        </form>
      </dialog>`
  }

  #open(): void {
    this.problem = ''
    this.field.value = ''
    this.dialog.showModal()
    this.field.focus()
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const reason = this.field.value.trim()
    if (reason.length < BREAK_GLASS_MIN_REASON) {
      this.problem = `Give a reason of at least ${BREAK_GLASS_MIN_REASON} characters (${reason.length} so far).`
      this.field.focus()
      return
    }
    if (this.api === null || this.busy) return
    this.busy = true
    try {
      const { breakGlass } = await this.api.breakGlass(this.accession, reason)
      this.dialog.close()
      this.dispatchEvent(
        new CustomEvent('ss-unlocked', { detail: { breakGlass }, bubbles: true, composed: true }),
      )
    } catch (error) {
      // 409: access came meanwhile (a grant); reloading is all that is needed.
      if (statusOf(error) === 409) {
        this.dialog.close()
        this.dispatchEvent(new CustomEvent('ss-access-changed', { bubbles: true, composed: true }))
        return
      }
      this.problem = failureText(error)
      this.field.focus()
    } finally {
      this.busy = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-break-glass-unlock': SsBreakGlassUnlock
  }
  interface HTMLElementEventMap {
    'ss-unlocked': UnlockedEvent
    'ss-access-changed': CustomEvent<undefined>
  }
}
