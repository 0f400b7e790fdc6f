import { css, html, LitElement } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import { browserTimers, type Timers } from '../connection/environment.ts'

/** DESIGN §5 toasts: long enough to read a sentence, short enough not to pile up. */
export const TOAST_DURATION_MS = 8000

export interface ToastRequest {
  readonly text: string
  /** `error` toasts are announced assertively (role="alert"). */
  readonly kind?: 'info' | 'error'
  /** A second line, e.g. "by BOSE at 14:02:31". */
  readonly meta?: string
}

export interface ToastDetail {
  readonly id: number
}

export interface ToastDismissedDetail extends ToastDetail {
  /** `timeout`: it expired; `dismissed`: the user closed it. */
  readonly reason: 'timeout' | 'dismissed'
}

const CLOSE_ICON = html`<svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"
  stroke="currentColor" stroke-width="2.5" stroke-linecap="round"><path d="M6 6l12 12M18 6L6 18" /></svg>`

interface Toast extends ToastRequest {
  readonly id: number
}

/**
 * Transient messages at the bottom corner. Each dismisses itself after
 * `durationMs` (paused while pointer or focus is on it, so it can be read) and has
 * a Dismiss button. Fires `ss-toast-shown` and `ss-toast-dismissed`.
 */
@customElement('ss-toast-stack')
export class SsToastStack extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      inset-block-end: 1rem;
      inset-inline-end: 1rem;
      z-index: 10;
      display: block;
      max-inline-size: min(28rem, calc(100vw - 2rem));
    }
    .stack {
      display: grid;
      gap: 0.5rem;
    }
    .toast {
      display: flex;
      align-items: start;
      gap: 0.75rem;
      padding: 0.75rem 0.75rem 0.75rem 1rem;
      border-radius: 0.5rem;
      background: #1f2933;
      color: #fff;
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
    }
    .toast.error {
      background: #8a1c1c;
    }
    .body {
      flex: 1;
    }
    p {
      margin: 0;
    }
    .meta {
      font-size: 0.85em;
      opacity: 0.85;
    }
    button {
      display: inline-grid;
      place-items: center;
      min-inline-size: 2.75rem;
      min-block-size: 2.75rem;
      border: 1px solid rgb(255 255 255 / 0.6);
      border-radius: 0.375rem;
      background: transparent;
      color: inherit;
      font: inherit;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid #ffd166;
      outline-offset: 2px;
    }
  `

  @property({ type: Number, attribute: 'duration-ms' }) durationMs = TOAST_DURATION_MS
  /** Injected in tests to control expiry. */
  @property({ attribute: false }) timers: Timers = browserTimers

  @state() private toasts: readonly Toast[] = []
  readonly #expiry = new Map<number, unknown>()
  #nextId = 1

  /** Shows a toast; returns its id. */
  show(request: ToastRequest): number {
    const toast: Toast = { ...request, id: this.#nextId++ }
    this.toasts = [...this.toasts, toast]
    this.#arm(toast.id)
    this.#fire('ss-toast-shown', { id: toast.id })
    return toast.id
  }

  dismiss(id: number, reason: ToastDismissedDetail['reason'] = 'dismissed'): void {
    if (!this.toasts.some((toast) => toast.id === id)) return
    this.#disarm(id)
    this.toasts = this.toasts.filter((toast) => toast.id !== id)
    this.#fire('ss-toast-dismissed', { id, reason })
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    for (const id of [...this.#expiry.keys()]) this.#disarm(id)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    for (const toast of this.toasts) this.#arm(toast.id)
  }

  override render() {
    return html`<div class="stack">
      ${repeat(
        this.toasts,
        (toast) => toast.id,
        (toast) => html`<div
          class="toast ${toast.kind ?? 'info'}"
          role=${toast.kind === 'error' ? 'alert' : 'status'}
          @pointerenter=${() => this.#disarm(toast.id)}
          @pointerleave=${() => this.#arm(toast.id)}
          @focusin=${() => this.#disarm(toast.id)}
          @focusout=${() => this.#arm(toast.id)}
        >
          <div class="body">
            <p>${toast.text}</p>
            ${toast.meta ? html`<p class="meta">${toast.meta}</p>` : null}
          </div>
          <button type="button" aria-label="Dismiss: ${toast.text}" @click=${() => this.dismiss(toast.id)}>
            ${CLOSE_ICON}
          </button>
        </div>`,
      )}
    </div>`
  }

  #arm(id: number): void {
    this.#disarm(id)
    this.#expiry.set(
      id,
      this.timers.setTimeout(() => {
        this.#expiry.delete(id)
        this.dismiss(id, 'timeout')
      }, this.durationMs),
    )
  }

  #disarm(id: number): void {
    const timer = this.#expiry.get(id)
    if (timer === undefined) return
    this.timers.clearTimeout(timer)
    this.#expiry.delete(id)
  }

  #fire<K extends 'ss-toast-shown' | 'ss-toast-dismissed'>(
    type: K,
    detail: HTMLElementEventMap[K]['detail'],
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-toast-stack': SsToastStack
  }
  interface HTMLElementEventMap {
    'ss-toast-shown': CustomEvent<ToastDetail>
    'ss-toast-dismissed': CustomEvent<ToastDismissedDetail>
  }
}
