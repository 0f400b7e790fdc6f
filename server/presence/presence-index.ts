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
 *
 * Cheap per awareness update: an update only marks which client ids are
 * shown (those with a server-stamped user) and asks the throttle for a
 * report. Entries are built from the room's awareness when they are read:
 * when the throttle fires, or by forSubject/all. Subjects map to their
 * documents, so a report reads only its own subject's rooms.
 */
import type { Clock } from '../clock.ts'
import type { PresenceEntry } from '../events/types.ts'
import type { AwarenessChange, Room } from '../sync/room.ts'
import {
  type PresenceSubject,
  presenceEntryFrom,
  stampedUser,
  subjectKey,
  subjectOfDoc,
} from './presence-entry.ts'
import { gridTimers, KeyedThrottle, type TimerHandle, type Timers } from './throttle.ts'

export const DEFAULT_PRESENCE_THROTTLE_MS = 200

export interface PresenceIndexOptions {
  clock: Clock
  /** How long a dropped connection's entries stay as `lost` (the awareness timeout, 30000). */
  lostRetentionMs: number
  /** Least time between two onChange calls for one subject; default 200. */
  throttleMs?: number
  onChange: (subject: PresenceSubject, entries: PresenceEntry[]) => void
  /** Default: Node's timers, unref'd, on a 25 ms grid (gridTimers). */
  timers?: Timers
}

interface LostEntry {
  entry: PresenceEntry
  expiresAt: number
}

/** What the index knows about one document's room. */
interface DocPresence {
  readonly name: string
  readonly subject: PresenceSubject
  /** subjectKey(subject). */
  readonly key: string
  /** The room whose awareness `live` refers to (a reloaded document is a new Room). */
  room: Room
  /** Client ids whose state carries a server-stamped user: the live entries, built on read. */
  readonly live: Set<number>
  readonly lost: Map<number, LostEntry>
  /** When each client id was first seen: `since` for clients with no usable openedAt. */
  readonly firstSeen: Map<number, number>
  /**
   * Set when states left in the current synchronous run. Room.remove() clears a
   * dropped member's states (afterAwareness) just before it calls
   * afterMemberLeft, which keeps them as lost with their `since` intact; so
   * first-seen times, and the document itself, are forgotten in a microtask.
   */
  tidyQueued: boolean
}

/** The documents of one study or patient that have anyone in them. */
interface SubjectPresence {
  readonly subject: PresenceSubject
  readonly docs: Set<DocPresence>
}

export class PresenceIndex {
  private readonly docs = new Map<string, DocPresence>()
  private readonly subjects = new Map<string, SubjectPresence>()
  private readonly throttle: KeyedThrottle
  private readonly timers: Timers
  private sweepTimer: { handle: TimerHandle; at: number } | null = null
  private closed = false

  constructor(private readonly opts: PresenceIndexOptions) {
    this.timers = opts.timers ?? gridTimers()
    this.throttle = new KeyedThrottle({
      clock: opts.clock,
      timers: this.timers,
      intervalMs: opts.throttleMs ?? DEFAULT_PRESENCE_THROTTLE_MS,
      run: (key) => this.report(key),
    })
  }

  /** Wired as RoomHooks.afterAwareness: `change` names the client ids the update touched. */
  onAwareness(room: Room, change: AwarenessChange): void {
    if (this.closed) return
    const doc = this.docs.get(room.name) ?? this.newDoc(room)
    if (!doc) return
    doc.room = room
    const now = this.opts.clock.now()
    const arrived: number[] = []
    let shown = false
    for (const clientId of change.added) shown = this.see(doc, clientId, now, arrived) || shown
    for (const clientId of change.updated) shown = this.see(doc, clientId, now, arrived) || shown
    if (change.removed.length > 0) {
      for (const clientId of change.removed) if (doc.live.delete(clientId)) shown = true
      this.queueTidy(doc)
    }
    if (arrived.length > 0 && doc.lost.size > 0) this.supersedeLost(doc, arrived)
    // Renewals change lastActiveAt, so they are reported (freshness, S4); states we skip are not.
    if (shown) this.changed(doc)
    else this.dropIfEmpty(doc)
  }

