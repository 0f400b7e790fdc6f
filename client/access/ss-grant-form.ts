import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import type { GrantType } from '../../shared/access-types.ts'
import { ApiError } from '../api.ts'
import type { GrantRequest } from '../app/contexts.ts'
import { roleLabel } from '../app/roles.ts'
import type { AccessActions, Grantee, Principal } from './access-controller.ts'
import { failureText, GRANT_TYPE_HINT, GRANT_TYPE_LABEL, GRANT_TYPES } from './format.ts'
import { accessStyles } from './styles.ts'

type Field = 'grantee' | 'type' | 'validUntil'
type Problems = Partial<Record<Field, string>>

/** The form's values as the request they make, or what is wrong with them. */
export function grantRequestOf(
  values: { grantee: string; type: string; validUntil: string },
  today: Date = new Date(),
): { request: GrantRequest } | { problems: Problems } {
  const problems: Problems = {}
  const [kind, ...rest] = values.grantee.split(':')
  const id = rest.join(':')
  if ((kind !== 'user' && kind !== 'group') || id === '')
    problems.grantee = 'Choose a user or a group.'
  if (!GRANT_TYPES.includes(values.type as GrantType)) problems.type = 'Choose an access type.'
  let validUntil: string | null = null
  if (values.validUntil !== '') {
    const end = endOfDay(values.validUntil)
    if (end === null) problems.validUntil = 'Enter a date like 2026-12-31, or leave it empty.'
    else if (end.getTime() <= today.getTime())
      problems.validUntil = 'Valid until must be today or later (or empty for no end date).'
    else validUntil = end.toISOString()
  }
  if (Object.keys(problems).length > 0) return { problems }
  const who = kind === 'user' ? { userId: id } : { groupId: id }
  return { request: { ...who, type: values.type as GrantType, validUntil } }
}

/** The last moment of a local calendar day "YYYY-MM-DD": access lasts through that day. */
function endOfDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (match === null) return null
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  const end = new Date(y, m - 1, d, 23, 59, 59, 999)
  return end.getDate() === d ? end : null
}

/** The server's field names → ours. */
const SERVER_FIELD: Readonly<Record<string, Field>> = {
  userId: 'grantee',
  groupId: 'grantee',
  type: 'type',
  validUntil: 'validUntil',
}

/**
 * "Add access" (seed 002 Users, S30): a user or group, the access type and an
 * optional valid-until date. Checked here first; the server's refusal is shown
 * field by field. Calls `actions.addGrant`; the list updates from its answer.
 */
@customElement('ss-grant-form')
export class SsGrantForm extends LitElement {
  static override styles = [
    accessStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: flex-start;
      }
      .submit {
        align-self: flex-end;
      }
      h4 {
        margin: 1rem 0 0.5rem;
      }
    `,
  ]

  @property({ attribute: false }) users: Grantee[] = []
  @property({ attribute: false }) groups: Principal[] = []
  @property({ attribute: false }) actions: AccessActions | null = null

  @state() private problems: Problems = {}
  @state() private failure = ''
  @state() private busy = false
  @query('form') private form!: HTMLFormElement

  override render() {
    const p = this.problems
    return html`<form novalidate aria-labelledby="add-heading" @submit=${this.#submit}>
      <h4 id="add-heading">Add access</h4>
      <div class="row">
        <div class="field">
          <label for="grantee">User or group</label>
          <select id="grantee" name="grantee" aria-invalid=${p.grantee ? 'true' : 'false'}
            aria-describedby=${p.grantee ? 'grantee-problem' : nothing} @change=${this.#clear}>
            <option value="">Choose…</option>
            <optgroup label="Users">
              ${this.users.map(
                (u) => html`<option value="user:${u.id}">${u.name} (${roleLabel(u.role)})</option>`,
              )}
            </optgroup>
            ${
              this.groups.length === 0
                ? nothing
                : html`<optgroup label="Groups">
                  ${this.groups.map((g) => html`<option value="group:${g.id}">${g.name}</option>`)}
                </optgroup>`
            }
          </select>
          ${this.#problem('grantee')}
        </div>
        <div class="field">
          <label for="type">Access type</label>
          <select id="type" name="type" aria-invalid=${p.type ? 'true' : 'false'}
            aria-describedby=${p.type ? 'type-problem' : nothing} @change=${this.#clear}>
            ${GRANT_TYPES.map(
              (t) =>
                html`<option value=${t}>${GRANT_TYPE_LABEL[t]} — ${GRANT_TYPE_HINT[t]}</option>`,
            )}
          </select>
          ${this.#problem('type')}
        </div>
        <div class="field">
          <label for="valid-until">Valid until</label>
          <input id="valid-until" name="validUntil" type="date"
            aria-invalid=${p.validUntil ? 'true' : 'false'}
            aria-describedby="valid-until-hint${p.validUntil ? ' validUntil-problem' : ''}"
            @input=${this.#clear} />
          <span id="valid-until-hint" class="note">Through the end of that day; empty for no end date.</span>
          ${this.#problem('validUntil')}
        </div>
        <div class="submit">
          <button type="submit" class="primary" ?disabled=${this.busy}>Add access</button>
        </div>
      </div>
      ${this.failure ? html`<p class="error" role="alert">${this.failure}</p>` : nothing}
    </form>`
  }

  #problem(field: Field) {
    const text = this.problems[field]
    return text ? html`<span id="${field}-problem" class="error">${text}</span>` : nothing
  }

  #clear(): void {
    if (Object.keys(this.problems).length > 0) this.problems = {}
    this.failure = ''
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const data = new FormData(this.form)
    const checked = grantRequestOf({
      grantee: String(data.get('grantee') ?? ''),
      type: String(data.get('type') ?? ''),
      validUntil: String(data.get('validUntil') ?? ''),
    })
    this.failure = ''
    if ('problems' in checked) {
      this.problems = checked.problems
      await this.updateComplete
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
      return
    }
    if (this.actions === null || this.busy) return
    this.busy = true
    try {
      await this.actions.addGrant(checked.request)
      this.form.reset()
      this.problems = {}
    } catch (error) {
      this.#refused(error)
    } finally {
      this.busy = false
    }
  }

  #refused(error: unknown): void {
    const fields = error instanceof ApiError ? error.body.fields : undefined
    const problems: Problems = {}
    for (const [key, text] of Object.entries(fields ?? {})) {
      const field = SERVER_FIELD[key]
      if (field) problems[field] = `${error instanceof Error ? error.message : text}`
    }
    this.problems = problems
    this.failure = Object.keys(problems).length > 0 ? '' : failureText(error)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-grant-form': SsGrantForm
  }
}
