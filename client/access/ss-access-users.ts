import { html, LitElement, nothing } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import type { GrantView } from '../../shared/access-types.ts'
import { type AccessActions, type Grantee, grantee, type Principal } from './access-controller.ts'
import { GRANT_TYPE_LABEL, timeEl, who } from './format.ts'
import type { SsGroupDialog } from './ss-group-dialog.ts'
import { accessStyles } from './styles.ts'
import './ss-grant-form.ts'
import './ss-group-dialog.ts'

/**
 * The Users section (seed 002, S30): the users and groups the study is granted
 * to, with access type, valid until, and who granted it when. Group names open
 * the group's details; managers get a withdraw button per row and "Add access".
 */
@customElement('ss-access-users')
export class SsAccessUsers extends LitElement {
  static override styles = accessStyles

  @property({ attribute: false }) grants: GrantView[] = []
  @property({ type: Boolean }) manage = false
  @property({ attribute: false }) actions: AccessActions | null = null
  @property({ attribute: false }) users: Grantee[] = []
  @property({ attribute: false }) groups: Principal[] = []

  @query('ss-group-dialog') private groupDialog!: SsGroupDialog

  override render() {
    return html`${
      this.grants.length === 0
        ? html`<p class="empty">No users or groups have been granted access to this study.</p>`
        : html`<div class="scroll">
          <table aria-labelledby="users-caption">
            <caption id="users-caption" class="visually-hidden">Users and groups with access</caption>
            <thead>
              <tr>
                <th scope="col">User or group</th>
                <th scope="col">Access type</th>
                <th scope="col">Valid until</th>
                <th scope="col">Granted by</th>
                <th scope="col">Granted at</th>
                ${this.manage ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
              </tr>
            </thead>
            <tbody>
              ${this.grants.map((g) => this.#row(g))}
            </tbody>
          </table>
        </div>`
    }
      ${
        this.manage
          ? html`<ss-grant-form .users=${this.users} .groups=${this.groups} .actions=${this.actions}></ss-grant-form>`
          : nothing
      }
      <ss-group-dialog></ss-group-dialog>`
  }

  #row(g: GrantView) {
    const name = grantee(g)
    return html`<tr data-grant=${g.id}>
      <th scope="row">${this.#principal(g)}</th>
      <td>${GRANT_TYPE_LABEL[g.type] ?? g.type}</td>
      <td>${g.validUntil === null ? html`<span class="note">No end date</span>` : timeEl(g.validUntil)}</td>
      <td>${who(g.grantedBy)}</td>
      <td>${timeEl(g.grantedAt)}</td>
      ${
        this.manage
          ? html`<td>
            <button type="button" class="danger" aria-label="Withdraw access for ${name}"
              @click=${() => this.actions?.withdrawGrant(g).catch(() => {})}>
              <span aria-hidden="true">✕</span> Withdraw
            </button>
          </td>`
          : nothing
      }
    </tr>`
  }

  #principal(g: GrantView) {
    const group = g.group
    if (group === undefined) return who(g.user)
    return html`<button type="button" class="link" aria-haspopup="dialog"
        @click=${() => this.groupDialog.show(group)}>${group.name}</button>
      <span class="badge muted">Group</span>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-users': SsAccessUsers
  }
}
