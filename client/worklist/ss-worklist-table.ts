import { html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { WorklistRow } from '../../shared/api-types.ts'
import { badgeStyles, priorityBadge, statusBadge } from './badges.ts'
import { patientName } from './format.ts'
import type { RowMenuItem, SsRowMenu } from './ss-row-menu.ts'
import { controlStyles } from './styles.ts'
import { tableStyles } from './table-styles.ts'
import type { RowAction, SortKey, WorklistSort } from './types.ts'
import './ss-access-flag.ts'
import './ss-row-menu.ts'

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'access', label: 'Access' },
  { key: 'priority', label: 'Priority' },
  { key: 'status', label: 'Status' },
  { key: 'accession', label: 'Accession' },
  { key: 'patient', label: 'Patient' },
  { key: 'modality', label: 'Modality' },
  { key: 'description', label: 'Description' },
  { key: 'reading', label: 'Reading physician' },
  { key: 'performing', label: 'Performing physician' },
  { key: 'images', label: 'Images' },
  { key: 'date', label: 'Date' },
]

/**
 * The worklist table: sortable headers (buttons, `aria-sort`), a checkbox per row,
 * the Access flag, badges, the accession link and the row menu. Renders what it is
 * given; sorting, selection and actions go up as events.
 */
@customElement('ss-worklist-table')
export class SsWorklistTable extends LitElement {
  static override styles = [controlStyles, badgeStyles, tableStyles]

  @property({ attribute: false }) rows: WorklistRow[] = []
  @property({ attribute: false }) sort: WorklistSort = { key: 'priority', direction: 'ascending' }
  @property({ attribute: false }) selected: ReadonlySet<string> = new Set()
  @property({ attribute: false }) busy: ReadonlySet<string> = new Set()
  /** The signed-in user's id: their own presence is not flagged. */
  @property() me: string | null = null
  /** Radiologists get a "Read" link to the reading desktop. */
  @property({ type: Boolean }) reader = false
  @property({ attribute: false }) menuItems: (row: WorklistRow) => RowMenuItem[] = () => []

  override render() {
    const all = this.rows.length > 0 && this.rows.every((r) => this.selected.has(r.accession))
    const some = !all && this.rows.some((r) => this.selected.has(r.accession))
    const sortLabel = COLUMNS.find((c) => c.key === this.sort.key)?.label
    return html`<div class="scroll" role="region" aria-label="Worklist table" tabindex="0">
      <table>
        <caption class="visually-hidden">
          Worklist, ${this.rows.length} studies, sorted by ${sortLabel} ${this.sort.direction}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="narrow">
              <label class="hit"
                ><input
                  type="checkbox"
                  aria-label="Select all"
                  .checked=${all}
                  .indeterminate=${some}
                  ?disabled=${this.rows.length === 0}
                  @change=${this.#selectAll}
              /></label>
            </th>
            ${COLUMNS.map((c) => this.#header(c.key, c.label))}
            <th scope="col" class="narrow pin-end"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody @keydown=${this.#arrowKeys}>
          ${
            this.rows.length === 0
              ? html`<tr><td colspan=${COLUMNS.length + 2} class="empty">No studies to show.</td></tr>`
              : repeat(
                  this.rows,
                  (r) => r.accession,
                  (r) => this.#row(r),
                )
          }
        </tbody>
      </table>
    </div>`
  }

