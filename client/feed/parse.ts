/**
 * Turns one SSE message into a DeliveredEvent, or null when it is not one we
 * understand (a newer server's event, or garbage): the feed skips those rather
 * than handing half-parsed data to the notifier.
 */
import type { DeliveredEvent, FeedEvent } from '../../shared/events.ts'
import { FEED_EVENT_TYPES } from './types.ts'

/** Presence events carry no `id:` line (they are not resumable); they get this id. */
export const LIVE_ONLY_ID = 0

/**
 * `lastEventId` is the EventSource's id buffer, which an event without an `id:`
 * line does not reset: so presence (never given an id) is recognised by its type.
 */
export function parseFeedMessage(
  type: string,
  data: string,
  lastEventId: string,
): DeliveredEvent | null {
  if (!isFeedEventType(type)) return null
  let payload: unknown
  try {
    payload = JSON.parse(data)
  } catch {
    return null
  }
  if (!isRecord(payload) || !hasRequiredFields(type, payload)) return null
  const id = type === 'presence' ? LIVE_ONLY_ID : Number(lastEventId)
  if (!Number.isSafeInteger(id) || id < 0) return null
  return { id, event: { type, data: payload } as FeedEvent }
}

function isFeedEventType(type: string): type is FeedEvent['type'] {
  return (FEED_EVENT_TYPES as readonly string[]).includes(type)
}

function hasRequiredFields(type: FeedEvent['type'], data: Record<string, unknown>): boolean {
  switch (type) {
    case 'notice':
      return (
        typeof data.text === 'string' &&
        typeof data.at === 'string' &&
        isSubject(data.subject) &&
        (data.by === 'SYSTEM' || isRecord(data.by))
      )
    case 'forced-close':
      return (
        typeof data.reason === 'string' && typeof data.at === 'string' && isSubject(data.subject)
      )
    case 'presence':
      return isSubject(data.subject) && Array.isArray(data.entries)
    case 'worklist':
      return typeof data.accession === 'string'
  }
}

function isSubject(value: unknown): boolean {
  return (
    isRecord(value) &&
    (value.type === 'study' || value.type === 'patient') &&
    typeof value.id === 'string'
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