  /**
   * Notes a client id whose state was set: shown when it carries a stamped user
   * (an arrival when it was not shown before). True when what is shown changed.
   */
  private see(doc: DocPresence, clientId: number, now: number, arrived: number[]): boolean {
    const { states, clientID: own } = doc.room.awareness
    if (clientId === own) return false // the server's own (always empty)
    if (!doc.firstSeen.has(clientId)) doc.firstSeen.set(clientId, now)
    if (stampedUser(states.get(clientId)?.user) === null) return doc.live.delete(clientId)
    if (!doc.live.has(clientId)) {
      doc.live.add(clientId)
      arrived.push(clientId)
    }
    return true
  }

  /** Wired from RoomHooks.afterMemberLeft: non-empty `lost` means the connection dropped. */
  onMemberLeft(room: Room, lost: { clientId: number; state: Record<string, unknown> }[]): void {
    if (this.closed || lost.length === 0) return
    const doc = this.docs.get(room.name) ?? this.newDoc(room)
    if (!doc) return
    doc.room = room
    const now = this.opts.clock.now()
    for (const { clientId, state } of lost) {
      if (doc.live.has(clientId)) continue
      const entry = this.entryFor(doc, clientId, state, now)
      if (!entry) continue
      doc.lost.set(clientId, {
        entry: { ...entry, connection: 'lost' },
        expiresAt: now + this.opts.lostRetentionMs,
      })
    }
    this.scheduleSweep()
    this.changed(doc)
  }

  /** Who has this study (form, report) or patient open, live or lost. */
  forSubject(type: 'study' | 'patient', id: string): PresenceEntry[] {
    const subject = this.subjects.get(subjectKey({ type, id }))
    return subject ? this.entriesOf(subject.docs) : []
  }

  /** Everyone connected, with what they have open (the admin dashboard). */
  all(): PresenceEntry[] {
    return this.entriesOf(this.docs.values())
  }

  /** `all()` with the time it was taken, for GET /api/v1/presence. */
  snapshot(): { entries: PresenceEntry[]; at: string } {
    return { entries: this.all(), at: new Date(this.opts.clock.now()).toISOString() }
  }

  /** Removes lost entries whose retention has passed. Runs on a timer; tests may call it. */
  sweep(): void {
    const now = this.opts.clock.now()
    for (const doc of [...this.docs.values()]) {
      let removed = false
      for (const [clientId, lost] of doc.lost) {
        if (lost.expiresAt <= now) removed = doc.lost.delete(clientId)
      }
      if (removed) this.changed(doc)
    }
    this.scheduleSweep()
  }

  close(): void {
    this.closed = true
    this.throttle.close()
    if (this.sweepTimer) this.timers.clearTimeout(this.sweepTimer.handle)
    this.sweepTimer = null
    this.docs.clear()
    this.subjects.clear()
  }

  /** Documents indexed for a subject (tests: the subject → documents map stays exact). */
  docsOf(type: 'study' | 'patient', id: string): string[] {
    return [...(this.subjects.get(subjectKey({ type, id }))?.docs ?? [])].map((d) => d.name)
  }

  /** A new DocPresence for a room that shows presence; null for state documents and the worklist. */
  private newDoc(room: Room): DocPresence | null {
    const subject = subjectOfDoc(room.docName)
    if (!subject) return null
    const key = subjectKey(subject)
    const doc: DocPresence = {
      name: room.name,
      subject,
      key,
      room,
      live: new Set(),
      lost: new Map(),
      firstSeen: new Map(),
      tidyQueued: false,
    }
    this.docs.set(room.name, doc)
    let forSubject = this.subjects.get(key)
    if (!forSubject) {
      forSubject = { subject, docs: new Set() }
      this.subjects.set(key, forSubject)
    }
    forSubject.docs.add(doc)
    return doc
  }

