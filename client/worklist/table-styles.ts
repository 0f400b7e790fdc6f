/**
 * Styles of the worklist table: fits a 1280 px workstation (wrapping headers, tight
 * columns); narrower screens scroll sideways with the accession column pinned left
 * and the row menu pinned right; ≥ 40 px rows on tablets.
 */
import { css } from 'lit'

export const tableStyles = css`
  :host {
    display: block;
  }
  .scroll {
    overflow-x: auto;
    -webkit-overflow-scrolling: touch;
    border: 1px solid var(--ss-border);
    border-radius: 6px;
  }
  /* Below this the columns would be crushed: scroll instead (tablets). */
  table {
    border-collapse: collapse;
    width: 100%;
    min-width: 66rem;
    font-size: 0.9rem;
  }
  th,
  td {
    padding: 0 0.3rem;
    height: 44px;
    text-align: left;
    border-bottom: 1px solid #e3e6ea;
    white-space: nowrap;
  }
  thead th {
    position: sticky;
    top: 0;
    background: #f4f6f8;
    z-index: 1;
    vertical-align: bottom;
  }
  th[aria-sort] {
    padding: 0;
  }
  button.sort {
    width: 100%;
    border: 0;
    border-radius: 0;
    background: transparent;
    font-weight: 600;
    text-align: left;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0 0.3rem;
    padding: 0.25rem 0.3rem;
    /* Headers wrap ("Reading / physician", the sort arrow too) instead of widening columns. */
    white-space: normal;
    line-height: 1.2;
    font-size: 0.85rem;
  }
  /* Pinned while the table scrolls sideways; box-shadow, since collapsed borders stay behind. */
  .pin-start,
  .pin-end {
    position: sticky;
    background: var(--ss-surface);
  }
  .pin-start {
    left: 0;
    box-shadow: inset -1px 0 0 #e3e6ea;
  }
  .pin-end {
    right: 0;
    box-shadow: inset 1px 0 0 #e3e6ea;
  }
  thead th.pin-start,
  thead th.pin-end {
    background: var(--ss-surface-muted);
    z-index: 2;
  }
  th[aria-sort='ascending'] button.sort,
  th[aria-sort='descending'] button.sort {
    color: #1a5fb4;
  }
  .arrow {
    font-size: 0.75rem;
    opacity: 0.8;
  }
  .narrow {
    width: 1%;
    text-align: center;
  }
  /* The whole 44 px square toggles the checkbox (tablet fingers). */
  label.hit {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-width: 44px;
    min-height: 44px;
    cursor: pointer;
  }
  label.hit input {
    margin: 0;
  }
  tr.selected td {
    background: #eef4fc;
  }
  tbody tr:hover td {
    background: #f7f9fb;
  }
  tbody tr.selected:hover td {
    background: #e3edf9;
  }
  .accession {
    display: inline-flex;
    align-items: center;
    gap: 0.4rem;
  }
  a.target {
    display: inline-flex;
    align-items: center;
    padding: 0 0.4rem;
    font-weight: 600;
    color: #1a5fb4;
  }
  a.read {
    border: 1px solid #9bb7e0;
    border-radius: 4px;
    font-weight: 500;
    text-decoration: none;
  }
  .sub {
    display: block;
    font-size: 0.8rem;
    color: var(--ss-muted);
  }
  td.description {
    white-space: normal;
    min-width: 8.5rem;
  }
  /* Most names fit on one line; a long one wraps rather than widening the table. */
  td.patient {
    white-space: normal;
    min-width: 8.5rem;
  }
  .number {
    text-align: right;
  }
  .none {
    color: var(--ss-muted);
    font-style: italic;
  }
  .empty {
    text-align: center;
    color: var(--ss-muted);
    height: 4rem;
  }
`
