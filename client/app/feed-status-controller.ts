/**
 * Follows the live feed's state and the browser's network state for an element
 * (STYLE 14), and sums them up as one of: online, connecting, reconnecting, offline.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Network } from '../connection/environment.ts'
import type { FeedClient } from './contexts.ts'

export type LinkState = 'online' | 'connecting' | 'reconnecting' | 'offline'

export class FeedStatusController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #feed: () => FeedClient | null
  readonly #network: () => Network
  #followed: { feed: FeedClient | null; network: Network } | null = null
  #unsubscribe: (() => void)[] = []
  #wasOpen = false

  constructor(host: ReactiveControllerHost, feed: () => FeedClient | null, network: () => Network) {
    this.#host = host
    this.#feed = feed
    this.#network = network
    host.addController(this)
  }

  get state(): LinkState {
    const feed = this.#feed()
    if (!this.#network().isOnline() || feed === null) return 'offline'
    if (feed.state === 'open') return 'online'
    if (feed.state === 'connecting') return this.#wasOpen ? 'reconnecting' : 'connecting'
    return 'offline'
  }

  hostConnected(): void {
    this.#follow()
  }

  hostUpdate(): void {
    this.#follow()
  }

  hostDisconnected(): void {
    this.#stopFollowing()
  }

  #follow(): void {
    const feed = this.#feed()
    const network = this.#network()
    if (this.#followed?.feed === feed && this.#followed.network === network) return
    this.#stopFollowing()
    this.#followed = { feed, network }
    this.#wasOpen = feed?.state === 'open'
    const update = () => {
      if (feed?.state === 'open') this.#wasOpen = true
      this.#host.requestUpdate()
    }
    this.#unsubscribe = [network.subscribe(update), ...(feed ? [feed.onState(update)] : [])]
  }

  #stopFollowing(): void {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    this.#followed = null
  }
}
