/**
 * The page's handle on the live feed (`feedContext`). With SharedWorker, every tab
 * talks to the one worker that owns the browser's only stream; without it (some
 * mobile browsers) the page holds its own EventSource.
 */
import type { DeliveredEvent } from '../../shared/events.ts'
import { Emitter } from '../connection/emitter.ts'
import type { Timers } from '../connection/environment.ts'
import { type EventSourceConstructor, FeedConnection } from './feed-connection.ts'
import {
  defaultIdStorage,
  type IdStorage,
  readLastEventId,
  writeLastEventId,
} from './last-event-id.ts'
import { LIVE_ONLY_ID } from './parse.ts'
import {
  DEFAULT_FEED_URL,
  type FeedState,
  type LiveFeed,
  type PageMessage,
  type WorkerMessage,
} from './types.ts'

export type SharedWorkerConstructor = new (
  url: string | URL,
  options?: WorkerOptions,
) => SharedWorker

export interface FeedClientOptions {
  /** Whose feed: keys the stored resume id. */
  readonly userId: string
  /** Default `/api/v1/events` (same origin: the session cookie authenticates). */
  readonly url?: string
  /** Default `studysync-feed`; tests use their own to get a fresh worker. */
  readonly workerName?: string
  /** Null forces the direct fallback; default `globalThis.SharedWorker`. */
  readonly SharedWorkerImpl?: SharedWorkerConstructor | null
  /** For the direct fallback. */
  readonly EventSourceImpl?: EventSourceConstructor
  readonly storage?: IdStorage | null
  readonly timers?: Timers
}

interface FeedEvents {
  event: DeliveredEvent
  state: FeedState
}

/** Starts (or joins) the feed for `options.userId`. */
export function createFeedClient(options: FeedClientOptions): LiveFeed {
  const SharedWorkerImpl =
    options.SharedWorkerImpl === undefined ? globalThis.SharedWorker : options.SharedWorkerImpl
  return typeof SharedWorkerImpl === 'function'
    ? new SharedFeedClient(options, SharedWorkerImpl)
    : new DirectFeedClient(options)
}

abstract class BaseFeedClient implements LiveFeed {
  abstract readonly mode: LiveFeed['mode']
  protected readonly emitter = new Emitter<FeedEvents>()
  protected readonly userId: string
  readonly #storage: IdStorage | null
  #state: FeedState = 'connecting'
  #lastEventId: number
  #closed = false

  constructor(options: FeedClientOptions) {
    this.userId = options.userId
    this.#storage = options.storage === undefined ? defaultIdStorage() : options.storage
    this.#lastEventId = readLastEventId(this.#storage, this.userId) ?? 0
  }

  get state(): FeedState {
    return this.#state
  }

  get lastEventId(): number {
    return this.#lastEventId
  }

  subscribe(listener: (event: DeliveredEvent) => void): () => void {
    return this.emitter.on('event', listener)
  }

  onState(listener: (state: FeedState) => void): () => void {
    return this.emitter.on('state', listener)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.leave()
    this.setState('closed')
    this.emitter.clear()
  }

  abstract stop(): void
  protected abstract leave(): void

  protected get isClosed(): boolean {
    return this.#closed
  }

  /** The id to resume after on a fresh start, or null for "only new events". */
  protected get resumeId(): number | null {
    return this.#lastEventId > 0 ? this.#lastEventId : null
  }

  protected deliver(event: DeliveredEvent): void {
    if (this.#closed) return
    if (event.id !== LIVE_ONLY_ID) {
      if (event.id <= this.#lastEventId) return
      this.#lastEventId = event.id
      writeLastEventId(this.#storage, this.userId, event.id)
    }
    this.emitter.emit('event', event)
  }

  protected setState(state: FeedState): void {
    if (state === this.#state) return
    this.#state = state
    this.emitter.emit('state', state)
  }
}

class SharedFeedClient extends BaseFeedClient {
  readonly mode = 'shared-worker'
  readonly #port: MessagePort

  constructor(options: FeedClientOptions, SharedWorkerImpl: SharedWorkerConstructor) {
    super(options)
    const worker = spawnFeedWorker(SharedWorkerImpl, options.workerName ?? 'studysync-feed')
    this.#port = worker.port
    this.#port.onmessage = (message: MessageEvent<WorkerMessage>) => this.#receive(message.data)
    this.#post({
      type: 'start',
      userId: this.userId,
      url: options.url ?? DEFAULT_FEED_URL,
      lastEventId: this.resumeId,
    })
  }

  stop(): void {
    if (!this.isClosed) this.#post({ type: 'stop' })
    this.close()
  }

  protected leave(): void {
    this.#post({ type: 'detach' })
    this.#port.onmessage = null
    this.#port.close()
  }

  #receive(message: WorkerMessage): void {
    if (message.type === 'event') this.deliver(message.event)
    else if (message.type === 'state') this.setState(message.state)
  }

  #post(message: PageMessage): void {
    this.#port.postMessage(message)
  }
}

/**
 * Vite bundles a worker only where it sees `new SharedWorker(new URL('…', import.meta.url)`
 * spelled out, so the injectable constructor is a parameter with that very name.
 */
function spawnFeedWorker(SharedWorker: SharedWorkerConstructor, name: string): SharedWorker {
  return new SharedWorker(new URL('./feed-worker.ts', import.meta.url), { type: 'module', name })
}

class DirectFeedClient extends BaseFeedClient {
  readonly mode = 'direct'
  readonly #connection: FeedConnection

  constructor(options: FeedClientOptions) {
    super(options)
    this.#connection = new FeedConnection({
      url: options.url ?? DEFAULT_FEED_URL,
      baseUrl: globalThis.location.href,
      lastEventId: this.resumeId,
      onEvent: (event) => this.deliver(event),
      onState: (state) => this.setState(state),
      ...(options.EventSourceImpl ? { EventSourceImpl: options.EventSourceImpl } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
    })
    this.#connection.start()
  }

  stop(): void {
    this.close()
  }

  protected leave(): void {
    this.#connection.stop()
  }
}
