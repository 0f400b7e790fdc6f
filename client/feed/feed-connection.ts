/**
 * One EventSource to the live feed, wherever it runs: inside the SharedWorker, or
 * in the page when there is no SharedWorker. It remembers the last resumable id.
 *
 * The browser reconnects by itself after a dropped stream and sends
 * `Last-Event-ID`; but an answer that is not a 200 event stream (a 401 after the
 * session expired, a 502 from a proxy while the server restarts) closes the
 * EventSource for good. Then we open a new one ourselves after a jittered
 * backoff, passing `?lastEventId=` since a fresh EventSource has no id to send.
 */
import type { DeliveredEvent } from '../../shared/events.ts'
import { type BackoffPolicy, jitteredBackoff, type RandomSource } from '../connection/backoff.ts'
import { browserTimers, type Timers } from '../connection/environment.ts'
import { LIVE_ONLY_ID, parseFeedMessage } from './parse.ts'
import { FEED_EVENT_TYPES, type FeedState } from './types.ts'

/** Retries after a final failure: slow, because a 401 will keep failing until sign-in. */
export const FEED_RETRY_BACKOFF: BackoffPolicy = { baseMs: 2000, capMs: 60_000 }

/** The constructor surface we use, so tests can pass a fake. */
/** `EventSource.CLOSED`, spelled out so fakes need not define the statics. */
const CLOSED = 2

export type EventSourceConstructor = new (url: string | URL) => EventSource

export interface FeedConnectionOptions {
  /** The endpoint, absolute or relative to `baseUrl`. */
  readonly url: string
  /** Resolves `url` (the page's or the worker's location). */
  readonly baseUrl: string
  /** Resume after this id when starting; null = only new events. */
  readonly lastEventId: number | null
  readonly onEvent: (event: DeliveredEvent) => void
  readonly onState: (state: FeedState) => void
  readonly EventSourceImpl?: EventSourceConstructor
  readonly timers?: Timers
  readonly random?: RandomSource
}

export class FeedConnection {
  readonly #options: FeedConnectionOptions
  readonly #timers: Timers
  #source: EventSource | null = null
  #retry: unknown = null
  #attempt = 0
  #lastEventId: number
  #state: FeedState = 'closed'
  #stopped = false

  constructor(options: FeedConnectionOptions) {
    this.#options = options
    this.#timers = options.timers ?? browserTimers
    this.#lastEventId = options.lastEventId ?? 0
  }

  get state(): FeedState {
    return this.#state
  }

  get lastEventId(): number {
    return this.#lastEventId
  }

  start(): void {
    if (this.#stopped || this.#source !== null) return
    const url = new URL(this.#options.url, this.#options.baseUrl)
    // Never `?lastEventId=0` by accident: that would replay the user's whole buffer.
    if (this.#options.lastEventId !== null || this.#lastEventId > 0) {
      url.searchParams.set('lastEventId', String(this.#lastEventId))
    }
    const Impl = this.#options.EventSourceImpl ?? globalThis.EventSource
    const source = new Impl(url)
    this.#source = source
    this.#setState('connecting')
    source.onopen = () => {
      this.#attempt = 0
      this.#setState('open')
    }
    source.onerror = () => this.#failed(source)
    for (const type of FEED_EVENT_TYPES) {
      source.addEventListener(type, (message) => this.#received(type, message))
    }
  }

  /** Final: closes the stream and cancels any retry. */
  stop(): void {
    this.#stopped = true
    if (this.#retry !== null) this.#timers.clearTimeout(this.#retry)
    this.#retry = null
    this.#closeSource()
    this.#setState('closed')
  }

  #received(type: string, message: Event): void {
    if (!(message instanceof MessageEvent) || typeof message.data !== 'string') return
    const delivered = parseFeedMessage(type, message.data, message.lastEventId)
    if (delivered === null) return
    if (delivered.id !== LIVE_ONLY_ID) {
      // A replay overlapping what we already have: drop, never deliver twice.
      if (delivered.id <= this.#lastEventId && this.#lastEventId > 0) return
      this.#lastEventId = delivered.id
    }
    this.#options.onEvent(delivered)
  }

  #failed(source: EventSource): void {
    if (source !== this.#source) return
    if (source.readyState !== CLOSED) {
      // The browser retries on its own (after the server's `retry:`), with Last-Event-ID.
      this.#setState('connecting')
      return
    }
    this.#closeSource()
    this.#setState('closed')
    this.#attempt += 1
    const delay = jitteredBackoff(this.#attempt, this.#options.random, FEED_RETRY_BACKOFF)
    this.#retry = this.#timers.setTimeout(() => {
      this.#retry = null
      this.start()
    }, delay)
  }

  #closeSource(): void {
    const source = this.#source
    this.#source = null
    if (source === null) return
    source.onopen = null
    source.onerror = null
    source.close()
  }

  #setState(state: FeedState): void {
    if (state === this.#state) return
    this.#state = state
    this.#options.onState(state)
  }
}
