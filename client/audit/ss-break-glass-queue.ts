import { consume } from '@lit/context'
import { html, LitElement, nothing } from 'lit'
import { customElement } from 'lit/decorators.js'
import { timeEl, who } from '../access/format.ts'
import { accessStyles } from '../access/styles.ts'
import { apiContext, type FeedClient, feedContext, type StudySyncApi } from '../app/contexts.ts'
import { BreakGlassQueueController } from './break-glass-queue-controller.ts'

/**
 * "Break-the-glass review" (S31): every unlock no admin has acknowledged yet,
 * with who, which study, when, why and until when, and an Acknowledge button.
 */
@customElement('ss-break-glass-queue')
export class SsBreakGlassQueue extends LitElement {
  static override styles = accessStyles

  @consume({ context: apiContext, subscribe: true }) api: StudySyncApi | null = null
  @consume({ context: feedContext, subscribe: true }) feed: FeedClient | null = null

  readonly #queue = new BreakGlassQueueController(this)

  protected override willUpdate(): void {
    this.#queue.setFeed(this.feed)
    this.#queue.setApi(this.api)
  }

  override render() {
    const q = this.#queue
    return html`<p role="status" aria-live="polite">${q.message}</p>
      ${q.error ? html`<p role="alert" class="error">${q.error}</p>` : nothing}
      ${
        !q.loaded
          ? q.error
            ? nothing
            : html`<p>Loading the review queue…</p>`
          : q.entries.length === 0
            ? html`<p class="empty">No break-the-glass unlocks are waiting for review.</p>`
            : this.#table()
      }`
  }

  #table() {
    return html`<div class="scroll">
      <table aria-label="Break-the-glass unlocks waiting for review">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Study</th>
            <th scope="col">Patient</th>
            <th scope="col">Unlocked at</th>
            <th scope="col">Reason</th>
            <th scope="col">Access</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.#queue.entries.map(
            (e) => html`<tr data-break-glass=${e.id}>
              <th scope="row">${who(e.user)}</th>
              <td><a href="#/study/${e.accession}/access">${e.accession}</a></td>
              <td>${e.patientId ?? '—'}</td>
              <td>${timeEl(e.at)}</td>
              <td>${e.reason}</td>
              <td>${
                e.active
                  ? html`<span class="badge bad">Active</span> until ${timeEl(e.expiresAt)}`
                  : html`<span class="badge muted">Expired</span> ${timeEl(e.expiresAt)}`
              }</td>
              <td>
                <button type="button"
                  aria-label="Acknowledge break-the-glass by ${who(e.user)} on study ${e.accession}"
                  @click=${() => this.#queue.acknowledge(e)}>Acknowledge</button>
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
    'ss-break-glass-queue': SsBreakGlassQueue
  }
}