  private queueTidy(doc: DocPresence): void {
    if (doc.tidyQueued) return
    doc.tidyQueued = true
    queueMicrotask(() => {
      doc.tidyQueued = false
      const { states } = doc.room.awareness
      for (const clientId of doc.firstSeen.keys()) {
        if (!states.has(clientId)) doc.firstSeen.delete(clientId)
      }
      this.dropIfEmpty(doc)
    })
  }

  /** Forgets a document nobody is shown in (unless a tidy-up is still due, which will). */
  private dropIfEmpty(doc: DocPresence): void {
    if (doc.live.size > 0 || doc.lost.size > 0 || doc.tidyQueued) return
    if (this.docs.get(doc.name) !== doc) return
    this.docs.delete(doc.name)
    const forSubject = this.subjects.get(doc.key)
    if (!forSubject) return
    forSubject.docs.delete(doc)
    if (forSubject.docs.size === 0) this.subjects.delete(doc.key)
  }

  private entriesOf(docs: Iterable<DocPresence>): PresenceEntry[] {
    const now = this.opts.clock.now()
    const entries: PresenceEntry[] = []
    for (const doc of docs) {
      const { states } = doc.room.awareness
      for (const clientId of doc.live) {
        const state = states.get(clientId)
        const entry = state ? this.entryFor(doc, clientId, state, now) : null
        if (entry) entries.push(entry)
      }
      for (const lost of doc.lost.values()) entries.push(lost.entry)
    }
    return sorted(entries)
  }

  private entryFor(
    doc: DocPresence,
    clientId: number,
    state: Record<string, unknown>,
    now: number,
  ): PresenceEntry | null {
    return presenceEntryFrom(state, {
      subject: doc.subject,
      doc: doc.name,
      clientId,
      lastUpdated: doc.room.awareness.meta.get(clientId)?.lastUpdated,
      firstSeenAt: doc.firstSeen.get(clientId) ?? now,
      now,
    })
  }

  /**
   * A reconnect: a lost entry goes when its client id, or a new client of its
   * user, arrives in the same document. (A user's other tab that stayed live
   * does not clear it: that tab did not reconnect.)
   */
  private supersedeLost(doc: DocPresence, arrived: number[]): void {
    const { states } = doc.room.awareness
    const users = new Set(arrived.map((clientId) => stampedUser(states.get(clientId)?.user)?.id))
    for (const [clientId, lost] of doc.lost) {
      if (doc.live.has(clientId) || users.has(lost.entry.user.id)) doc.lost.delete(clientId)
    }
  }

  private changed(doc: DocPresence): void {
    this.throttle.request(doc.key)
    this.dropIfEmpty(doc)
  }

  /** Throttled onChange for one subject; true when it has nobody left. */
  private report(key: string): boolean {
    const forSubject = this.subjects.get(key)
    const subject = forSubject ? { ...forSubject.subject } : subjectOfKey(key)
    const entries = forSubject ? this.entriesOf(forSubject.docs) : []
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

function subjectOfKey(key: string): PresenceSubject {
  const slash = key.indexOf('/')
  return { type: key.slice(0, slash) === 'patient' ? 'patient' : 'study', id: key.slice(slash + 1) }
}

/**
 * Earliest first, then by name and client id: a stable order for lists and tests.
 * `since` is always toISOString()'s fixed format, where code-unit order is time order.
 */
function sorted(entries: PresenceEntry[]): PresenceEntry[] {
  if (entries.length < 2) return entries
  return entries.sort(
    (a, b) =>
      (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) ||
      a.user.name.localeCompare(b.user.name) ||
      a.doc.localeCompare(b.doc) ||
      a.clientId - b.clientId,
  )
}
