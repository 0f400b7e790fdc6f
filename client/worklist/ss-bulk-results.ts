import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { clockSeconds } from './format.ts'
import { controlStyles } from './styles.ts'
import type { BulkOutcome, GroupOutcome } from './types.ts'

/**
 * What the server answered to a bulk assign (S17: study by study, with its error)
 * or to grouping (S20: what was grouped, and each study left out with the reason,
 * who changed it and when). Lives in a polite live region.
 */
@customElement('ss-bulk-results')
export class SsBulkResults extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      section {
        border: 1px solid var(--ss-border);
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
        background: #fafbfc;
      }
      h2 {
        font-size: 1rem;
        margin: 0.25rem 0 0.5rem;
      }
      ul {
        margin: 0 0 0.5rem;
        padding-left: 1.25rem;
      }
      .failed {
        color: #8c1d18;
      }
      .ok {
        color: #14532d;
      }
    `,
  ]

  @property({ attribute: false }) bulk: BulkOutcome | null = null
  @property({ attribute: false }) group: GroupOutcome | null = null

  override render() {
    const body = this.bulk ? this.#bulk(this.bulk) : this.group ? this.#group(this.group) : nothing
    return html`<div aria-live="polite">
      ${
        body === nothing
          ? nothing
          : html`<section aria-labelledby="results-title">
            ${body}
            <button type="button" @click=${this.#dismiss}>Dismiss results</button>
          </section>`
      }
    </div>`
  }

  #bulk(outcome: BulkOutcome) {
    const verb =
      outcome.action === 'assign' ? 'Assign reading physician' : 'Unassign reading physician'
    if (outcome.kind === 'failed') {
      return html`<h2 id="results-title">${verb}: failed</h2>
        <p class="failed">${outcome.message}</p>`
    }
    const failed = outcome.results.filter((r) => !r.ok).length
    const who = outcome.action === 'assign' && outcome.userName ? ` (${outcome.userName})` : ''
    return html`<h2 id="results-title">
        ${verb}${who}: ${outcome.results.length - failed} done, ${failed} failed
      </h2>
      <ul aria-label="Results by study">
        ${outcome.results.map((r) =>
          r.ok
            ? html`<li class="ok">${r.accession}: done</li>`
            : html`<li class="failed">${r.accession}: failed — ${r.error ?? 'refused'}</li>`,
        )}
      </ul>`
  }

  #group(outcome: GroupOutcome) {
    if (outcome.kind === 'failed') {
      return html`<h2 id="results-title">Group: failed</h2>
        <p class="failed">${outcome.message}</p>`
    }
    const made = outcome.group
      ? `Grouped ${outcome.grouped.join(', ')} as ${outcome.group}`
      : 'No group was made'
    return html`<h2 id="results-title">${made}</h2>
      ${
        outcome.excluded.length === 0
          ? nothing
          : html`<p>Left out:</p>
            <ul aria-label="Left out of the group">
              ${outcome.excluded.map(
                (e) => html`<li class="failed">
                  ${e.accession}: ${e.reason}${
                    e.by ? ` — changed by ${e.by}${e.at ? ` at ${clockSeconds(e.at)}` : ''}` : ''
                  }
                </li>`,
              )}
            </ul>`
      }`
  }

  #dismiss = () => {
    this.dispatchEvent(new CustomEvent('ss-results-dismiss', { bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-bulk-results': SsBulkResults
  }
}
