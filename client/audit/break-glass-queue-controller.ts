import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { failureText, statusOf } from '../access/format.ts'
import type { BreakGlassQueueEntry, FeedClient, StudySyncApi } from '../app/contexts.ts'

/**
 * The admins' review queue of break-the-glass unlocks (S31): pending entries from
 * GET /break-glass?pending=1, acknowledged one by one. An entry someone else
 * acknowledged first (409) leaves the queue as well. A new unlock (the server's
 * `access.break-glass` notice to admins on the live feed) reloads it.
 */
export class BreakGlassQueueController implements ReactiveController {
  entries: BreakGlassQueueEntry[] = []
  loaded = false
  message = ''
  error = ''

  readonly #host: ReactiveControllerHost
  #api: StudySyncApi | null = null
  #connected = false
  #feed: FeedClient | null = null
  #unsubscribe: (() => void) | null = null

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  setApi(api: StudySyncApi | null): void {
    if (api === this.#api) return
    this.#api = api
    if (this.#connected) void this.reload()
  }

  setFeed(feed: FeedClient | null): void {
    if (feed === this.#feed) return
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.#feed = feed
    if (this.#connected) this.#subscribe()
  }

  hostConnected(): void {
    this.#connected = true
    this.#subscribe()
    if (!this.loaded) void this.reload()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  #subscribe(): void {
    if (this.#feed === null || this.#unsubscribe !== null) return
    this.#unsubscribe = this.#feed.subscribe(({ event }) => {
      if (event.type === 'notice' && event.data.kind === 'access.break-glass') void this.reload()
    })
  }

  async reload(): Promise<void> {
    const api = this.#api
    if (api === null) return
    try {
      this.entries = (await api.breakGlassQueue()).entries
      this.loaded = true
      this.error = ''
    } catch (error) {
      this.error = `Could not load the review queue: ${failureText(error)}`
    }
    this.#host.requestUpdate()
  }

  async acknowledge(entry: BreakGlassQueueEntry): Promise<void> {
    const api = this.#api
    if (api === null) return
    this.message = ''
    this.error = ''
    try {
      await api.acknowledgeBreakGlass(entry.id)
      this.message = `Acknowledged: ${entry.user.name} on study ${entry.accession}.`
      this.#drop(entry)
    } catch (error) {
      if (statusOf(error) === 409) {
        this.message = failureText(error)
        this.#drop(entry)
      } else this.error = `Could not acknowledge: ${failureText(error)}`
    }
    this.#host.requestUpdate()
  }

  #drop(entry: BreakGlassQueueEntry): void {
    this.entries = this.entries.filter((e) => e.id !== entry.id)
  }
}
