import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'

export interface SignInDetail {
  readonly username: string
  readonly password: string
}

/** The login form of API.md "Web app": fields "Username" and "Password", a "Sign in" button. */
@customElement('ss-login-form')
export class SsLoginForm extends LitElement {
  static override styles = css`
    form {
      display: grid;
      gap: 0.5rem;
      max-width: 20rem;
    }
    [role='alert'] {
      color: #b00020;
    }
  `

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
        <button type="submit" ?disabled=${this.busy}>Sign in</button>
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
