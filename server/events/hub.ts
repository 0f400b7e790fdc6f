/**
 * The live feed's fan-out (API.md "Live feed", DESIGN §5): per-user replay
 * buffers and live subscribers.
 *
 * Ids need no persistence to survive a restart: each is at least
 * `clock.now() * 1000`, so ids issued after a restart exceed those issued
 * before it (unless more than 1000 events a millisecond were sustained, or
 * the wall clock went back across the restart), and a client resuming with
 * an old id gets everything buffered since. Within one process ids also
 * increase when the clock goes backwards: `max(last + 1, now * 1000)`.
 */
import type { Clock } from '../clock.ts'
import type { DeliveredEvent, FeedEvent } from './types.ts'

/**
 * The `id` of an event sent by `broadcastLive`: not buffered, not resumable.
 * Buffered ids are never this low; the SSE writer sends no `id:` line for it,
 * so the browser's last event id stays at the last resumable one.
 */
export const LIVE_ONLY_ID = 0

export const DEFAULT_BUFFER_PER_USER = 500
/** A browser shares one feed across its tabs (DESIGN §5); this is only a safety net. */
export const DEFAULT_MAX_SUBSCRIBERS_PER_USER = 20
/** Ids per millisecond of wall clock; see the module comment. */
const IDS_PER_MS = 1000
/** A resume id further ahead of our clock than this is not trusted to move our ids on. */
const MAX_FUTURE_RESUME_MS = 24 * 60 * 60 * 1000

export interface EventHubOptions {
  clock: Clock
  /** Events kept per user for resuming; default 500. */
  bufferPerUser?: number
  /** Live subscribers per user; the oldest is closed beyond this. Default 20. */
  maxSubscribersPerUser?: number
}

interface Subscriber {
  readonly send: (e: DeliveredEvent) => void
  readonly onClose: (() => void) | undefined
}

interface UserFeed {
  lastId: number
  /** Oldest first; ids strictly increasing. */
  readonly buffer: DeliveredEvent[]
  /** Insertion order = age, so the first is the oldest. */
  readonly subscribers: Set<Subscriber>
}

export class EventHub {
  private readonly clock: Clock
  private readonly bufferPerUser: number
  private readonly maxSubscribersPerUser: number
  private readonly users = new Map<string, UserFeed>()
  private closed = false

  constructor(opts: EventHubOptions) {
    this.clock = opts.clock
    this.bufferPerUser = Math.max(1, opts.bufferPerUser ?? DEFAULT_BUFFER_PER_USER)
    this.maxSubscribersPerUser = Math.max(
      1,
      opts.maxSubscribersPerUser ?? DEFAULT_MAX_SUBSCRIBERS_PER_USER,
    )
  }

  /** Stores in the user's replay buffer and sends to their live subscribers. */
  publish(userId: string, event: FeedEvent): DeliveredEvent {
    const feed = this.feed(userId)
    const delivered: DeliveredEvent = { id: this.nextId(feed), event }
    feed.buffer.push(delivered)
    if (feed.buffer.length > this.bufferPerUser) feed.buffer.shift()
    this.deliver(feed, delivered)
    return delivered
  }

  /** Publishes one event to each of several users (each gets its own id). */
  publishMany(userIds: Iterable<string>, event: FeedEvent): void {
    for (const userId of new Set(userIds)) this.publish(userId, event)
  }

  /** Ephemeral (presence): to every live subscriber for whom `filter(userId)` is true; not buffered, not resumable. */
  broadcastLive(event: FeedEvent, filter: (userId: string) => boolean = () => true): void {
    const delivered: DeliveredEvent = { id: LIVE_ONLY_ID, event }
    for (const [userId, feed] of this.users) {
      if (feed.subscribers.size > 0 && filter(userId)) this.deliver(feed, delivered)
    }
  }

  /**
   * Replays buffered events with id > lastEventId first (in order), then live ones.
   * `lastEventId` null means a fresh feed: nothing is replayed. `onClose` is called
   * when the hub ends the subscription itself (too many subscribers, a failing
   * `send`, or close()); the caller should then end its stream. Returns unsubscribe.
   */
  subscribe(
    userId: string,
    lastEventId: number | null,
    send: (e: DeliveredEvent) => void,
    onClose?: () => void,
  ): () => void {
    if (this.closed) {
      closeQuietly({ send, onClose })
      return () => {}
    }
    const feed = this.feed(userId)
    const subscriber: Subscriber = { send, onClose }
    if (lastEventId !== null && !this.replay(feed, subscriber, lastEventId)) return () => {}
    feed.subscribers.add(subscriber)
    this.enforceSubscriberLimit(feed)
    return () => {
      feed.subscribers.delete(subscriber)
    }
  }

  subscriberCount(): number {
    let count = 0
    for (const feed of this.users.values()) count += feed.subscribers.size
    return count
  }

  /** Ends every subscription (calling their `onClose`); later subscribes end at once. */
  close(): void {
    this.closed = true
    for (const feed of this.users.values()) {
      for (const subscriber of [...feed.subscribers]) this.drop(feed, subscriber)
    }
  }

  private feed(userId: string): UserFeed {
    let feed = this.users.get(userId)
    if (!feed) {
      feed = { lastId: 0, buffer: [], subscribers: new Set() }
      this.users.set(userId, feed)
    }
    return feed
  }

  private nextId(feed: UserFeed): number {
    feed.lastId = Math.max(feed.lastId + 1, Math.floor(this.clock.now()) * IDS_PER_MS)
    return feed.lastId
  }

  /** Sends what the subscriber missed; false if its `send` failed (it is then closed). */
  private replay(feed: UserFeed, subscriber: Subscriber, lastEventId: number): boolean {
    this.noteResumeId(feed, lastEventId)
    for (const delivered of feed.buffer) {
      if (delivered.id <= lastEventId) continue
      if (!this.trySend(subscriber, delivered)) {
        closeQuietly(subscriber)
        return false
      }
    }
    return true
  }

  /**
   * A client may hold an id from before a restart whose clock ran ahead of
   * ours; later ids must still exceed it, or its next resume would skip them.
   */
  private noteResumeId(feed: UserFeed, lastEventId: number): void {
    const ceiling = (Math.floor(this.clock.now()) + MAX_FUTURE_RESUME_MS) * IDS_PER_MS
    if (Number.isSafeInteger(lastEventId) && lastEventId <= ceiling) {
      feed.lastId = Math.max(feed.lastId, lastEventId)
    }
  }

  private deliver(feed: UserFeed, delivered: DeliveredEvent): void {
    for (const subscriber of [...feed.subscribers]) {
      if (!this.trySend(subscriber, delivered)) this.drop(feed, subscriber)
    }
  }

  private trySend(subscriber: Subscriber, delivered: DeliveredEvent): boolean {
    try {
      subscriber.send(delivered)
      return true
    } catch {
      // A subscriber whose send throws is broken; it resumes from its last id when it reconnects.
      return false
    }
  }

  private enforceSubscriberLimit(feed: UserFeed): void {
    while (feed.subscribers.size > this.maxSubscribersPerUser) {
      const oldest = feed.subscribers.values().next().value
      if (!oldest) return
      this.drop(feed, oldest)
    }
  }

  private drop(feed: UserFeed, subscriber: Subscriber): void {
    if (feed.subscribers.delete(subscriber)) closeQuietly(subscriber)
  }
}

function closeQuietly(subscriber: Subscriber): void {
  try {
    subscriber.onClose?.()
  } catch {
    // Closing is best effort; the subscriber is already gone from the hub.
  }
}
