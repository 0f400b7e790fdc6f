import { html, LitElement, nothing } from 'lit'
import { customElement, query, state } from 'lit/decorators.js'
import type { GroupView } from '../../shared/access-types.ts'
import { accessStyles } from './styles.ts'

/**
 * A group's details (seed 002: "by clicking a group's name, you can consult the
 * details for the group"): its members, address and contact information.
 */
@customElement('ss-group-dialog')
export class SsGroupDialog extends LitElement {
  static override styles = accessStyles

  @state() private group: GroupView | null = null
  @query('dialog') private dialog!: HTMLDialogElement

  async show(group: GroupView): Promise<void> {
    this.group = group
    await this.updateComplete
    if (!this.dialog.open) this.dialog.showModal()
    this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus()
  }

  override render() {
    const group = this.group
    return html`<dialog aria-labelledby="group-name">
      ${group === null ? nothing : this.#details(group)}
      <div class="dialog-actions">
        <button type="button" @click=${() => this.dialog.close()}>Close</button>
      </div>
    </dialog>`
  }

  #details(group: GroupView) {
    const { address, phone, email } = group.contact
    return html`<h2 id="group-name">Group ${group.name}</h2>
      <h3 id="members">Members</h3>
      ${
        group.members.length === 0
          ? html`<p class="empty">This group has no members.</p>`
          : html`<ul aria-labelledby="members">
            ${group.members.map((m) => html`<li>${m.name}</li>`)}
          </ul>`
      }
      <h3>Contact</h3>
      <dl>
        <dt>Address</dt>
        <dd>${address || '—'}</dd>
        <dt>Phone</dt>
        <dd>${phone ? html`<a href="tel:${phone}">${phone}</a>` : '—'}</dd>
        <dt>Email</dt>
        <dd>${email ? html`<a href="mailto:${email}">${email}</a>` : '—'}</dd>
      </dl>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-group-dialog': SsGroupDialog
  }
}
