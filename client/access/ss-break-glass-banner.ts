import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { ActiveBreakGlass } from './break-glass-controller.ts'
import { untilText } from './format.ts'

/**
 * The persistent banner while the user is on a study through break-the-glass
 * (S31): until when, and the reason they gave. Nothing when `active` is null.
 */
@customElement('ss-break-glass-banner')
export class SsBreakGlassBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    p {
      margin: 0.5rem 0;
      padding: 0.5rem 0.75rem;
      border-left: 6px solid #b00020;
      background: #fdecee;
      color: #5c0011;
      font-weight: 600;
    }
    .note {
      display: block;
      font-weight: 400;
    }
  `

  @property({ attribute: false }) active: ActiveBreakGlass | null = null

  override render() {
    const active = this.active
    if (active === null) return nothing
    return html`<p role="status">
      Emergency access (break-the-glass) until
      <time datetime=${active.expiresAt}>${untilText(active.expiresAt)}</time> — reason:
      ${active.reason}
      <span class="note">This access is recorded in the audit trail and reviewed by an administrator.</span>
    </p>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-break-glass-banner': SsBreakGlassBanner
  }
}
