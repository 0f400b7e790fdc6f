/**
 * What every form field shows around its control, shared by <ss-field> and
 * <ss-text-field>: the label, who else is in it (S10), the last change someone
 * else made (S8) and why a value was not accepted. Each note that is shown is
 * also part of the control's accessible description.
 */
import { css, html, nothing, type TemplateResult } from 'lit'
import { styleMap } from 'lit/directives/style-map.js'
import { userColour } from './format.ts'
import type { FieldHighlight } from './highlight-controller.ts'
import { editingText, type Peer } from './presence-controller.ts'

export interface FieldNotes {
  readonly editors: readonly Peer[]
  readonly highlight: FieldHighlight | null
  readonly error: string
  /** e.g. "Format: YYYY-MM-DD" */
  readonly hint?: string | undefined
}

/** Ids of the notes present, for `aria-describedby`. */
export function describedBy(notes: FieldNotes): string | typeof nothing {
  const ids = [
    notes.editors.length > 0 ? 'editors' : '',
    notes.highlight?.active ? 'change' : '',
    notes.error ? 'error' : '',
    notes.hint ? 'hint' : '',
  ].filter(Boolean)
  return ids.length === 0 ? nothing : ids.join(' ')
}

/** The wrapper around label, control and notes; outlined in the colour of whoever is in it. */
export function fieldFrame(
  label: TemplateResult,
  control: TemplateResult,
  notes: FieldNotes,
): TemplateResult {
  const [editor] = notes.editors
  const classes = [
    'field',
    editor ? 'occupied' : '',
    notes.highlight?.active ? 'changed' : '',
    notes.error ? 'invalid' : '',
  ].join(' ')
  const colour = editor === undefined ? {} : { '--peer-colour': userColour(editor.user.id) }
  return html`<div class=${classes} style=${styleMap(colour)} title=${notes.highlight?.text ?? nothing}>
    ${label} ${control}
    ${notes.hint ? html`<p id="hint" class="hint">${notes.hint}</p>` : nothing}
    ${
      notes.editors.length > 0
        ? html`<p id="editors" class="editors">${editingText(notes.editors)}</p>`
        : nothing
    }
    ${
      notes.highlight?.active
        ? html`<p id="change" class="change">${notes.highlight.text}</p>`
        : nothing
    }
    ${notes.error ? html`<p id="error" class="error" role="alert">${notes.error}</p>` : nothing}
  </div>`
}

export const fieldStyles = css`
  :host {
    display: block;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    padding: 0.375rem;
    border-radius: 6px;
    outline: 2px solid transparent;
    transition: background-color 0.6s;
  }
  .field.occupied {
    outline-color: var(--peer-colour);
  }
  .field.changed {
    background: #fff4c2;
  }
  label {
    font-weight: 600;
  }
  input,
  select,
  textarea {
    font: inherit;
    min-height: 2.75rem; /* touch target on tablets */
    padding: 0.375rem 0.5rem;
    border: 1px solid #767676;
    border-radius: 4px;
    box-sizing: border-box;
    width: 100%;
  }
  textarea {
    min-height: 6rem;
    resize: vertical;
  }
  :is(input, textarea)[readonly],
  select:disabled {
    background: #f3f3f3;
    color: #333;
  }
  .invalid :is(input, select, textarea) {
    border-color: #b00020;
  }
  p {
    margin: 0;
    font-size: 0.875rem;
  }
  .editors {
    color: var(--peer-colour);
    font-weight: 600;
  }
  .change {
    color: #5c4400;
  }
  .error {
    color: #b00020;
  }
  .hint {
    color: #555;
  }
`
