/**
 * The notification history of this tab: every notice shown, newest first, with
 * read/unread. A plain store; elements follow it through HistoryController.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Notice } from '../../shared/events.ts'

/** Where a notice was shown besides the history (screen readers hear those already). */
export type ShownAs = 'history' | 'toast' | 'dialog'

export interface HistoryEntry {
  readonly id: number
  readonly notice: Notice
  readonly shownAs: ShownAs
  readonly read: boolean
}

export type HistoryChange =
  | { type: 'added'; entry: HistoryEntry }
  | { type: 'read' }
  | { type: 'cleared' }

/** Beyond this many entries the oldest are dropped. */
export const HISTORY_LIMIT = 200

export class NotificationHistory {
  readonly #limit: number
  readonly #listeners = new Set<(change: HistoryChange) => void>()
  /** Newest first. */
  #entries: HistoryEntry[] = []
  #nextId = 1

  constructor(limit = HISTORY_LIMIT) {
    this.#limit = limit
  }

  /** Newest first. */
  get entries(): readonly HistoryEntry[] {
    return this.#entries
  }

  get unread(): number {
    return this.#entries.filter((entry) => !entry.read).length
  }

  add(notice: Notice, shownAs: ShownAs): HistoryEntry {
    const entry: HistoryEntry = { id: this.#nextId++, notice, shownAs, read: false }
    this.#entries = [entry, ...this.#entries].slice(0, this.#limit)
    this.#emit({ type: 'added', entry })
    return entry
  }

  markAllRead(): void {
    if (this.unread === 0) return
    this.#entries = this.#entries.map((entry) => (entry.read ? entry : { ...entry, read: true }))
    this.#emit({ type: 'read' })
  }

  /** On sign-out: the next user must not see this one's notices. */
  clear(): void {
    this.#entries = []
    this.#emit({ type: 'cleared' })
  }

  subscribe(listener: (change: HistoryChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(change: HistoryChange): void {
    for (const listener of [...this.#listeners]) listener(change)
  }
}

/**
 * Re-renders its host on every history change (STYLE 14): subscribes while the
 * host is connected, follows the host swapping in another store.
 */
export class HistoryController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #store: () => NotificationHistory | null
  readonly #onChange: ((change: HistoryChange) => void) | undefined
  #subscribed: NotificationHistory | null = null
  #unsubscribe: (() => void) | null = null
  #connected = false

  constructor(
    host: ReactiveControllerHost,
    store: () => NotificationHistory | null,
    onChange?: (change: HistoryChange) => void,
  ) {
    this.#host = host
    this.#store = store
    this.#onChange = onChange
    host.addController(this)
  }

  hostConnected(): void {
    this.#connected = true
    this.#follow()
  }

  hostUpdate(): void {
    this.#follow()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.#subscribed = null
  }

  #follow(): void {
    const store = this.#connected ? this.#store() : null
    if (store === this.#subscribed) return
    this.#unsubscribe?.()
    this.#subscribed = store
    this.#unsubscribe =
      store?.subscribe((change) => {
        this.#onChange?.(change)
        this.#host.requestUpdate()
      }) ?? null
    this.#host.requestUpdate()
  }
}
