import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { dateTimeSeconds, timeEl, who } from '../access/format.ts'
import { accessStyles } from '../access/styles.ts'
import { actorText, entryDetails, outcomeBadge } from './entry-format.ts'
import type { AuditEntry } from './types.ts'

/**
 * One study's story from the audit trail (S33): a vertical list, newest first, each
 * step with when, who (and on whose behalf), what, the outcome and from where.
 */
@customElement('ss-audit-timeline')
export class SsAuditTimeline extends LitElement {
  static override styles = [
    accessStyles,
    css`
      ol {
        margin: 0;
        padding: 0 0 0 1rem;
        list-style: none;
        border-inline-start: 3px solid #d0d5dd;
      }
      li {
        position: relative;
        margin: 0 0 0.75rem;
        padding-inline-start: 0.75rem;
      }
      li::before {
        content: '';
        position: absolute;
        inset-inline-start: -1.45rem;
        inset-block-start: 0.35rem;
        inline-size: 0.7rem;
        block-size: 0.7rem;
        border-radius: 50%;
        background: #0b2545;
      }
      li.problem::before {
        background: #b00020;
      }
      .when {
        display: block;
        color: #475467;
        font-size: 0.9rem;
      }
      pre {
        white-space: pre-wrap;
        word-break: break-word;
      }
    `,
  ]

  /** The accession the timeline is about. */
  @property() subject = ''
  @property({ attribute: false }) entries: AuditEntry[] = []

  override render() {
    return html`<ol aria-label="Timeline of study ${this.subject}, newest first">
      ${this.entries.map(
        (e) => html`<li class=${e.outcome === 'success' ? '' : 'problem'} data-entry=${e.id}>
          <span class="when">${timeEl(e.at, dateTimeSeconds(e.at))}</span>
          <strong><code>${e.action}</code></strong> by ${actorText(e)}${
            e.onBehalfOf ? ` on behalf of ${who(e.onBehalfOf)}` : ''
          } ${outcomeBadge(e.outcome)} <span class="note">from ${e.source.ip}</span>
          ${entryDetails(e)}
        </li>`,
      )}
    </ol>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-audit-timeline': SsAuditTimeline
  }
}
