/**
 * The presence index (DESIGN §3): every room's awareness, aggregated per
 * study and patient, for the worklist's Access column (S3), open forms (S1,
 * S2) and the admin dashboard.
 *
 * One entry per (document, awareness client id). A connection that drops
 * without clearing its state leaves its entries behind as `connection:
 * 'lost'` for `lostRetentionMs` (the awareness timeout), then they go (S4).
 * Changes are reported per subject through a trailing throttle, so a push
 * goes out within `throttleMs` of the last change without flooding.
 */
import type { Clock } from '../clock.ts'
import type { PresenceEntry } from '../events/types.ts'
import type { Room } from '../sync/room.ts'
import {
  type PresenceSubject,
  presenceEntryFrom,
  subjectKey,
  subjectOfDoc,
} from './presence-entry.ts'
import { KeyedThrottle, realTimers, type TimerHandle, type Timers } from './throttle.ts'

export const DEFAULT_PRESENCE_THROTTLE_MS = 200

export interface PresenceIndexOptions {
  clock: Clock
  /** How long a dropped connection's entries stay as `lost` (the awareness timeout, 30000). */
  lostRetentionMs: number
  /** Least time between two onChange calls for one subject; default 200. */
  throttleMs?: number
  onChange: (subject: PresenceSubject, entries: PresenceEntry[]) => void
  /** Default: Node's timers, unref'd. */
  timers?: Timers
}

interface LostEntry {
  entry: PresenceEntry
  expiresAt: number
}

/** What the index knows about one document's room. */
interface DocPresence {
  readonly subject: PresenceSubject
  live: Map<number, PresenceEntry>
  readonly lost: Map<number, LostEntry>
  /** When each live client id was first seen: `since` for clients with no usable openedAt. */
  readonly firstSeen: Map<number, number>
  /**
   * Entries that left in the current synchronous run. Room.remove() clears a
   * dropped member's states (afterAwareness) just before it calls
   * afterMemberLeft, which keeps these as lost with their `since` and
   * `lastActiveAt` intact. Emptied in a microtask.
   */
  readonly departed: Map<number, PresenceEntry>
}

export class PresenceIndex {
  private readonly docs = new Map<string, DocPresence>()
  private readonly throttle: KeyedThrottle
  private readonly timers: Timers
  private sweepTimer: { handle: TimerHandle; at: number } | null = null
  private closed = false

  constructor(private readonly opts: PresenceIndexOptions) {
    this.timers = opts.timers ?? realTimers
    this.throttle = new KeyedThrottle({
      clock: opts.clock,
      timers: this.timers,
      intervalMs: opts.throttleMs ?? DEFAULT_PRESENCE_THROTTLE_MS,
      run: (key) => this.report(key),
    })
  }

  /** Wired as RoomHooks.afterAwareness. */
  onAwareness(room: Room): void {
    const subject = subjectOfDoc(room.docName)
    if (!subject || this.closed) return
    const doc = this.docFor(room.name, subject)
    const next = this.liveEntries(room, doc)
    const departed = [...doc.live].filter(([clientId]) => !next.has(clientId))
    if (departed.length > 0) this.holdDeparted(room.name, doc, departed)
    const arrived = [...next.values()].filter((e) => !doc.live.has(e.clientId))
    const same = departed.length === 0 && sameEntries(doc.live, next)
    doc.live = next
    if (arrived.length > 0) this.supersedeLost(doc, arrived)
    // Renewals change lastActiveAt, so they are reported (freshness, S4); states we skip are not.
    if (!same) this.changed(room.name, doc)
    else if (isEmpty(doc)) this.docs.delete(room.name)
  }

  /** Wired from RoomHooks.afterMemberLeft: non-empty `lost` means the connection dropped. */
  onMemberLeft(room: Room, lost: { clientId: number; state: Record<string, unknown> }[]): void {
    const subject = subjectOfDoc(room.docName)
    if (!subject || this.closed || lost.length === 0) return
    const doc = this.docFor(room.name, subject)
    const now = this.opts.clock.now()
    for (const { clientId, state } of lost) {
      if (doc.live.has(clientId)) continue
      const entry = doc.departed.get(clientId) ?? this.entryFor(room, doc, clientId, state, now)
      if (!entry) continue
      doc.lost.set(clientId, {
        entry: { ...entry, connection: 'lost' },
        expiresAt: now + this.opts.lostRetentionMs,
      })
    }
    this.scheduleSweep()
    this.changed(room.name, doc)
  }

  /** Who has this study (form, report) or patient open, live or lost. */
  forSubject(type: 'study' | 'patient', id: string): PresenceEntry[] {
    const key = subjectKey({ type, id })
    return sorted(
      [...this.docs.values()].filter((d) => subjectKey(d.subject) === key).flatMap(entriesOf),
    )
  }

  /** Everyone connected, with what they have open (the admin dashboard). */
  all(): PresenceEntry[] {
    return sorted([...this.docs.values()].flatMap(entriesOf))
  }

  /** `all()` with the time it was taken, for GET /api/v1/presence. */
  snapshot(): { entries: PresenceEntry[]; at: string } {
    return { entries: this.all(), at: new Date(this.opts.clock.now()).toISOString() }
  }

