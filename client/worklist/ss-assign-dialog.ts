import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { PersonRef } from '../../shared/domain.ts'
import { roleName } from './format.ts'
import { controlStyles } from './styles.ts'
import type { AssignDetail, QuickEditRole, UserOption } from './types.ts'

export interface AssignRequest {
  accession: string
  role: QuickEditRole
  current: PersonRef | null
}

const ROLE_TITLES: Record<QuickEditRole, string> = {
  readingPhysician: 'Reading physician',
  performingPhysician: 'Performing physician',
}

/**
 * The quick-edit picker (S11): a modal dialog listing who may fill the role.
 * Submitting fires `ss-assign`; the worklist sends it with the row's rev.
 */
@customElement('ss-assign-dialog')
export class SsAssignDialog extends LitElement {
  static override styles = [
    controlStyles,
    css`
      dialog {
        min-width: min(26rem, 92vw);
        border: 1px solid var(--ss-border);
        border-radius: 8px;
        padding: 1rem 1.25rem;
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.15rem;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        max-height: 50vh;
        overflow: auto;
      }
      label {
        display: flex;
        align-items: center;
        min-height: 44px;
      }
      .buttons {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        margin-top: 1rem;
      }
    `,
  ]

  /** Who may be chosen (already filtered by role); null while loading. */
  @property({ attribute: false }) users: UserOption[] | null = null
  @property() error = ''

  @state() private request: AssignRequest | null = null
  @state() private chosen = ''
  @query('dialog') private dialog!: HTMLDialogElement

  /** Opens the dialog for one study and role, with the current assignee preselected. */
  async show(request: AssignRequest): Promise<void> {
    this.request = request
    this.chosen = request.current?.id ?? ''
    await this.updateComplete
    if (!this.dialog.open) this.dialog.showModal()
  }

  override render() {
    const request = this.request
    const title = request ? `${ROLE_TITLES[request.role]} for ${request.accession}` : ''
    return html`<dialog aria-labelledby="title" @close=${this.#closed}>
      <form @submit=${this.#submit}>
        <h2 id="title">${title}</h2>
        ${this.#choices(request, title)}
        <div class="buttons">
          <button type="button" @click=${() => this.dialog.close()}>Cancel</button>
          <button type="submit" ?disabled=${!this.chosen || this.chosen === request?.current?.id}>
            Assign
          </button>
        </div>
      </form>
    </dialog>`
  }

  #choices(request: AssignRequest | null, title: string) {
    if (this.error) return html`<p role="alert">${this.error}</p>`
    if (this.users === null) return html`<p role="status">Loading users…</p>`
    if (this.users.length === 0) return html`<p>Nobody can be assigned to this role.</p>`
    return html`<fieldset>
      <legend class="visually-hidden">${title}</legend>
      ${this.users.map(
        (user) => html`<label>
          <input
            type="radio"
            name="user"
            .value=${user.id}
            .checked=${user.id === this.chosen}
            @change=${() => {
              this.chosen = user.id
            }}
          />
          ${user.name}${user.role === 'radiologist' ? nothing : html`&nbsp;(${roleName(user.role)})`}
          ${user.id === request?.current?.id ? html`&nbsp;— current` : nothing}
        </label>`,
      )}
    </fieldset>`
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault()
    const request = this.request
    if (!request || !this.chosen) return
    const detail: AssignDetail = {
      accession: request.accession,
      role: request.role,
      userId: this.chosen,
    }
    this.dialog.close()
    this.dispatchEvent(new CustomEvent('ss-assign', { detail, bubbles: true, composed: true }))
  }

  #closed(): void {
    this.request = null
    this.chosen = ''
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-assign-dialog': SsAssignDialog
  }
}
