import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { dateTimeSeconds } from '../access/format.ts'
import { canManageAccess } from '../access/permissions.ts'
import { accessStyles } from '../access/styles.ts'
import { type AppSession, apiContext, type StudySyncApi, sessionContext } from '../app/contexts.ts'
import { AuditController } from './audit-controller.ts'
import { isStudyFilter } from './audit-query.ts'
import { type SaveFile, saveFile } from './download.ts'
import type { AuditSearchEvent } from './ss-audit-filters.ts'
import type { AuditRetentionAnchor, AuditVerifyResult } from './types.ts'
import './ss-audit-filters.ts'
import './ss-audit-table.ts'
import './ss-audit-timeline.ts'
import './ss-break-glass-queue.ts'

/**
 * The audit trail for admins (`#/admin/audit`, S33, issue 6 item 7): search by
 * subject, user, action and time, newest first with "Load more"; a study's
 * timeline; hash-chain verification; FHIR AuditEvent export; and, for holders of
 * Manage Access, the break-the-glass review queue (S31).
 */
@customElement('ss-audit-viewer')
export class SsAuditViewer extends LitElement {
  static override styles = [
    accessStyles,
    css`
      h2 {
        margin: 0 0 0.25rem;
      }
      section {
        margin-top: 1.5rem;
      }
      .verdict {
        padding: 0.5rem 0.75rem;
        border-left: 6px solid;
        font-weight: 600;
      }
      .verdict.ok {
        border-color: #0b5d27;
        background: #e7f6ec;
        color: #0b5d27;
      }
      .verdict.broken {
        border-color: #b00020;
        background: #fdecee;
        color: #8a1c00;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        margin: 0.75rem 0;
      }
      [aria-pressed='true'] {
        background: #0b2545;
        color: #fff;
      }
    `,
  ]

  /** How the FHIR export reaches the user; tests replace it. */
  @property({ attribute: false }) saveFile: SaveFile = saveFile

  @consume({ context: apiContext, subscribe: true }) api: StudySyncApi | null = null
  @consume({ context: sessionContext, subscribe: true }) session: AppSession | null = null

  @state() private view: 'table' | 'timeline' = 'table'

  readonly #audit = new AuditController(this)

  protected override willUpdate(): void {
    this.#audit.setApi(this.api)
  }

  override render() {
    return html`<h2>Audit trail</h2>
      <p class="note">
        Every access and change, with who, what, when, from where and the outcome. The log is
        append-only and hash-chained; reading, verifying and exporting it is recorded too.
      </p>
      ${this.#integrity()}
      ${
        canManageAccess(this.session?.user)
          ? html`<section aria-labelledby="review-heading">
            <h3 id="review-heading">Break-the-glass review</h3>
            <ss-break-glass-queue></ss-break-glass-queue>
          </section>`
          : nothing
      }
      ${this.#search()}`
  }

  #integrity() {
    const v = this.#audit.verify
    return html`<section aria-labelledby="integrity-heading">
      <h3 id="integrity-heading">Chain integrity</h3>
      <button type="button" ?disabled=${v.kind === 'checking'} @click=${() => this.#audit.verifyChain()}>
        Verify chain
      </button>
      <div aria-live="polite">
        ${v.kind === 'checking' ? html`<p role="status">Checking every stored entry…</p>` : nothing}
        ${v.kind === 'failed' ? html`<p role="alert" class="error">Could not verify: ${v.message}</p>` : nothing}
        ${v.kind === 'done' ? this.#verdict(v.result, v.at) : nothing}
      </div>
    </section>`
  }

  #verdict(result: AuditVerifyResult, at: string) {
    const checked = `${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} checked at ${dateTimeSeconds(at)}`
    const verdict = result.ok
      ? html`<p role="status" class="verdict ok">
          <span aria-hidden="true">✓</span> Chain intact: every stored entry checks out (${checked}).
        </p>`
      : html`<p role="alert" class="verdict broken">
          <span aria-hidden="true">✗</span> Chain broken at entry ${result.brokenAt ?? '?'}: that
          entry or its link to the one before was altered, so it and everything after it cannot
          be trusted (${checked}).${result.reason ? ` ${capitalise(result.reason)}.` : ''}
        </p>`
    return html`${verdict}${result.anchor ? retained(result.anchor) : nothing}`
  }

  #search() {
    const a = this.#audit
    const study = isStudyFilter(a.filters, a.entries[0]?.subject.type)
    const timeline = study && this.view === 'timeline'
    return html`<section aria-labelledby="search-heading">
      <h3 id="search-heading">Entries</h3>
      <ss-audit-filters .users=${a.users} ?busy=${a.loading} @ss-audit-search=${this.#onSearch}></ss-audit-filters>
      <div class="toolbar">
        <button type="button" ?disabled=${a.exporting} @click=${() => a.exportFhir(this.saveFile)}>
          Export FHIR
        </button>
        ${
          study
            ? html`<div role="group" aria-label="Show as">
              <button type="button" aria-pressed=${String(!timeline)} @click=${() => {
                this.view = 'table'
              }}>Table</button>
              <button type="button" aria-pressed=${String(timeline)} @click=${() => {
                this.view = 'timeline'
              }}>Timeline</button>
            </div>`
            : nothing
        }
        <span role="status">${a.exportMessage}</span>
      </div>
      ${a.exportError ? html`<p role="alert" class="error">${a.exportError}</p>` : nothing}
      ${a.error ? html`<p role="alert" class="error">${a.error}</p>` : nothing}
      <p role="status" aria-live="polite">${this.#summary()}</p>
      ${
        a.entries.length === 0
          ? nothing
          : timeline
            ? html`<ss-audit-timeline subject=${a.filters.subject ?? ''} .entries=${a.entries}></ss-audit-timeline>`
            : html`<ss-audit-table .entries=${a.entries}></ss-audit-table>`
      }
      ${
        a.nextCursor === null
          ? nothing
          : html`<p><button type="button" ?disabled=${a.loading} @click=${() => a.loadMore()}>Load more</button></p>`
      }
    </section>`
  }

  #summary(): string {
    const a = this.#audit
    if (a.loading) return 'Loading entries…'
    if (!a.searched) return ''
    if (a.entries.length === 0) return 'No entries match these filters.'
    const n = a.entries.length
    return `${n} entr${n === 1 ? 'y' : 'ies'} shown, newest first${a.nextCursor === null ? '' : '; more are available'}.`
  }

  #onSearch(event: AuditSearchEvent): void {
    this.view = event.detail.filters.subject ? 'timeline' : 'table'
    void this.#audit.search(event.detail.filters)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-audit-viewer': SsAuditViewer
  }
}

/** What retention removed, said next to the verdict so a shorter chain is not a surprise. */
function retained(anchor: AuditRetentionAnchor) {
  const n = anchor.prunedEntries
  return html`<p class="retention">
    The ${n} oldest entr${n === 1 ? 'y was' : 'ies were'} removed by the retention policy (entries up
    to ${dateTimeSeconds(anchor.prunedThroughAt)}, last removed ${dateTimeSeconds(anchor.prunedAt)});
    the check starts after entry ${anchor.prunedThroughId}.
  </p>`
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
