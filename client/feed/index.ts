/** The live feed: one stream per browser, shared by its tabs (DESIGN §5). */
export {
  createFeedClient,
  type FeedClientOptions,
  type SharedWorkerConstructor,
} from './feed-client.ts'
export {
  type EventSourceConstructor,
  FEED_RETRY_BACKOFF,
  FeedConnection,
} from './feed-connection.ts'
export { FeedHub } from './feed-hub.ts'
export { lastEventIdKey, readLastEventId } from './last-event-id.ts'
export { LIVE_ONLY_ID, parseFeedMessage } from './parse.ts'
export { DEFAULT_FEED_URL, type FeedState, type LiveFeed } from './types.ts'
