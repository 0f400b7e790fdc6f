/** Styles of the worklist table: horizontal scroll on narrow screens, ≥ 40 px rows on tablets. */
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
  table {
    border-collapse: collapse;
    width: 100%;
    min-width: 72rem;
    font-size: 0.95rem;
  }
  th,
  td {
    padding: 0 0.5rem;
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
    align-items: center;
    gap: 0.3rem;
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
    min-width: 12rem;
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
