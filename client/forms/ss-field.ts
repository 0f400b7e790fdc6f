import { html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import type * as Y from 'yjs'
import { checkFieldValue, type FieldSpec } from '../../shared/schema.ts'
import { describedBy, type FieldNotes, fieldFrame, fieldStyles } from './field-chrome.ts'
import type { FieldHighlight } from './highlight-controller.ts'
import type { Peer } from './presence-controller.ts'
import { YObserver } from './y-observer.ts'

/** Which form field the user is in; `field` null when they left it. */
export interface FieldFocusDetail {
  readonly field: string | null
}

/** Local origin of our writes, so they are never mistaken for someone else's. */
export const LOCAL_EDIT = Symbol('studysync-local-edit')

/**
 * One plain form field (kind `string` or `enum`) bound to a key of the Y.Map
 * `fields`. A value is checked against the schema before it is written and never
 * written when invalid (the server would refuse the whole local copy with 4409);
 * strings are written when the user commits (change: blur or Enter), so the field's
 * history holds values, not keystrokes.
 */
@customElement('ss-field')
export class SsField extends LitElement {
  static override styles = fieldStyles

  @property({ attribute: false }) fields: Y.Map<unknown> | null = null
  /** The key in `fields`. */
  @property() field = ''
  @property({ attribute: false }) spec: FieldSpec | null = null
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false
  /** Other users whose focus is in this field. */
  @property({ attribute: false }) editors: readonly Peer[] = []
  @property({ attribute: false }) highlight: FieldHighlight | null = null

  /** What the user typed and has not committed (or that was refused). */
  @state() private draft: string | null = null
  @state() private error = ''

  readonly #map = new YObserver(this, (event) => {
    if ((event as Y.YMapEvent<unknown>).keysChanged.has(this.field)) this.requestUpdate()
  })

  /** The value held in the document. */
  get value(): string {
    const value = this.fields?.get(this.field)
    return typeof value === 'string' ? value : ''
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('fields')) this.#map.observe(this.fields)
    if (changed.has('readOnly') && this.readOnly) {
      this.draft = null
      this.error = ''
    }
  }

  override render() {
    const spec = this.spec
    if (spec === null || spec.kind === 'text') return nothing
    const hint = spec.kind === 'string' && spec.example ? `Format: ${spec.example}` : undefined
    const notes: FieldNotes = {
      editors: this.editors,
      highlight: this.highlight,
      error: this.error,
      hint,
    }
    const label = html`<label for="control">${spec.label}</label>`
    return fieldFrame(label, this.#control(spec, notes), notes)
  }

  #control(spec: FieldSpec, notes: FieldNotes) {
    const value = this.draft ?? this.value
    const unavailable = this.fields === null
    if (spec.kind === 'enum') {
      const known = spec.values.includes(value)
      return html`<select
        id="control"
        ?disabled=${this.readOnly || unavailable}
        aria-describedby=${describedBy(notes)}
        aria-invalid=${this.error ? 'true' : nothing}
        .value=${live(value)}
        @change=${this.#onSelect}
        @focus=${this.#onFocus}
        @blur=${this.#onBlur}
      >
        ${known ? nothing : html`<option value=${value} disabled>${value || '—'}</option>`}
        ${spec.values.map((v) => html`<option value=${v} ?selected=${v === value}>${v}</option>`)}
      </select>`
    }
    return html`<input
      id="control"
      autocomplete="off"
      ?readonly=${this.readOnly || unavailable}
      aria-describedby=${describedBy(notes)}
      aria-invalid=${this.error ? 'true' : nothing}
      .value=${live(value)}
      @input=${this.#onInput}
      @change=${this.#onCommit}
      @keydown=${this.#onKeydown}
      @focus=${this.#onFocus}
      @blur=${this.#onBlur}
    />`
  }

  #onInput(event: Event): void {
    this.draft = (event.target as HTMLInputElement).value
    // Say "fixed" as soon as it is, but only complain on commit, not mid-typing.
    if (this.error && this.#check(this.draft) === null) this.error = ''
  }

  #onCommit(event: Event): void {
    this.#write((event.target as HTMLInputElement).value)
  }

  #onSelect(event: Event): void {
    this.#write((event.target as HTMLSelectElement).value)
  }

  #onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || this.draft === null) return
    this.draft = null // back to the document's value
    this.error = ''
  }

  #write(value: string): void {
    const fields = this.fields
    if (fields === null || this.readOnly) return
    const problem = this.#check(value)
    if (problem !== null) {
      this.draft = value
      this.error = `${this.spec?.label ?? this.field} ${problem}; not saved.`
      return
    }
    this.draft = null
    this.error = ''
    if (value === this.value) return
    const doc = fields.doc
    if (doc === null) fields.set(this.field, value)
    else doc.transact(() => fields.set(this.field, value), LOCAL_EDIT)
  }

  #check(value: string): string | null {
    return this.spec === null ? 'is not a form field' : checkFieldValue(this.spec, value)
  }

  #onFocus(): void {
    if (!this.readOnly) this.#emitFocus(this.field)
  }

  #onBlur(): void {
    if (!this.readOnly) this.#emitFocus(null)
  }

  #emitFocus(field: string | null): void {
    const detail: FieldFocusDetail = { field }
    this.dispatchEvent(new CustomEvent('ss-field-focus', { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-field': SsField
  }
  interface HTMLElementEventMap {
    'ss-field-focus': CustomEvent<FieldFocusDetail>
  }
}