  /** Removes lost entries whose retention has passed. Runs on a timer; tests may call it. */
  sweep(): void {
    const now = this.opts.clock.now()
    for (const [name, doc] of this.docs) {
      let removed = false
      for (const [clientId, lost] of doc.lost) {
        if (lost.expiresAt <= now) removed = doc.lost.delete(clientId)
      }
      if (removed) this.changed(name, doc)
    }
    this.scheduleSweep()
  }

  close(): void {
    this.closed = true
    this.throttle.close()
    if (this.sweepTimer) this.timers.clearTimeout(this.sweepTimer.handle)
    this.sweepTimer = null
    this.docs.clear()
  }

  private docFor(name: string, subject: PresenceSubject): DocPresence {
    let doc = this.docs.get(name)
    if (!doc) {
      doc = { subject, live: new Map(), lost: new Map(), firstSeen: new Map(), departed: new Map() }
      this.docs.set(name, doc)
    }
    return doc
  }

  private holdDeparted(name: string, doc: DocPresence, departed: [number, PresenceEntry][]): void {
    for (const [clientId, entry] of departed) doc.departed.set(clientId, entry)
    queueMicrotask(() => {
      doc.departed.clear()
      if (this.docs.get(name) === doc && isEmpty(doc)) this.docs.delete(name)
    })
  }

  private liveEntries(room: Room, doc: DocPresence): Map<number, PresenceEntry> {
    const now = this.opts.clock.now()
    const entries = new Map<number, PresenceEntry>()
    for (const [clientId, state] of room.awareness.getStates()) {
      if (clientId === room.awareness.clientID) continue // the server's own (always empty)
      if (!doc.firstSeen.has(clientId)) doc.firstSeen.set(clientId, now)
      const entry = this.entryFor(room, doc, clientId, state, now)
      if (entry) entries.set(clientId, entry)
    }
    const states = room.awareness.getStates()
    for (const clientId of doc.firstSeen.keys()) {
      if (!states.has(clientId)) doc.firstSeen.delete(clientId)
    }
    return entries
  }

  private entryFor(
    room: Room,
    doc: DocPresence,
    clientId: number,
    state: Record<string, unknown>,
    now: number,
  ): PresenceEntry | null {
    return presenceEntryFrom(state, {
      subject: doc.subject,
      doc: room.name,
      clientId,
      lastUpdated: room.awareness.meta.get(clientId)?.lastUpdated,
      firstSeenAt: doc.firstSeen.get(clientId) ?? now,
      now,
    })
  }

  /**
   * A reconnect: a lost entry goes when its client id, or a new client of its
   * user, arrives in the same document. (A user's other tab that stayed live
   * does not clear it: that tab did not reconnect.)
   */
  private supersedeLost(doc: DocPresence, arrived: PresenceEntry[]): void {
    const users = new Set(arrived.map((e) => e.user.id))
    for (const [clientId, lost] of doc.lost) {
      if (doc.live.has(clientId) || users.has(lost.entry.user.id)) doc.lost.delete(clientId)
    }
  }

  private changed(name: string, doc: DocPresence): void {
    if (isEmpty(doc)) this.docs.delete(name)
    this.throttle.request(subjectKey(doc.subject))
  }

  /** Throttled onChange for one subject; true when it has nobody left. */
  private report(key: string): boolean {
    const slash = key.indexOf('/')
    const subject: PresenceSubject = {
      type: key.slice(0, slash) === 'patient' ? 'patient' : 'study',
      id: key.slice(slash + 1),
    }
    const entries = this.forSubject(subject.type, subject.id)
    try {
      this.opts.onChange(subject, entries)
    } catch {
      // An observer's failure must not stop presence; the next change reports again.
    }
    return entries.length === 0
  }

  private scheduleSweep(): void {
    let next = Number.POSITIVE_INFINITY
    for (const doc of this.docs.values()) {
      for (const lost of doc.lost.values()) next = Math.min(next, lost.expiresAt)
    }
    if (this.sweepTimer && this.sweepTimer.at <= next) return
    if (this.sweepTimer) this.timers.clearTimeout(this.sweepTimer.handle)
    this.sweepTimer = null
    if (next === Number.POSITIVE_INFINITY || this.closed) return
    const handle = this.timers.setTimeout(
      () => {
        this.sweepTimer = null
        this.sweep()
      },
      Math.max(0, next - this.opts.clock.now()),
    )
    this.sweepTimer = { handle, at: next }
  }
}

function sameEntries(a: Map<number, PresenceEntry>, b: Map<number, PresenceEntry>): boolean {
  if (a.size !== b.size) return false
  for (const [clientId, entry] of a) {
    const other = b.get(clientId)
    if (!other || JSON.stringify(other) !== JSON.stringify(entry)) return false
  }
  return true
}

function isEmpty(doc: DocPresence): boolean {
  return doc.live.size === 0 && doc.lost.size === 0 && doc.departed.size === 0
}

function entriesOf(doc: DocPresence): PresenceEntry[] {
  return [...doc.live.values(), ...[...doc.lost.values()].map((l) => l.entry)]
}

/** Earliest first, then by name and client id: a stable order for lists and tests. */
function sorted(entries: PresenceEntry[]): PresenceEntry[] {
  return entries.sort(
    (a, b) =>
      a.since.localeCompare(b.since) ||
      a.user.name.localeCompare(b.user.name) ||
      a.doc.localeCompare(b.doc) ||
      a.clientId - b.clientId,
  )
}
