import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, query, state } from 'lit/decorators.js'
import type { WorklistRow } from '../../shared/api-types.ts'
import type { Privilege } from '../../shared/domain.ts'
import {
  type AppSession,
  apiContext,
  type FeedClient,
  feedContext,
  type Navigator,
  type Notifier,
  navigatorContext,
  notifierContext,
  type StudySyncApi,
  sessionContext,
} from '../app/contexts.ts'
import { WorklistActionsController } from './actions-controller.ts'
import type { SsAssignDialog } from './ss-assign-dialog.ts'
import type { RowMenuItem } from './ss-row-menu.ts'
import { controlStyles } from './styles.ts'
import type { BulkActionDetail, QuickEditRole, RowActionDetail } from './types.ts'
import { WorklistViewController } from './view-controller.ts'
import { WorklistController } from './worklist-controller.ts'
import './ss-assign-dialog.ts'
import './ss-bulk-bar.ts'
import './ss-bulk-results.ts'
import './ss-worklist-filters.ts'
import './ss-worklist-table.ts'

/**
 * The worklist page (#/worklist): live rows with the Access column (S3), filters and
 * sorting, quick edits from each row's menu (S11), bulk assign (S17) and grouping (S20).
 * Everything it needs comes from the shell's contexts (client/app/contexts.ts).
 */
