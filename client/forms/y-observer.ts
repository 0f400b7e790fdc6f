import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type * as Y from 'yjs'

/** Reacts to one Yjs event; the default re-renders the host. */
export type YEventHandler = (event: Y.YEvent<Y.AbstractType<unknown>>, tx: Y.Transaction) => void

/** Any shared type (Y.Map, Y.Text, …): their event types differ, and we only pass events on. */
export interface ObservableType {
  observe(f: (event: unknown, tx: Y.Transaction) => void): void
  unobserve(f: (event: unknown, tx: Y.Transaction) => void): void
}

/**
 * Observes one shared type (a Y.Map of fields, a Y.Text) while the host is
 * connected (STYLE 14). Point it at another type with `observe`; null stops.
 */
export class YObserver implements ReactiveController {
  readonly #handler: YEventHandler
  #type: ObservableType | null = null
  /** The type we are subscribed to (Yjs warns when removing a handler it never had). */
  #observed: ObservableType | null = null
  #connected = false

  constructor(host: ReactiveControllerHost, handler?: YEventHandler) {
    this.#handler = handler ?? (() => host.requestUpdate())
    host.addController(this)
  }

  get type(): ObservableType | null {
    return this.#type
  }

  observe(type: ObservableType | null): void {
    this.#type = type
    this.#sync()
  }

  hostConnected(): void {
    this.#connected = true
    this.#sync()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#sync()
  }

  #sync(): void {
    const wanted = this.#connected ? this.#type : null
    if (wanted === this.#observed) return
    this.#observed?.unobserve(this.#onEvent)
    this.#observed = wanted
    wanted?.observe(this.#onEvent)
  }

  readonly #onEvent = (event: unknown, tx: Y.Transaction): void => {
    this.#handler(event as Y.YEvent<Y.AbstractType<unknown>>, tx)
  }
}
