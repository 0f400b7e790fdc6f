import { css, html, LitElement } from 'lit'
import { customElement, query, state } from 'lit/decorators.js'

export interface DialogAction {
  readonly label: string
  readonly run: () => void
}

export interface BlockingRequest {
  readonly title: string
  /** What happened, e.g. "Study A10005 was deleted by ADMIN at 14:02:31". */
  readonly text: string
  /** "by ADMIN at 14:02:31", shown under the text. */
  readonly meta?: string
  /** Extra buttons before "OK", e.g. "Open A10006"; each also closes the dialog. */
  readonly actions?: readonly DialogAction[]
}

export interface DialogClosedDetail {
  readonly title: string
  /** The action's label, or null for OK / Escape. */
  readonly action: string | null
}

/**
 * The modal for safety events (DESIGN §5): a native <dialog> opened with
 * showModal(), so the rest of the page is inert and focus stays inside; announced
 * as an alertdialog. Requests arriving while one is open wait their turn.
 * Fires `ss-dialog-opened` and `ss-dialog-closed`.
 */
@customElement('ss-blocking-dialog')
export class SsBlockingDialog extends LitElement {
  static override styles = css`
    dialog {
      max-inline-size: min(34rem, calc(100vw - 2rem));
      border: none;
      border-radius: 0.75rem;
      border-block-start: 0.5rem solid #b42318;
      padding: 1.25rem 1.5rem;
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.35);
    }
    dialog::backdrop {
      background: rgb(0 0 0 / 0.5);
    }
    h2 {
      margin: 0 0 0.75rem;
      font-size: 1.25rem;
    }
    p {
      margin: 0 0 0.5rem;
    }
    .meta {
      color: #475467;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      justify-content: flex-end;
      gap: 0.5rem;
      margin-block-start: 1.25rem;
    }
    button {
      min-block-size: 2.75rem;
      padding: 0 1.25rem;
      border-radius: 0.375rem;
      border: 1px solid #344054;
      background: #fff;
      font: inherit;
      cursor: pointer;
    }
    button.primary {
      background: #1d4ed8;
      border-color: #1d4ed8;
      color: #fff;
    }
    button:focus-visible {
      outline: 3px solid #f79009;
      outline-offset: 2px;
    }
  `

  @state() private current: BlockingRequest | null = null
  @query('dialog') private dialog!: HTMLDialogElement
  #queue: BlockingRequest[] = []

  /** The request on screen, if any. */
  get showing(): BlockingRequest | null {
    return this.current
  }

  /** Requests waiting behind the one on screen. */
  get waiting(): number {
    return this.#queue.length
  }

  /** Shows the request now, or after the ones already queued. */
  open(request: BlockingRequest): void {
    if (this.current === null) void this.#present(request)
    else this.#queue.push(request)
  }

  override render() {
    const request = this.current
    return html`<dialog
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="title"
      aria-describedby="text"
      @cancel=${this.#onCancel}
      @keydown=${this.#trapTab}
    >
      ${
        request === null
          ? null
          : html`<h2 id="title">${request.title}</h2>
            <p id="text">${request.text}</p>
            ${request.meta ? html`<p class="meta">${request.meta}</p>` : null}
            <div class="actions">
              ${(request.actions ?? []).map(
                (action, i) =>
                  html`<button type="button" class=${i === 0 ? 'primary' : ''} @click=${() => this.#choose(action)}>
                    ${action.label}
                  </button>`,
              )}
              <button type="button" class=${request.actions?.length ? '' : 'primary'} @click=${() => this.#choose(null)}>
                OK
              </button>
            </div>`
      }
    </dialog>`
  }

  async #present(request: BlockingRequest): Promise<void> {
    this.current = request
    await this.updateComplete
    if (!this.dialog.open) this.dialog.showModal()
    // showModal focuses the first focusable element; make that explicit for the primary action.
    this.renderRoot.querySelector<HTMLButtonElement>('.actions button')?.focus()
    this.#fire('ss-dialog-opened', { title: request.title })
  }

  /**
   * showModal() makes the page inert, but Tab past the last button still leaves
   * for the browser's own UI; wrap around instead so focus stays in the dialog.
   */
  #trapTab(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.actions button')]
    const first = buttons[0]
    const last = buttons.at(-1)
    const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null
    if (first === undefined || last === undefined) return
    if (event.shiftKey ? active === first : active === last) {
      event.preventDefault()
      ;(event.shiftKey ? last : first).focus()
    }
  }

  #onCancel(event: Event): void {
    // Escape: same as OK. Prevented so the <dialog> closes through #choose only.
    event.preventDefault()
    this.#choose(null)
  }

  #choose(action: DialogAction | null): void {
    const request = this.current
    if (request === null) return
    this.dialog.close()
    this.current = null
    this.#fire('ss-dialog-closed', { title: request.title, action: action?.label ?? null })
    action?.run()
    const next = this.#queue.shift()
    if (next !== undefined) void this.#present(next)
  }

  #fire<K extends 'ss-dialog-opened' | 'ss-dialog-closed'>(
    type: K,
    detail: HTMLElementEventMap[K]['detail'],
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-blocking-dialog': SsBlockingDialog
  }
  interface HTMLElementEventMap {
    'ss-dialog-opened': CustomEvent<{ readonly title: string }>
    'ss-dialog-closed': CustomEvent<DialogClosedDetail>
  }
}
