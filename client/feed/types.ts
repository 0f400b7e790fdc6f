/** Types of the live feed client (DESIGN §5) and of the page ⇄ SharedWorker protocol. */
import type { DeliveredEvent, FeedEvent } from '../../shared/events.ts'
import type { FeedClient } from '../app/contexts.ts'

export type FeedState = FeedClient['state']

/** The SSE event names of API.md "Live feed". */
export const FEED_EVENT_TYPES = [
  'notice',
  'presence',
  'forced-close',
  'worklist',
] as const satisfies readonly FeedEvent['type'][]

/** The default endpoint (same origin, cookie auth). */
export const DEFAULT_FEED_URL = '/api/v1/events'

/** What the shell holds: the context's FeedClient plus its own life cycle. */
export interface LiveFeed extends FeedClient {
  /** Leaves the feed in this tab; the shared stream goes on for the browser's other tabs. */
  close(): void
  /** Ends the browser's one stream for every tab (sign-out), then leaves. */
  stop(): void
  /** The last resumable event id seen (0 = none). */
  readonly lastEventId: number
  /** `shared-worker` or `direct` (the fallback where SharedWorker is missing). */
  readonly mode: 'shared-worker' | 'direct'
}

/** Page → worker. */
export type PageMessage =
  /** Make sure the stream runs for this user; resume after `lastEventId` when it has to start. */
  | { type: 'start'; userId: string; url: string; lastEventId: number | null }
  /** End the stream for everyone (sign-out). */
  | { type: 'stop' }
  /** This port is going away. */
  | { type: 'detach' }

/** Worker → page. */
export type WorkerMessage =
  | { type: 'state'; state: FeedState }
  | { type: 'event'; event: DeliveredEvent }
