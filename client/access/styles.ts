/** Styles shared by the Access tab's sections, its dialogs and the audit viewer. */
import { css } from 'lit'

export const accessStyles = css`
  :host {
    display: block;
    font-family: system-ui, sans-serif;
    color: #101828;
  }
  h3 {
    margin: 1.25rem 0 0.5rem;
    font-size: 1.1rem;
  }
  .scroll {
    overflow-x: auto;
    border: 1px solid #d0d5dd;
    border-radius: 6px;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.95rem;
  }
  caption {
    text-align: left;
  }
  th,
  td {
    padding: 0.375rem 0.5rem;
    min-height: 44px;
    text-align: left;
    vertical-align: top;
    border-bottom: 1px solid #e3e6ea;
  }
  thead th {
    background: #f4f6f8;
  }
  .empty {
    color: #475467;
    font-style: italic;
  }
  button {
    min-block-size: 2.25rem;
    padding: 0 0.75rem;
    border: 1px solid #98a2b3;
    border-radius: 0.375rem;
    background: #fff;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  button.primary {
    border-color: #0b2545;
    background: #0b2545;
    color: #fff;
  }
  button.danger {
    border-color: #b00020;
    color: #b00020;
  }
  button.link {
    min-block-size: auto;
    padding: 0;
    border: 0;
    background: none;
    color: #123a7a;
    text-decoration: underline;
  }
  button[disabled] {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible {
    outline: 3px solid #ffb703;
    outline-offset: 2px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  .error {
    color: #b00020;
  }
  .note {
    color: #475467;
    font-size: 0.9rem;
  }
  .warn {
    color: #8a1c00;
    font-weight: 600;
  }
  .badge {
    display: inline-block;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    background: #e6eefc;
    color: #123a7a;
    font-weight: 600;
    white-space: nowrap;
  }
  .badge.bad {
    background: #fdecee;
    color: #8a1c00;
  }
  .badge.good {
    background: #e7f6ec;
    color: #0b5d27;
  }
  .badge.muted {
    background: #f2f4f7;
    color: #344054;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  .field label {
    font-weight: 600;
  }
  input,
  select,
  textarea {
    min-block-size: 2.25rem;
    font: inherit;
  }
  [aria-invalid='true'] {
    border-color: #b00020;
    outline: 1px solid #b00020;
  }
  dialog {
    max-inline-size: 34rem;
    border: 1px solid #98a2b3;
    border-radius: 0.5rem;
  }
  dialog h2 {
    margin-top: 0;
    font-size: 1.2rem;
  }
  .dialog-actions {
    display: flex;
    gap: 0.5rem;
    justify-content: flex-end;
    margin-top: 1rem;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`
