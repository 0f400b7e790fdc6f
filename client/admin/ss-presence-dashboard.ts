import { consume } from '@lit/context'
import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { DeliveredEvent, PresenceEntry } from '../../shared/events.ts'
import { ApiError } from '../api.ts'
import {
  type AppSession,
  apiContext,
  type Navigator,
  navigatorContext,
  type StudySyncApi,
  sessionContext,
} from '../app/contexts.ts'
import { FeedSubscription } from '../controllers/feed-subscription.ts'
import { controlStyles } from '../theme.ts'
import {
  clockTime,
  countsOf,
  freshness,
  indexOf,
  matches,
  NO_FILTER,
  type PresenceFilter,
  type PresenceIndex,
  type PresenceRow,
  rowsOf,
  type Subject,
  subjectKey,
  withSubject,
} from './presence-model.ts'
import { PresenceSampler } from './presence-sampler.ts'
import './ss-presence-chart.ts'

const ADMIN_ROLES = new Set(['admin', 'systemAdmin'])

type Load =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }

/**
 * `#/admin/presence`: everyone connected now (GET /api/v1/presence), kept live by
 * the feed's `presence` events, with filters, live counters and an hour of history.
 */
@customElement('ss-presence-dashboard')
export class SsPresenceDashboard extends LitElement {
  static override styles = [
    controlStyles,
    css`
    :host {
      display: grid;
      gap: 1rem;
      font-family: var(--ss-font, system-ui, sans-serif);
    }
    h2 {
      margin: 0;
    }
    .status {
      margin: 0;
    }
    /* Out of the grid while empty (no gap under the heading), yet there for announcements. */
    .status:empty {
      position: absolute;
    }
    .counters {
      display: flex;
      gap: 2rem;
      margin: 0;
    }
    .counters dd {
      margin: 0;
      font-size: 1.75rem;
      font-weight: 600;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      align-items: end;
    }
    .filters label {
      display: grid;
      gap: 0.25rem;
      font-weight: 600;
    }
    .filters input,
    .filters select {
      min-width: 14rem;
      font-weight: normal;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    caption {
      text-align: left;
      padding-bottom: 0.25rem;
      color: var(--ss-muted, #555);
    }
    th,
    td {
      text-align: left;
      padding: 0.25rem 0.6rem;
      border-bottom: 1px solid #ddd;
    }
    td button {
      padding: 0 0.75rem;
      border-color: #9bb7e0;
      color: var(--ss-accent, #1a5fb4);
      font-weight: 600;
    }
    .lost {
      color: var(--ss-danger, #b00020);
    }
  `,
  ]

  /** The clock for freshness and samples (tests pass a fixed one). */
  @property({ attribute: false }) now: () => number = Date.now

  @consume({ context: sessionContext, subscribe: true })
  @state()
  private session: AppSession | null = null
  @consume({ context: apiContext, subscribe: true })
  @state()
  private api: StudySyncApi | null = null
  @consume({ context: navigatorContext, subscribe: true })
  @state()
  private navigator: Navigator | null = null

  @state() private index: PresenceIndex = new Map()
  @state() private load: Load = { kind: 'idle' }
  @state() private filter: PresenceFilter = NO_FILTER

  /** Presence events that arrived while the snapshot was on its way: newer than it. */
  #early = new Map<string, { subject: Subject; entries: PresenceEntry[] }>()
  #loadedWith: StudySyncApi | null = null
  /** Whether the feed was open since the snapshot, and whether it dropped since. */
  #feedPhase: 'never' | 'open' | 'dropped' = 'never'

