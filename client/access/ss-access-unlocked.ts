import { html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { BreakGlassView } from '../../shared/access-types.ts'
import { timeEl, who } from './format.ts'
import { accessStyles } from './styles.ts'

/**
 * "Unlocked (Break-the-glass)" (seed 002, S31): everyone who unlocked the study
 * without a grant, when, why, until when, and whether an admin reviewed it.
 */
@customElement('ss-access-unlocked')
export class SsAccessUnlocked extends LitElement {
  static override styles = accessStyles

  @property({ attribute: false }) entries: BreakGlassView[] = []

  override render() {
    if (this.entries.length === 0)
      return html`<p class="empty">Nobody has unlocked this study with break-the-glass.</p>`
    return html`<div class="scroll">
      <table aria-label="Break-the-glass unlocks">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Unlocked at</th>
            <th scope="col">Reason</th>
            <th scope="col">Access</th>
            <th scope="col">Review</th>
          </tr>
        </thead>
        <tbody>
          ${this.entries.map(
            (b) => html`<tr>
              <th scope="row">${who(b.user)}</th>
              <td>${timeEl(b.at)}</td>
              <td>${b.reason}</td>
              <td>
                ${
                  b.active
                    ? html`<span class="badge bad">Active</span> until ${timeEl(b.expiresAt)}`
                    : html`<span class="badge muted">Expired</span> ${timeEl(b.expiresAt)}`
                }
              </td>
              <td>
                ${
                  b.acknowledgedBy === null
                    ? html`<span class="warn">Not yet reviewed</span>`
                    : html`Acknowledged by ${who(b.acknowledgedBy)}${
                        b.acknowledgedAt ? html` at ${timeEl(b.acknowledgedAt)}` : ''
                      }`
                }
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-unlocked': SsAccessUnlocked
  }
}
