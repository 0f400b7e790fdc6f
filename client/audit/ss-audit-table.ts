import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { dateTimeSeconds, timeEl, who } from '../access/format.ts'
import { accessStyles } from '../access/styles.ts'
import { actorText, entryDetails, outcomeBadge, subjectText } from './entry-format.ts'
import type { AuditEntry } from './types.ts'

/** Audit entries as a table, newest first: who, on whose behalf, what, about what, from where. */
@customElement('ss-audit-table')
export class SsAuditTable extends LitElement {
  static override styles = [
    accessStyles,
    css`
      td,
      th {
        white-space: nowrap;
      }
      td.wrap {
        white-space: normal;
        min-inline-size: 12rem;
      }
      pre {
        margin: 0;
        max-inline-size: 40rem;
        white-space: pre-wrap;
        word-break: break-word;
      }
      dl.details {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.125rem 0.75rem;
      }
      dd {
        margin: 0;
        word-break: break-all;
      }
    `,
  ]

  @property({ attribute: false }) entries: AuditEntry[] = []

  override render() {
    return html`<div class="scroll">
      <table aria-label="Audit entries, newest first">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">On behalf of</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Patient</th>
            <th scope="col">Outcome</th>
            <th scope="col">Source IP</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          ${this.entries.map(
            (e) => html`<tr data-entry=${e.id}>
              <td>${timeEl(e.at, dateTimeSeconds(e.at))}</td>
              <td>${actorText(e)}</td>
              <td>${e.onBehalfOf ? who(e.onBehalfOf) : '—'}</td>
              <td><code>${e.action}</code></td>
              <td>${subjectText(e)}</td>
              <td>${e.patientId ?? '—'}</td>
              <td>${outcomeBadge(e.outcome)}</td>
              <td>${e.source.ip}</td>
              <td class="wrap">${entryDetails(e)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-audit-table': SsAuditTable
  }
}