@customElement('ss-worklist')
export class SsWorklist extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .stack > * + * {
        margin-top: 0.75rem;
      }
      h1 {
        font-size: 1.4rem;
        margin: 0;
      }
      .message {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.25rem 0.75rem;
        border-radius: 6px;
        background: #e8f3ec;
      }
      .message.error {
        background: #fde8e6;
        color: #8c1d18;
      }
      .message p {
        margin: 0;
        flex: 1;
      }
    `,
  ]

  @consume({ context: apiContext, subscribe: true })
  @state()
  api?: StudySyncApi
  @consume({ context: sessionContext, subscribe: true })
  @state()
  session?: AppSession | null
  @consume({ context: feedContext, subscribe: true })
  @state()
  feed?: FeedClient | null
  @consume({ context: navigatorContext, subscribe: true })
  @state()
  navigator?: Navigator | null
  @consume({ context: notifierContext, subscribe: true })
  @state()
  notifier?: Notifier | null

  readonly list = new WorklistController(this, { api: () => this.api, feed: () => this.feed })
  readonly view = new WorklistViewController(this)
  readonly actions = new WorklistActionsController(this, {
    api: () => this.api,
    notifier: () => this.notifier,
    refreshRow: (accession) => this.list.refreshRow(accession),
    refresh: () => this.list.refresh(),
    applyState: (accession, state) => this.list.applyState(accession, state),
  })

  @state() private assignRole: QuickEditRole = 'readingPhysician'
  @query('ss-assign-dialog') private dialog!: SsAssignDialog

  override render() {
    const me = this.session?.user.id ?? null
    this.view.prune(this.list.rows)
    const visible = this.view.visible(this.list.rows, me)
    const selected = this.view.selectedRows(this.list.rows)
    return html`<div class="stack">
      <h1>Worklist</h1>
      <ss-worklist-filters
        .filters=${this.view.filters}
        @ss-filter-change=${(e: CustomEvent) => this.view.setFilters(e.detail)}
      ></ss-worklist-filters>
      ${this.#loadState()} ${this.#message()}
      ${
        selected.length > 0
          ? html`<ss-bulk-bar
            .count=${selected.length}
            .readers=${this.actions.eligible('readingPhysician')}
            ?busy=${this.actions.bulkBusy}
            .canAssign=${this.#can('assignReadingPhysician')}
            .canGroup=${this.#canGroup()}
            @ss-bulk-action=${this.#bulk}
          ></ss-bulk-bar>`
          : nothing
      }
      <ss-bulk-results
        .bulk=${this.actions.bulk}
        .group=${this.actions.group}
        @ss-results-dismiss=${() => this.actions.dismissResults()}
      ></ss-bulk-results>
      <ss-worklist-table
        .rows=${visible}
        .sort=${this.view.sort}
        .selected=${this.view.selected}
        .busy=${this.actions.busy}
        .me=${me}
        ?reader=${this.session?.user.role === 'radiologist'}
        .menuItems=${this.#menuItems}
        @ss-sort-change=${(e: CustomEvent) => this.view.sortBy(e.detail.key)}
        @ss-selection-change=${(e: CustomEvent) => this.view.select(e.detail.accessions, e.detail.selected)}
        @ss-row-action=${this.#rowAction}
      ></ss-worklist-table>
      <ss-assign-dialog
        .users=${this.actions.eligible(this.assignRole)}
        .error=${this.actions.usersError}
        @ss-assign=${this.#assign}
      ></ss-assign-dialog>
    </div>`
  }

  #loadState() {
    const { state, error } = this.list
    if (state === 'loading' || state === 'idle')
      return html`<p role="status">Loading the worklist…</p>`
    if (!error) return nothing
    return html`<div class="message error" role="alert">
      <p>${error}</p>
      <button type="button" @click=${() => this.list.refresh()}>Retry</button>
    </div>`
  }

  #message() {
    const message = this.actions.message
    return html`<div role="status" aria-live="polite">
      ${
        message
          ? html`<div class="message ${message.kind}">
            <p>${message.accession}: ${message.text}</p>
            <button type="button" @click=${() => this.actions.dismissMessage()}>Dismiss</button>
          </div>`
          : nothing
      }
    </div>`
  }

  #can(privilege: Privilege): boolean {
    // Without a session (a shell still starting) show the actions: the server decides anyway.
    return !this.session || this.session.user.privileges.includes(privilege)
  }

  #canGroup(): boolean {
    const role = this.session?.user.role
    return role === 'admin' || role === 'systemAdmin' || this.#can('assignOtherPersonnel')
  }

  #menuItems = (row: WorklistRow): RowMenuItem[] => {
    const items: RowMenuItem[] = [{ action: 'open', label: `Open study ${row.accession}` }]
    if (this.session?.user.role === 'radiologist') {
      items.push({ action: 'read', label: 'Read on the desktop' })
    }
    if (this.#can('assignReadingPhysician')) {
      items.push({ action: 'assign-reading', label: 'Assign reading physician…' })
      if (row.readingPhysician) {
        items.push({
          action: 'unassign-reading',
          label: `Unassign reading physician (${row.readingPhysician.name})`,
        })
      }
    }
    if (this.#can('assignOtherPersonnel')) {
      items.push({ action: 'assign-performing', label: 'Assign performing physician…' })
      if (row.performingPhysician) {
        items.push({
          action: 'unassign-performing',
          label: `Unassign performing physician (${row.performingPhysician.name})`,
        })
      }
    }
    return items
  }

  #rowAction = (event: CustomEvent<RowActionDetail>) => {
    const { accession, action } = event.detail
    const row = this.list.row(accession)
    switch (action) {
      case 'open':
        return this.#go({ page: 'study', accession })
      case 'read':
        return this.#go({ page: 'desktop', accession })
      case 'assign-reading':
        return this.#openAssign(accession, 'readingPhysician')
      case 'assign-performing':
        return this.#openAssign(accession, 'performingPhysician')
      case 'unassign-reading':
        return void (row && this.actions.assign(row, 'readingPhysician', null))
      case 'unassign-performing':
        return void (row && this.actions.assign(row, 'performingPhysician', null))
    }
  }

  #go(route: { page: 'study' | 'desktop'; accession: string }): void {
    if (this.navigator) this.navigator.go(route)
    else location.hash = `#/study/${route.accession}${route.page === 'desktop' ? '/desktop' : ''}`
  }

  #openAssign(accession: string, role: QuickEditRole): void {
    const row = this.list.row(accession)
    if (!row) return
    this.assignRole = role
    void this.actions.loadUsers()
    void this.dialog.show({ accession, role, current: row[role] })
  }

  #assign = (event: CustomEvent<{ accession: string; role: QuickEditRole; userId: string }>) => {
    const { accession, role, userId } = event.detail
    const row = this.list.row(accession)
    if (row) void this.actions.assign(row, role, userId)
  }

  #bulk = (event: CustomEvent<BulkActionDetail>) => {
    const rows = this.view.selectedRows(this.list.rows)
    const accessions = rows.map((r) => r.accession)
    switch (event.detail.action) {
      case 'assign':
        return void this.actions.bulkAssign(accessions, event.detail.userId ?? null)
      case 'unassign':
        return void this.actions.bulkAssign(accessions, null)
      case 'group':
        return void this.actions.groupRows(rows)
      case 'clear':
        return this.view.clearSelection()
    }
  }

  override updated(): void {
    // The bulk bar's reader picker needs the users as soon as something is selected.
    // Once: a failure is shown and retried only when the user opens the assign dialog.
    const { users, usersError } = this.actions
    if (this.view.selected.size > 0 && users === null && !usersError) void this.actions.loadUsers()
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-worklist': SsWorklist
  }
}
