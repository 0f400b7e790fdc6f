import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'

/**
 * Shown when this user lost the reading claim (S19, S14): why, and their draft
 * as they had it, to copy or download — nothing they typed is lost, even what
 * the server refused. The draft is also shown read-only so it can be selected
 * by hand when the clipboard is not available.
 */
@customElement('ss-draft-rescue')
export class SsDraftRescue extends LitElement {
  static override styles = css`
    :host {
      display: block;
      border: 2px solid #b00020;
      border-radius: 4px;
      padding: 0.75rem;
      background: #fff5f5;
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1.1rem;
    }
    textarea {
      box-sizing: border-box;
      width: 100%;
      min-height: 6rem;
    }
    .actions {
      display: flex;
      gap: 0.75rem;
      align-items: center;
    }
  `

  @property() accession = ''
  /** Why the claim was lost (the notice's text). */
  @property() why = ''
  @property() draft = ''

  @state() private copied = ''

  override render() {
    const file = `report-${this.accession}-draft.txt`
    return html`
      <section role="alert" aria-labelledby="title">
        <h2 id="title">You are no longer reading this study</h2>
        <p>${this.why}</p>
        <p>The report is read-only now. Your draft is kept here:</p>
        <label for="draft">Your draft</label>
        <textarea id="draft" readonly .value=${this.draft}></textarea>
        <div class="actions">
          <button type="button" @click=${this.#copy}>Copy my draft</button>
          <a download=${file} href=${`data:text/plain;charset=utf-8,${encodeURIComponent(this.draft)}`}
            >Download my draft</a
          >
          <span role="status">${this.copied}</span>
        </div>
      </section>
    `
  }

  async #copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.draft)
      this.copied = 'Draft copied to the clipboard.'
    } catch {
      this.copied = 'Could not use the clipboard: select the draft above and copy it.'
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-draft-rescue': SsDraftRescue
  }
}
