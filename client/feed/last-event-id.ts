/**
 * The last feed event id this browser saw, per user, in localStorage: after a
 * sign-in the feed resumes from it (`?lastEventId=`) so notices sent while the
 * tablet was signed out or offline are not lost (DESIGN §6).
 */

export type IdStorage = Pick<Storage, 'getItem' | 'setItem'>

export function lastEventIdKey(userId: string): string {
  return `studysync:feed:last-event-id:${encodeURIComponent(userId)}`
}

export function readLastEventId(storage: IdStorage | null, userId: string): number | null {
  try {
    const raw = storage?.getItem(lastEventIdKey(userId)) ?? null
    const id = raw === null ? Number.NaN : Number(raw)
    return Number.isSafeInteger(id) && id > 0 ? id : null
  } catch {
    // Storage can throw (privacy mode, quota): resuming is a nicety, not a must.
    return null
  }
}

export function writeLastEventId(storage: IdStorage | null, userId: string, id: number): void {
  try {
    const previous = readLastEventId(storage, userId)
    // Several tabs write the same ids; never move backwards.
    if (previous === null || id > previous) storage?.setItem(lastEventIdKey(userId), String(id))
  } catch {
    // As above.
  }
}

/** localStorage when this context has one (not in workers). */
export function defaultIdStorage(): IdStorage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}
