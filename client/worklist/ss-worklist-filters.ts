import { css, html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { MODALITIES, PRIORITIES, STUDY_STATUSES, statusLabel } from '../../shared/domain.ts'
import { controlStyles } from './styles.ts'
import { NO_FILTERS, type WorklistFilters } from './types.ts'

/** The worklist's filter bar; every change fires `ss-filter-change` with all filters. */
@customElement('ss-worklist-filters')
export class SsWorklistFilters extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem 1rem;
      }
      label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
        color: var(--ss-muted);
      }
      label.check {
        flex-direction: row;
        align-items: center;
        min-height: var(--ss-target);
        font-size: 1rem;
        color: inherit;
      }
      input[type='search'] {
        min-width: 14rem;
      }
    `,
  ]

  @property({ attribute: false }) filters: WorklistFilters = NO_FILTERS

  override render() {
    const f = this.filters
    return html`<form role="search" aria-label="Filter the worklist" @submit=${prevent}>
      <label
        >Search
        <input
          type="search"
          .value=${f.text}
          placeholder="Accession, patient, description…"
          @input=${(e: Event) => this.#change({ text: (e.target as HTMLInputElement).value })}
      /></label>
      ${this.#select('Status', 'status', STUDY_STATUSES, statusLabel)}
      ${this.#select('Priority', 'priority', PRIORITIES)}
      ${this.#select('Modality', 'modality', MODALITIES)}
      <label class="check"
        ><input
          type="checkbox"
          .checked=${f.assignedToMe}
          @change=${(e: Event) => this.#change({ assignedToMe: checked(e) })}
        />Assigned to me</label
      >
      <label class="check" title="No reading physician yet"
        ><input
          type="checkbox"
          .checked=${f.unassigned}
          @change=${(e: Event) => this.#change({ unassigned: checked(e) })}
        />Unassigned</label
      >
      <button type="button" @click=${() => this.#emit(NO_FILTERS)}>Clear filters</button>
    </form>`
  }

  #select(
    label: string,
    key: 'status' | 'priority' | 'modality',
    values: readonly string[],
    name: (value: string) => string = (v) => v,
  ) {
    return html`<label
      >${label}
      <select @change=${(e: Event) => this.#change({ [key]: (e.target as HTMLSelectElement).value })}>
        <option value="" .selected=${this.filters[key] === ''}>All</option>
        ${values.map(
          (v) => html`<option value=${v} .selected=${this.filters[key] === v}>${name(v)}</option>`,
        )}
      </select></label
    >`
  }

  #change(change: Partial<WorklistFilters>): void {
    this.#emit({ ...this.filters, ...change })
  }

  #emit(filters: WorklistFilters): void {
    this.dispatchEvent(
      new CustomEvent('ss-filter-change', { detail: filters, bubbles: true, composed: true }),
    )
  }
}

const prevent = (event: Event) => event.preventDefault()
const checked = (event: Event) => (event.target as HTMLInputElement).checked

declare global {
  interface HTMLElementTagNameMap {
    'ss-worklist-filters': SsWorklistFilters
  }
}
