import { css, html, LitElement, type PropertyValues } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import type * as Y from 'yjs'
import { minimalEdit, transformPosition } from '../text/text-diff.ts'

/**
 * The report body (Y.Text `body` of `study/<accession>/report`) in a textarea.
 * Local typing becomes the smallest Y.Text edit, so concurrent edits merge; remote
 * changes update the textarea in place and carry the caret along. Read-only for
 * anyone but the reading-claim holder (the server refuses their writes anyway).
 */
@customElement('ss-report-editor')
export class SsReportEditor extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    label {
      display: block;
      font-weight: 600;
      margin-bottom: 0.25rem;
    }
    textarea {
      box-sizing: border-box;
      width: 100%;
      min-height: 16rem;
      font: 1rem/1.4 ui-monospace, monospace;
      padding: 0.5rem;
    }
    textarea[readonly] {
      background: #f3f3f3;
      color: #333;
    }
    p {
      margin: 0.25rem 0 0;
      font-size: 0.875rem;
      color: #555;
    }
  `

  /** The shared text; null while the document is not open. */
  @property({ attribute: false }) text: Y.Text | null = null
  @property({ type: Boolean }) readonly = false
  /** Why the editor is read-only, read out with the field. */
  @property() explanation = ''

  @query('textarea') private textarea!: HTMLTextAreaElement

  #bound: Y.Text | null = null
  #composing = false

  override render() {
    return html`
      <label for="body">Report</label>
      <textarea
        id="body"
        spellcheck="true"
        ?readonly=${this.readonly || this.text === null}
        aria-describedby=${this.explanation ? 'why' : ''}
        @input=${this.#onInput}
        @compositionstart=${() => {
          this.#composing = true
        }}
        @compositionend=${this.#onCompositionEnd}
      ></textarea>
      ${this.explanation ? html`<p id="why">${this.explanation}</p>` : null}
    `
  }

  /** The textarea's current text (what the user sees). */
  get value(): string {
    return this.textarea?.value ?? ''
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('text')) this.#bind(this.text)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#bind(null)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.hasUpdated) this.#bind(this.text)
  }

  #bind(text: Y.Text | null): void {
    if (this.#bound === text) return
    this.#bound?.unobserve(this.#onRemote)
    this.#bound = text
    if (text === null) return
    text.observe(this.#onRemote)
    if (this.textarea) this.textarea.value = text.toString()
  }

  readonly #onRemote = (event: Y.YTextEvent, transaction: Y.Transaction): void => {
    if (transaction.origin === this) return
    const area = this.textarea
    if (!area) return
    const delta = event.delta
    const start = transformPosition(area.selectionStart, delta)
    const end = transformPosition(area.selectionEnd, delta)
    const focused = this.shadowRoot?.activeElement === area
    area.value = (event.target as Y.Text).toString()
    if (focused) area.setSelectionRange(start, end)
  }

  #onInput(): void {
    if (this.#composing) return
    this.#push()
  }

  #onCompositionEnd(): void {
    this.#composing = false
    this.#push()
  }

  #push(): void {
    const text = this.#bound
    const area = this.textarea
    if (text === null || !area) return
    if (this.readonly) {
      // Should not happen (the field is read-only), but never write then.
      area.value = text.toString()
      return
    }
    const edit = minimalEdit(text.toString(), area.value, area.selectionEnd)
    if (edit === null) return
    text.doc?.transact(() => {
      if (edit.remove > 0) text.delete(edit.index, edit.remove)
      if (edit.insert) text.insert(edit.index, edit.insert)
    }, this)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-report-editor': SsReportEditor
  }
}