  readonly #feed = new FeedSubscription(this, (event) => this.#onFeed(event))
  readonly #sampler = new PresenceSampler(
    this,
    () => (this.load.kind === 'ready' ? countsOf(rowsOf(this.index)) : null),
    { now: () => this.now() },
  )

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const api = this.api
    if (!api || !this.#isAdmin) return
    const returned = this.#feedReturned()
    if (api !== this.#loadedWith || returned) void this.#fetch(api)
  }

  /** Presence events are live-only: after the feed was down, a new snapshot is needed. */
  #feedReturned(): boolean {
    const open = this.#feed.state === 'open'
    const returned = open && this.#feedPhase === 'dropped'
    if (open) this.#feedPhase = 'open'
    else if (this.#feedPhase === 'open') this.#feedPhase = 'dropped'
    return returned
  }

  override render() {
    if (this.session && !this.#isAdmin)
      return html`<p role="alert">Only administrators can see who is connected.</p>`
    const rows = rowsOf(this.index)
    const counts = countsOf(rows)
    const shown = rows.filter((row) => matches(row, this.filter))
    return html`
      <h2>Who is connected</h2>
      ${this.#status()}
      <dl class="counters" aria-label="Live counters">
        <div><dt>People connected</dt><dd>${counts.people}</dd></div>
        <div><dt>Studies open</dt><dd>${counts.studies}</dd></div>
        <div><dt>Readers</dt><dd>${counts.readers}</dd></div>
      </dl>
      <ss-presence-chart .samples=${this.#sampler.samples}></ss-presence-chart>
      ${this.#filters(rows)} ${this.#table(shown, rows.length)}
    `
  }

  get #isAdmin(): boolean {
    return this.session !== null && ADMIN_ROLES.has(this.session.user.role)
  }

  #status() {
    const { load } = this
    if (load.kind === 'failed') return html`<p class="status" role="alert">${load.message}</p>`
    return html`<p class="status" role="status">${load.kind === 'loading' ? 'Loading…' : ''}</p>`
  }

  #filters(rows: readonly PresenceRow[]) {
    const roles = [...new Set(rows.map((r) => r.user.role))].sort()
    const set = (key: keyof PresenceFilter) => (event: Event) => {
      const { value } = event.target as HTMLInputElement | HTMLSelectElement
      this.filter = { ...this.filter, [key]: value }
    }
    return html`
      <div class="filters" role="search" aria-label="Filter people">
        <label>User <input type="search" .value=${this.filter.user} @input=${set('user')} /></label>
        <label
          >Study or patient
          <input type="search" .value=${this.filter.subject} @input=${set('subject')}
        /></label>
        <label
          >Role
          <select .value=${this.filter.role} @change=${set('role')}>
            <option value="">All roles</option>
            ${roles.map((role) => html`<option value=${role}>${role}</option>`)}
          </select>
        </label>
      </div>
    `
  }

  #table(rows: readonly PresenceRow[], total: number) {
    const withDevice = rows.some((r) => r.device !== null)
    const now = this.now()
    return html`
      <table>
        <caption>
          ${rows.length === total ? `${total} open` : `${rows.length} of ${total} shown`}
        </caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Study or patient</th>
            <th scope="col">View</th>
            <th scope="col">Mode</th>
            <th scope="col">Since</th>
            <th scope="col">Freshness</th>
            ${withDevice ? html`<th scope="col">Device</th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <td>${row.user.name}</td>
              <td>${row.user.role}</td>
              <td>
                <button type="button" @click=${() => this.#goTo(row.subject)}>
                  ${row.subject.type === 'study' ? 'Study' : 'Patient'} ${row.subject.id}
                </button>
              </td>
              <td>${row.view ?? '—'}</td>
              <td>${row.mode}</td>
              <td><time datetime=${row.since}>${clockTime(row.since)}</time></td>
              <td class=${row.connection === 'lost' ? 'lost' : ''}>${freshness(row, now)}</td>
              ${withDevice ? html`<td>${row.device ?? '—'}</td>` : nothing}
            </tr>`,
          )}
        </tbody>
      </table>
    `
  }

  #goTo(subject: Subject): void {
    this.navigator?.go(
      subject.type === 'study'
        ? { page: 'study', accession: subject.id }
        : { page: 'patient', patientId: subject.id },
    )
  }

  async #fetch(api: StudySyncApi): Promise<void> {
    this.#loadedWith = api
    this.#early.clear()
    this.load = { kind: 'loading' }
    try {
      const { entries } = await api.presence()
      if (this.#loadedWith !== api) return
      let index: PresenceIndex = indexOf(entries)
      for (const { subject, entries } of this.#early.values())
        index = withSubject(index, subject, entries)
      this.index = index
      this.load = { kind: 'ready' }
      this.#sampler.sample()
    } catch (error) {
      if (this.#loadedWith !== api) return
      this.load = {
        kind: 'failed',
        message:
          error instanceof ApiError
            ? error.message
            : 'Could not load who is connected; try again later.',
      }
    } finally {
      this.#early.clear()
    }
  }

  #onFeed({ event }: DeliveredEvent): void {
    if (event.type !== 'presence') return
    const { subject, entries } = event.data
    if (this.load.kind === 'loading') this.#early.set(subjectKey(subject), { subject, entries })
    else this.index = withSubject(this.index, subject, entries)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-presence-dashboard': SsPresenceDashboard
  }
}
