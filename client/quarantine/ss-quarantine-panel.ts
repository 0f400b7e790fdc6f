import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { clockTime, words } from '../forms/format.ts'
import { changesText, reasonText, subjectText } from './format.ts'
import type { QuarantineStore } from './store.ts'
import type { QuarantineEntry } from './types.ts'

/**
 * The user's quarantined changes (S27): edits made on this device that the server
 * refused or could no longer take, with what, which study, when and why. Each can
 * be exported as JSON (to hand to an administrator) or discarded.
 */
@customElement('ss-quarantine-panel')
export class SsQuarantinePanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: #101828;
    }
    h2 {
      margin: 0 0 0.25rem;
      font-size: 1.1rem;
    }
    h3 {
      margin: 0;
      font-size: 1rem;
    }
    ul {
      margin: 0;
      padding: 0;
      list-style: none;
      display: grid;
      gap: 0.75rem;
    }
    article {
      border: 1px solid #d0d5dd;
      border-radius: 0.375rem;
      padding: 0.5rem 0.75rem;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.125rem 0.75rem;
      margin: 0.5rem 0;
    }
    dt {
      font-weight: 600;
    }
    dd {
      margin: 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
    }
    button {
      min-block-size: 2.75rem;
      padding: 0 0.9rem;
      font: inherit;
      cursor: pointer;
    }
  `

  @property({ attribute: false }) store: QuarantineStore | null = null

  @state() private entries: QuarantineEntry[] = []
  @state() private confirming: string | null = null
  @state() private loaded = false
  #unsubscribe: (() => void) | null = null

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#follow(null)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (this.hasUpdated) this.#follow(this.store)
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('store')) this.#follow(this.store)
  }

  override render() {
    return html`<section aria-labelledby="quarantine-heading">
      <h2 id="quarantine-heading">Quarantined changes</h2>
      <p>
        Changes made on this device that the server could not accept. They are not on the
        server: export them to keep a copy.
      </p>
      ${
        this.entries.length === 0
          ? html`<p role="status">${this.loaded ? 'No quarantined changes.' : 'Loading…'}</p>`
          : html`<ul>
              ${this.entries.map((entry) => html`<li>${this.#entry(entry)}</li>`)}
            </ul>`
      }
    </section>`
  }

  #entry(entry: QuarantineEntry) {
    const subject = subjectText(entry)
    const id = `q-${entry.id}`
    return html`<article aria-labelledby=${id}>
      <h3 id=${id}>${subject}</h3>
      <p>
        ${changesText(entry.count)}, quarantined at ${clockTime(entry.at)}:
        ${reasonText(entry.why)}.
      </p>
      ${
        entry.values.length === 0
          ? nothing
          : html`<dl aria-label="Content on this device">
              ${entry.values.map(
                ({ path, value }) => html`<dt>${label(path)}</dt>
                  <dd>${value}</dd>`,
              )}
            </dl>`
      }
      <div class="actions">
        <button type="button" aria-label="Export ${subject}" @click=${() => this.#export(entry)}>
          Export
        </button>
        ${
          this.confirming === entry.id
            ? html`<button type="button" @click=${() => this.#discard(entry)}>
                  Yes, discard ${subject}
                </button>
                <button type="button" @click=${() => {
                  this.confirming = null
                }}>Keep</button>`
            : html`<button
                type="button"
                aria-label="Discard ${subject}"
                @click=${() => {
                  this.confirming = entry.id
                }}
              >
                Discard
              </button>`
        }
      </div>
    </article>`
  }

  #follow(store: QuarantineStore | null): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.entries = []
    this.loaded = false
    if (store === null) return
    this.#unsubscribe = store.subscribe(() => void this.#load(store))
    void this.#load(store)
  }

  async #load(store: QuarantineStore): Promise<void> {
    const entries = await store.list().catch(() => [])
    if (store !== this.store) return
    this.entries = entries
    this.loaded = true
  }

  /** Downloads the entry as JSON: the text for humans and the Yjs update for a replay. */
  #export(entry: QuarantineEntry): void {
    const blob = new Blob([JSON.stringify(entry, null, 2)], { type: 'application/json' })
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = `studysync-quarantine-${entry.docName.replaceAll('/', '-')}-${entry.at.replaceAll(':', '')}.json`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
    this.dispatchEvent(
      new CustomEvent('ss-quarantine-export', { detail: entry, bubbles: true, composed: true }),
    )
  }

  async #discard(entry: QuarantineEntry): Promise<void> {
    this.confirming = null
    const store = this.store
    if (store === null) return
    await store.discard(entry.id)
    await this.#load(store)
  }
}

/** `fields.clinicalHistory` → "Clinical history"; `body` → "Report". */
function label(path: string): string {
  if (path === 'body') return 'Report'
  const key = path.startsWith('fields.') ? path.slice('fields.'.length) : path
  const text = words(key)
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-quarantine-panel': SsQuarantinePanel
  }
  interface HTMLElementEventMap {
    'ss-quarantine-export': CustomEvent<QuarantineEntry>
  }
}
