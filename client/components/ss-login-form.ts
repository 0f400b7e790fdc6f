import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { controlStyles } from '../theme.ts'

export interface SignInDetail {
  readonly username: string
  readonly password: string
}

/** The login form of API.md "Web app": fields "Username" and "Password", a "Sign in" button. */
@customElement('ss-login-form')
export class SsLoginForm extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        font-family: var(--ss-font, system-ui, sans-serif);
      }
      form {
        display: grid;
        gap: 0.375rem;
        max-width: 20rem;
      }
      label {
        font-weight: 600;
      }
      input {
        width: 100%;
        min-height: 2.75rem;
        margin-bottom: 0.5rem;
      }
      button {
        min-height: 2.75rem;
        margin-top: 0.25rem;
      }
      [role='alert'] {
        margin: 0.5rem 0 0;
        color: var(--ss-danger, #b00020);
      }
    `,
  ]

  /** Shown under the form, e.g. "Wrong username or password". */
  @property() error = ''
  @property({ type: Boolean }) busy = false

  override render() {
    return html`
      <form @submit=${this.#submit} aria-label="Sign in">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary" ?disabled=${this.busy}>Sign in</button>
        ${this.error ? html`<p role="alert">${this.error}</p>` : null}
      </form>
    `
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault()
    const data = new FormData(event.target as HTMLFormElement)
    const detail: SignInDetail = {
      username: String(data.get('username') ?? ''),
      password: String(data.get('password') ?? ''),
    }
    this.dispatchEvent(new CustomEvent('ss-sign-in', { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-login-form': SsLoginForm
  }
  interface HTMLElementEventMap {
    'ss-sign-in': CustomEvent<SignInDetail>
  }
}
