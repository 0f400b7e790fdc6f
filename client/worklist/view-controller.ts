/** What the user chose to see: filters, sort and the selected studies. */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { WorklistRow } from '../../shared/api-types.ts'
import { DEFAULT_SORT, matches, nextSort, sortRows } from './filter-sort.ts'
import { NO_FILTERS, type SortKey, type WorklistFilters, type WorklistSort } from './types.ts'

export class WorklistViewController implements ReactiveController {
  filters: WorklistFilters = NO_FILTERS
  sort: WorklistSort = DEFAULT_SORT
  /** Accessions, kept across filtering; rows that leave the list leave the selection. */
  selected: ReadonlySet<string> = new Set()

  readonly #host: ReactiveControllerHost
  #memo: { rows: readonly WorklistRow[]; key: string; visible: WorklistRow[] } | undefined

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  hostConnected(): void {}

  /** The rows to show, filtered and sorted; recomputed only when something changed. */
  visible(rows: readonly WorklistRow[], me: string | null): WorklistRow[] {
    const key = JSON.stringify([this.filters, this.sort, me])
    if (this.#memo?.rows === rows && this.#memo.key === key) return this.#memo.visible
    const visible = sortRows(
      rows.filter((row) => matches(row, this.filters, me)),
      this.sort,
    )
    this.#memo = { rows, key, visible }
    return visible
  }

  setFilters(filters: WorklistFilters): void {
    this.filters = filters
    this.#host.requestUpdate()
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key)
    this.#host.requestUpdate()
  }

  select(accessions: readonly string[], selected: boolean): void {
    const next = new Set(this.selected)
    for (const accession of accessions) {
      if (selected) next.add(accession)
      else next.delete(accession)
    }
    this.selected = next
    this.#host.requestUpdate()
  }

  clearSelection(): void {
    this.selected = new Set()
    this.#host.requestUpdate()
  }

  /** The selected rows that still exist, in list order. */
  selectedRows(rows: readonly WorklistRow[]): WorklistRow[] {
    return rows.filter((row) => this.selected.has(row.accession))
  }

  /** Drops selected accessions whose rows are gone (removed, merged, deleted). */
  prune(rows: readonly WorklistRow[]): void {
    if (this.selected.size === 0) return
    const present = new Set(rows.map((r) => r.accession))
    if ([...this.selected].every((a) => present.has(a))) return
    this.selected = new Set([...this.selected].filter((a) => present.has(a)))
  }
}
