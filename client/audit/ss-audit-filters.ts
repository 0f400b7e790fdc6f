import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import { accessStyles } from '../access/styles.ts'
import { roleLabel } from '../app/roles.ts'
import { EMPTY_FILTERS, type FilterProblems, type FilterValues, filtersOf } from './audit-query.ts'
import type { AuditFilters } from './types.ts'

export type AuditSearchEvent = CustomEvent<{ filters: AuditFilters }>

/**
 * The audit viewer's filters (S33): subject, user, action, from and to. Checked
 * here; a valid search fires `ss-audit-search` with only the filters given.
 */
@customElement('ss-audit-filters')
export class SsAuditFilters extends LitElement {
  static override styles = [
    accessStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
        gap: 0.75rem;
        align-items: start;
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.75rem;
      }
    `,
  ]

  /** People to filter by (GET /users); a free-text field when empty. */
  @property({ attribute: false }) users: { id: string; name: string; role: string }[] = []
  @property({ type: Boolean }) busy = false

  @state() private problems: FilterProblems = {}
  @query('form') private form!: HTMLFormElement

  override render() {
    return html`<form novalidate role="search" aria-label="Filter the audit trail"
        @submit=${this.#submit} @reset=${this.#reset}>
      <div class="grid">
        ${this.#text('subject', 'Subject', 'A study accession, patient id or user id')}
        ${this.#user()}
        ${this.#text('action', 'Action', 'Exact, like study.open, or a prefix, like access.*')}
        ${this.#time('from', 'From')}
        ${this.#time('to', 'To')}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" ?disabled=${this.busy}>Search</button>
        <button type="reset">Clear filters</button>
      </div>
    </form>`
  }

  #text(name: 'subject' | 'action', label: string, hint: string) {
    return html`<div class="field">
      <label for=${name}>${label}</label>
      <input id=${name} name=${name} type="text" autocomplete="off" spellcheck="false"
        aria-invalid=${this.problems[name] ? 'true' : 'false'}
        aria-describedby="${name}-hint${this.problems[name] ? ` ${name}-problem` : ''}" />
      <span id="${name}-hint" class="note">${hint}</span>
      ${this.#problem(name)}
    </div>`
  }

  #user() {
    if (this.users.length === 0) {
      return html`<div class="field">
        <label for="user">User</label>
        <input id="user" name="user" type="text" autocomplete="off" aria-describedby="user-hint" />
        <span id="user-hint" class="note">A user id, or SYSTEM</span>
      </div>`
    }
    return html`<div class="field">
      <label for="user">User</label>
      <select id="user" name="user" aria-describedby="user-hint">
        <option value="">Anyone</option>
        ${this.users.map((u) => html`<option value=${u.id}>${u.name} (${roleLabel(u.role)})</option>`)}
        <option value="SYSTEM">SYSTEM (integrations)</option>
      </select>
      <span id="user-hint" class="note">Who did it, or on whose behalf</span>
    </div>`
  }

  #time(name: 'from' | 'to', label: string) {
    return html`<div class="field">
      <label for=${name}>${label}</label>
      <input id=${name} name=${name} type="datetime-local" step="1"
        aria-invalid=${this.problems[name] ? 'true' : 'false'}
        aria-describedby=${this.problems[name] ? `${name}-problem` : nothing} />
      ${this.#problem(name)}
    </div>`
  }

  #problem(name: keyof FilterValues) {
    const text = this.problems[name]
    return text
      ? html`<span id="${name}-problem" class="error" role="alert">${text}</span>`
      : nothing
  }

  #values(): FilterValues {
    const data = new FormData(this.form)
    const get = (key: keyof FilterValues) => String(data.get(key) ?? '')
    return {
      subject: get('subject'),
      user: get('user'),
      action: get('action'),
      from: get('from'),
      to: get('to'),
    }
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const checked = filtersOf(this.#values())
    if ('problems' in checked) {
      this.problems = checked.problems
      await this.updateComplete
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
      return
    }
    this.problems = {}
    this.#emit(checked.filters)
  }

  #reset(): void {
    this.problems = {}
    const checked = filtersOf(EMPTY_FILTERS)
    if ('filters' in checked) this.#emit(checked.filters)
  }

  #emit(filters: AuditFilters): void {
    this.dispatchEvent(
      new CustomEvent('ss-audit-search', { detail: { filters }, bubbles: true, composed: true }),
    )
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-audit-filters': SsAuditFilters
  }
  interface HTMLElementEventMap {
    'ss-audit-search': AuditSearchEvent
  }
}
