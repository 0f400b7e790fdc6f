/**
 * The SharedWorker's side of the feed (DESIGN §5): every tab of this browser is a
 * port; one FeedConnection serves them all, and each event goes to every port.
 * Kept apart from the worker entry so tests can drive it over a MessageChannel.
 */
import type { DeliveredEvent } from '../../shared/events.ts'
import type { Timers } from '../connection/environment.ts'
import { type EventSourceConstructor, FeedConnection } from './feed-connection.ts'
import { LIVE_ONLY_ID } from './parse.ts'
import type { FeedState, PageMessage, WorkerMessage } from './types.ts'

export interface FeedHubOptions {
  /** Resolves relative feed URLs: the worker's own location. */
  readonly baseUrl: string
  readonly EventSourceImpl?: EventSourceConstructor
  readonly timers?: Timers
}

interface Running {
  readonly userId: string
  readonly url: string
  readonly connection: FeedConnection
}

export class FeedHub {
  readonly #options: FeedHubOptions
  readonly #ports = new Set<MessagePort>()
  /** Per user, so that a sign-out and sign-in within the worker's life resumes. */
  readonly #lastIds = new Map<string, number>()
  #running: Running | null = null

  constructor(options: FeedHubOptions) {
    this.#options = options
  }

  /** The tabs currently attached. */
  get portCount(): number {
    return this.#ports.size
  }

  attach(port: MessagePort): void {
    this.#ports.add(port)
    // Assigning onmessage also starts the port.
    port.onmessage = (message: MessageEvent<unknown>) => this.#handle(port, message.data)
  }

  #handle(port: MessagePort, message: unknown): void {
    if (!isPageMessage(message)) return
    switch (message.type) {
      case 'start':
        return this.#start(port, message)
      case 'stop':
        return this.#stop()
      case 'detach':
        return this.#detach(port)
    }
  }

  #start(port: MessagePort, message: Extract<PageMessage, { type: 'start' }>): void {
    const running = this.#running
    if (running !== null && running.userId === message.userId && running.url === message.url) {
      post(port, { type: 'state', state: running.connection.state })
      return
    }
    this.#running?.connection.stop()
    const { userId, url } = message
    const connection = new FeedConnection({
      url,
      baseUrl: this.#options.baseUrl,
      lastEventId: newest(message.lastEventId, this.#lastIds.get(userId)),
      onEvent: (event) => this.#relay(userId, event),
      onState: (state) => this.#broadcastState(connection, state),
      ...(this.#options.EventSourceImpl ? { EventSourceImpl: this.#options.EventSourceImpl } : {}),
      ...(this.#options.timers ? { timers: this.#options.timers } : {}),
    })
    this.#running = { userId, url, connection }
    connection.start()
  }

  #stop(): void {
    const running = this.#running
    this.#running = null
    running?.connection.stop()
    this.#broadcast({ type: 'state', state: 'closed' })
  }

  #detach(port: MessagePort): void {
    this.#ports.delete(port)
    port.close()
    // Nobody left to listen: free the browser's HTTP connection.
    if (this.#ports.size === 0) {
      this.#running?.connection.stop()
      this.#running = null
    }
  }

  #relay(userId: string, event: DeliveredEvent): void {
    if (event.id !== LIVE_ONLY_ID) this.#lastIds.set(userId, event.id)
    this.#broadcast({ type: 'event', event })
  }

  #broadcastState(connection: FeedConnection, state: FeedState): void {
    // A connection being replaced must not report over its successor.
    if (this.#running?.connection === connection) this.#broadcast({ type: 'state', state })
  }

  #broadcast(message: WorkerMessage): void {
    for (const port of this.#ports) post(port, message)
  }
}

function post(port: MessagePort, message: WorkerMessage): void {
  port.postMessage(message)
}

function newest(a: number | null, b: number | undefined): number | null {
  if (b === undefined) return a
  return a === null ? b : Math.max(a, b)
}

function isPageMessage(value: unknown): value is PageMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Record<string, unknown>
  switch (message.type) {
    case 'start':
      return (
        typeof message.userId === 'string' &&
        typeof message.url === 'string' &&
        (message.lastEventId === null || typeof message.lastEventId === 'number')
      )
    case 'stop':
    case 'detach':
      return true
    default:
      return false
  }
}
