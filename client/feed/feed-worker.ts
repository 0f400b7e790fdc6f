/**
 * The SharedWorker entry: the browser's one live-feed stream (DESIGN §5 — one
 * long-lived HTTP connection per browser, not per tab, so a seventh tab is not
 * starved by the six-connections-per-host limit). Tabs connect through
 * createFeedClient (feed-client.ts).
 */
import { FeedHub } from './feed-hub.ts'

// The project compiles against the DOM lib only; this is the one worker global we use.
const scope = globalThis as unknown as {
  location: { href: string }
  onconnect: ((event: MessageEvent) => void) | null
}

const hub = new FeedHub({ baseUrl: scope.location.href })

scope.onconnect = (event) => {
  const [port] = event.ports
  if (port !== undefined) hub.attach(port)
}
