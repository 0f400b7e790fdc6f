import { html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, query, state } from 'lit/decorators.js'
import * as Y from 'yjs'
import type { FieldSpec } from '../../shared/schema.ts'
import { type DeltaOp, minimalEdit, transformPosition } from '../text/text-diff.ts'
import { describedBy, type FieldNotes, fieldFrame, fieldStyles } from './field-chrome.ts'
import type { FieldHighlight } from './highlight-controller.ts'
import type { Peer } from './presence-controller.ts'
import { type FieldFocusDetail, LOCAL_EDIT } from './ss-field.ts'
import { YObserver } from './y-observer.ts'

/**
 * A collaborative text field (kind `text`) bound to the Y.Text under `fields[field]`.
 * Every input becomes the smallest splice of the Y.Text, so two people typing at
 * once both keep their text (S7); remote edits are applied in place and the caret
 * and selection move with the text around them instead of jumping.
 *
 * The textarea's value is managed here, not by the template: re-rendering a value
 * would put the caret at the end on every remote keystroke.
 */
@customElement('ss-text-field')
export class SsTextField extends LitElement {
  static override styles = fieldStyles

  @property({ attribute: false }) fields: Y.Map<unknown> | null = null
  @property() field = ''
  @property({ attribute: false }) spec: FieldSpec | null = null
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false
  @property({ attribute: false }) editors: readonly Peer[] = []
  @property({ attribute: false }) highlight: FieldHighlight | null = null

  @state() private error = ''
  @query('textarea') private textarea!: HTMLTextAreaElement | null

  /** What the textarea showed after the last sync with the Y.Text: the base of every diff. */
  #shown = ''
  #text: Y.Text | null = null
  #reload = true

  /** The server may replace the Y.Text as a whole (e.g. an HL7 order update). */
  readonly #map = new YObserver(this, (event) => {
    if ((event as Y.YMapEvent<unknown>).keysChanged.has(this.field)) this.requestUpdate()
  })
  readonly #textObserver = new YObserver(this, (event, tx) => {
    if (tx.origin !== LOCAL_EDIT) this.#applyRemote((event as Y.YTextEvent).delta)
  })

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('fields')) this.#map.observe(this.fields)
    const value = this.fields?.get(this.field)
    const text = value instanceof Y.Text ? value : null
    if (text !== this.#text) {
      this.#text = text
      this.#textObserver.observe(text)
      this.#reload = true
    }
  }

  protected override updated(): void {
    if (!this.#reload || this.textarea === null) return
    this.#reload = false
    this.#shown = this.#text?.toString() ?? ''
    this.textarea.value = this.#shown
  }

  override render() {
    const spec = this.spec
    if (spec === null || spec.kind !== 'text') return nothing
    const notes: FieldNotes = {
      editors: this.editors,
      highlight: this.highlight,
      error: this.error,
    }
    const label = html`<label for="control">${spec.label}</label>`
    const control = html`<textarea
      id="control"
      rows="4"
      ?readonly=${this.readOnly || this.#text === null}
      aria-describedby=${describedBy(notes)}
      @input=${this.#onInput}
      @focus=${() => this.#emitFocus(this.field)}
      @blur=${() => this.#emitFocus(null)}
    ></textarea>`
    return fieldFrame(label, control, notes)
  }

  #onInput(): void {
    const text = this.#text
    const textarea = this.textarea
    if (text === null || textarea === null || this.readOnly) return
    const next = textarea.value
    const max = this.spec?.kind === 'text' ? this.spec.maxLength : Number.POSITIVE_INFINITY
    if (next.length > max) {
      // Not written: an over-long text would make the server refuse the local copy.
      this.error = `${this.spec?.label ?? this.field} must be at most ${max} characters; the last change was not kept.`
      this.#restore(textarea, textarea.selectionEnd - (next.length - this.#shown.length))
      return
    }
    this.error = ''
    const splice = minimalEdit(this.#shown, next, textarea.selectionEnd)
    this.#shown = next
    if (splice === null) return
    const edit = () => {
      if (splice.remove > 0) text.delete(splice.index, splice.remove)
      if (splice.insert !== '') text.insert(splice.index, splice.insert)
    }
    if (text.doc === null) edit()
    else text.doc.transact(edit, LOCAL_EDIT)
  }

  /** Someone else's edit: apply it to the textarea and carry the selection along. */
  #applyRemote(delta: readonly DeltaOp[]): void {
    const textarea = this.textarea
    const value = this.#text?.toString() ?? ''
    this.#shown = value
    if (textarea === null) return
    if (this.shadowRoot?.activeElement !== textarea) {
      textarea.value = value
      return
    }
    const start = transformPosition(textarea.selectionStart, delta)
    const end = transformPosition(textarea.selectionEnd, delta)
    const direction = textarea.selectionDirection
    textarea.value = value
    textarea.setSelectionRange(start, end, direction)
  }

  #restore(textarea: HTMLTextAreaElement, caret: number): void {
    textarea.value = this.#shown
    const at = Math.min(Math.max(caret, 0), this.#shown.length)
    textarea.setSelectionRange(at, at)
  }

  #emitFocus(field: string | null): void {
    if (this.readOnly) return
    const detail: FieldFocusDetail = { field }
    this.dispatchEvent(new CustomEvent('ss-field-focus', { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-text-field': SsTextField
  }
}
