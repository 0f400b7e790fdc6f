import { ContextConsumer } from '@lit/context'
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { DeliveredEvent } from '../../shared/events.ts'
import { type FeedClient, feedContext } from '../app/contexts.ts'

type FeedState = FeedClient['state']

/**
 * Listens to the shared live feed (feedContext) while the host is connected, and
 * follows the feed when the shell replaces it (e.g. after signing in again).
 */
export class FeedSubscription implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #listener: (event: DeliveredEvent) => void
  #feed: FeedClient | null = null
  #connected = false
  #unsubscribe: (() => void)[] = []

  constructor(
    host: ReactiveControllerHost & HTMLElement,
    listener: (event: DeliveredEvent) => void,
  ) {
    this.#host = host
    this.#listener = listener
    new ContextConsumer(host, {
      context: feedContext,
      subscribe: true,
      callback: (feed) => this.#use(feed ?? null),
    })
    host.addController(this)
  }

  /** The feed's connection state, or null without a feed. */
  get state(): FeedState | null {
    return this.#feed?.state ?? null
  }

  hostConnected(): void {
    this.#connected = true
    this.#subscribe()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#stop()
  }

  #use(feed: FeedClient | null): void {
    if (feed === this.#feed) return
    this.#stop()
    this.#feed = feed
    this.#subscribe()
    this.#host.requestUpdate()
  }

  #subscribe(): void {
    const feed = this.#feed
    if (feed === null || !this.#connected || this.#unsubscribe.length > 0) return
    this.#unsubscribe = [
      feed.subscribe(this.#listener),
      feed.onState(() => this.#host.requestUpdate()),
    ]
  }

  #stop(): void {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
  }
}
