/**
 * Holds the signed-in user's live feed for the shell (STYLE 14) and turns its
 * events into what the user sees: every `notice` through the Notifier, a
 * `forced-close` of what this tab has open (or just left) as a blocking dialog
 * plus a way out.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { DeliveredEvent, Notice } from '../../shared/events.ts'
import type { LiveFeed } from '../feed/index.ts'
import type { Notifier, Route } from './contexts.ts'
import {
  type ForcedClose,
  forcedCloseNotice,
  leavesPage,
  mergeTarget,
  routeShows,
  ShownSubjects,
} from './forced-close.ts'

export type FeedFactory = (userId: string) => LiveFeed

/**
 * A notice older than this when it arrives is a replay (the tablet was offline or
 * signed out): it goes to the history, unread, instead of popping up.
 */
export const STALE_NOTICE_MS = 5 * 60_000

export interface FeedControllerOptions {
  readonly notifier: Notifier
  readonly route: () => Route
  readonly go: (route: Route) => void
  /** The feed's state changed (e.g. `closed`: the session may have ended). */
  readonly onState?: (state: LiveFeed['state']) => void
  /** Every forced close, whatever this tab shows (e.g. to purge local copies of a deleted study). */
  readonly onForcedClose?: (data: ForcedClose) => void
  readonly now?: () => number
}

export class FeedController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #factory: () => FeedFactory
  readonly #options: FeedControllerOptions
  #userId: string | null = null
  #feed: LiveFeed | null = null
  #unsubscribe: (() => void)[] = []
  #connected = false
  readonly #shown = new ShownSubjects()

  constructor(
    host: ReactiveControllerHost,
    factory: () => FeedFactory,
    options: FeedControllerOptions,
  ) {
    this.#host = host
    this.#factory = factory
    this.#options = options
    host.addController(this)
  }

  get feed(): LiveFeed | null {
    return this.#feed
  }

  /** Joins `userId`'s feed now, or when the host connects. */
  open(userId: string): void {
    if (this.#userId === userId && this.#feed !== null) return
    this.#detach()
    this.#userId = userId
    this.#attach()
  }

  /** Ends the browser's shared stream for every tab (sign-out). */
  stop(): void {
    this.#userId = null
    const feed = this.#feed
    this.#release()
    feed?.stop()
  }

  hostConnected(): void {
    this.#connected = true
    this.#attach()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#detach()
  }

  hostUpdate(): void {
    this.#shown.update(this.#options.route(), this.#now())
  }

  #attach(): void {
    if (!this.#connected || this.#userId === null || this.#feed !== null) return
    const feed = this.#factory()(this.#userId)
    this.#feed = feed
    this.#unsubscribe = [
      feed.subscribe((event) => this.#handle(event)),
      feed.onState((state) => this.#options.onState?.(state)),
    ]
    this.#host.requestUpdate()
  }

  /** Leaves the feed in this tab only. */
  #detach(): void {
    const feed = this.#feed
    this.#release()
    feed?.close()
  }

  #release(): void {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
    if (this.#feed === null) return
    this.#feed = null
    this.#host.requestUpdate()
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now()
  }

  #handle({ event }: DeliveredEvent): void {
    // The hash may have changed since the last render.
    this.#shown.update(this.#options.route(), this.#now())
    if (event.type === 'notice') this.#options.notifier.show(this.#tiered(event.data))
    else if (event.type === 'forced-close') {
      this.#options.onForcedClose?.(event.data)
      this.#forcedClose(event.data)
    }
  }

  /**
   * The server tiers a notice for the user; this tab adjusts it for what it shows.
   * A replay is filed quietly; a safety event about something this tab does not
   * show (the user has it open in another tab, which blocks there) is a toast here.
   */
  #tiered(notice: Notice): Notice {
    const now = this.#now()
    const at = Date.parse(notice.at)
    if (Number.isFinite(at) && now - at > STALE_NOTICE_MS && notice.tier !== 'routine') {
      return { ...notice, tier: 'routine' }
    }
    if (notice.tier === 'blocking' && !this.#shown.shows(notice.subject, now)) {
      return { ...notice, tier: 'toast' }
    }
    return notice
  }

  #forcedClose(data: ForcedClose): void {
    const { notifier, route, go } = this.#options
    if (!this.#shown.shows(data.subject, this.#now())) return
    const notice = forcedCloseNotice(data)
    const target = mergeTarget(notice)
    const label = target === null ? null : `Open ${data.mergedInto}`
    notifier.show(notice, {
      actions: target === null || label === null ? [] : [{ label, run: () => go(target) }],
    })
    // Still on it (the form may have left by itself already on its 4410).
    if (leavesPage(data) && routeShows(route(), data.subject)) go({ page: 'worklist' })
  }
}
