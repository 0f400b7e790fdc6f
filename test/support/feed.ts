/** Awaiting live-feed events in tests, straight from the server's EventHub (no sleeps). */
import type { EventHub } from '../../server/events/hub.ts'
import type { DeliveredEvent, FeedEvent, Notice } from '../../server/events/types.ts'

export interface FeedWatch {
  events: DeliveredEvent[]
  /** Resolves with the first notice (already received or future) matching `predicate`. */
  notice(predicate: (n: Notice) => boolean): Promise<Notice>
  event(predicate: (e: FeedEvent) => boolean): Promise<FeedEvent>
  notices(): Notice[]
  stop(): void
}

export function watchFeed(hub: EventHub, userId: string): FeedWatch {
  const events: DeliveredEvent[] = []
  const waiters: { predicate: (e: FeedEvent) => boolean; resolve: (e: FeedEvent) => void }[] = []
  const stop = hub.subscribe(userId, null, (delivered) => {
    events.push(delivered)
    for (const w of [...waiters]) {
      if (w.predicate(delivered.event)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(delivered.event)
      }
    }
  })
  const event = (predicate: (e: FeedEvent) => boolean) => {
    const found = events.find((d) => predicate(d.event))
    if (found) return Promise.resolve(found.event)
    return new Promise<FeedEvent>((resolve) => waiters.push({ predicate, resolve }))
  }
  return {
    events,
    event,
    notice: async (predicate) => {
      const e = await event((ev) => ev.type === 'notice' && predicate(ev.data))
      return (e as Extract<FeedEvent, { type: 'notice' }>).data
    },
    notices: () => events.flatMap((d) => (d.event.type === 'notice' ? [d.event.data] : [])),
    stop,
  }
}