  #header(key: SortKey, label: string) {
    const sorted = this.sort.key === key
    const arrow = sorted ? (this.sort.direction === 'ascending' ? '▲' : '▼') : '↕'
    // The accession names the row: it stays in view when the table scrolls sideways.
    return html`<th
      scope="col"
      class=${key === 'accession' ? 'pin-start' : ''}
      aria-sort=${sorted ? this.sort.direction : 'none'}
    >
      <button type="button" class="sort" @click=${() => this.#emitSort(key)}>
        ${label}<span class="arrow" aria-hidden="true">${arrow}</span>
      </button>
    </th>`
  }

  #row(row: WorklistRow) {
    const acc = row.accession
    const others = row.access.filter((a) => a.id !== this.me)
    const selected = this.selected.has(acc)
    return html`<tr class=${selected ? 'selected' : ''} @contextmenu=${this.#contextMenu}>
      <td class="narrow">
        <label class="hit"
          ><input
            type="checkbox"
            aria-label="Select ${acc}"
            .checked=${selected}
            @change=${(e: Event) => this.#select([acc], e)}
        /></label>
      </td>
      <td class="narrow"><ss-access-flag .entries=${others}></ss-access-flag></td>
      <td>${priorityBadge(row.priority)}</td>
      <td>${statusBadge(row.status)}</td>
      <td class="pin-start">
        <span class="accession"><a class="target" href="#/study/${acc}" @click=${(e: MouseEvent) => this.#follow(e, acc, 'open')}
          >${acc}</a
        >${
          this.reader
            ? html`<a
              class="target read"
              href="#/study/${acc}/desktop"
              aria-label="Read ${acc}"
              @click=${(e: MouseEvent) => this.#follow(e, acc, 'read')}
              >Read</a
            >`
            : nothing
        }</span
        >
      </td>
      <td class="patient">${patientName(row.patientName)}<span class="sub">${row.patientId}</span></td>
      <td>${row.modality}</td>
      <td class="description">${row.description}</td>
      <td>${row.readingPhysician?.name ?? html`<span class="none">Unassigned</span>`}</td>
      <td>${row.performingPhysician?.name ?? html`<span class="none">Unassigned</span>`}</td>
      <td class="number">${row.imageCount}</td>
      <td class="date">${row.studyDate}</td>
      <td class="narrow pin-end">
        <ss-row-menu
          accession=${acc}
          .items=${this.menuItems(row)}
          ?disabled=${this.busy.has(acc)}
        ></ss-row-menu>
      </td>
    </tr>`
  }

  #emitSort(key: SortKey): void {
    this.dispatchEvent(
      new CustomEvent('ss-sort-change', { detail: { key }, bubbles: true, composed: true }),
    )
  }

  #selectAll = (event: Event) => {
    this.#select(
      this.rows.map((r) => r.accession),
      event,
    )
  }

  #select(accessions: string[], event: Event): void {
    const selected = (event.target as HTMLInputElement).checked
    this.dispatchEvent(
      new CustomEvent('ss-selection-change', {
        detail: { accessions, selected },
        bubbles: true,
        composed: true,
      }),
    )
  }

  /** Plain clicks navigate in the app; modified clicks keep the browser's new-tab behaviour. */
  #follow(event: MouseEvent, accession: string, action: RowAction): void {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey)
      return
    event.preventDefault()
    this.dispatchEvent(
      new CustomEvent('ss-row-action', {
        detail: { accession, action },
        bubbles: true,
        composed: true,
      }),
    )
  }

  /** Right-click, the context-menu key and Shift+F10 open the row's own menu. */
  #contextMenu = (event: MouseEvent) => {
    const menu = (event.currentTarget as HTMLElement).querySelector<SsRowMenu>('ss-row-menu')
    if (!menu || menu.disabled) return
    event.preventDefault()
    void menu.open()
  }

  /** ArrowUp/ArrowDown move to the same column of the previous/next row. */
  #arrowKeys = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return
    const path = event.composedPath()
    if (path.some((n) => n instanceof HTMLElement && n.matches('select, [role="menu"]'))) return
    const cell = path.find((n): n is HTMLTableCellElement => n instanceof HTMLTableCellElement)
    const tr = cell?.parentElement
    const next = event.key === 'ArrowDown' ? tr?.nextElementSibling : tr?.previousElementSibling
    if (!cell || !(next instanceof HTMLTableRowElement)) return
    const target = next.cells[cell.cellIndex]
    if (target && (focusIn(target) || focusIn(next))) event.preventDefault()
  }
}

/** Focuses the first control in `scope` that takes focus; custom elements delegate it. */
function focusIn(scope: HTMLElement): boolean {
  const root = scope.getRootNode() as ShadowRoot
  for (const el of scope.querySelectorAll<HTMLElement>(
    'input, a, button, ss-access-flag, ss-row-menu',
  )) {
    el.focus()
    if (root.activeElement === el) return true
  }
  return false
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-worklist-table': SsWorklistTable
  }
}
