/**
 * Field-level change attribution (S8, S9; DESIGN §5, §7): every change to a
 * study or patient form is recorded as field, old → new, who and when; it is
 * audited, announced to everyone else with the form open, and the worklist
 * summaries kept in the registry follow it.
 *
 * Keystrokes are coalesced: one pending entry per (document, author, field)
 * keeps the first `from` and the latest `to`, and is recorded once the author
 * has left that field alone for `burstMs` (or the room unloads, or the server
 * closes). Enum fields (priority, account status, …) are picked, not typed, so
 * they are recorded at once: a priority raised to STAT must not wait.
 */
import * as Y from 'yjs'
import type { PersonRef } from '../../shared/domain.ts'
import { type FormSchema, PATIENT_FORM, STUDY_FORM } from '../../shared/schema.ts'
import { userById } from '../registry/lookup.ts'
import type { Room } from '../sync/room.ts'
import { SERVER_ORIGIN } from '../sync/room.ts'
import { type ChangeRecord, recordChange } from './attribution-record.ts'
import type { DomainContext } from './context.ts'

export const DEFAULT_BURST_MS = 1500

export interface FieldAttributionOptions {
  /** Quiet time after an author's last change to a field before it is recorded; default 1500. */
  burstMs?: number
}

/** Who made a change, and through which session (null for SYSTEM). */
export interface ChangeAuthor {
  ref: PersonRef | 'SYSTEM'
  sessionId: string | null
}

type Subject = ChangeRecord['subject']

/**
 * One attached form room. A class with bound methods rather than closures: under tsx
 * each run-time closure also gets a `name` property dictionary (~250 bytes), and every
 * loaded form room made three.
 */
class Watched {
  destroyed = false
  readonly onChange: (events: Y.YEvent<Y.AbstractType<unknown>>[], txn: Y.Transaction) => void
  readonly onDestroy: () => void
  private readonly onFirstTransaction: () => void

  constructor(
    readonly room: Room,
    readonly subject: Subject,
    readonly schema: FormSchema,
    readonly fields: Y.Map<unknown>,
    /** Last known string of each Y.Text field: a text event carries no old value. */
    readonly texts: Map<string, string>,
    owner: FieldAttribution,
  ) {
    this.onChange = owner.changed.bind(owner, this)
    this.onDestroy = owner.unloaded.bind(owner, this)
    this.onFirstTransaction = this.seed.bind(this)
    // The texts' strings are needed only as the `from` of a first change: taken just
    // before the first transaction, not at load (a connect storm loads many rooms that
    // nobody writes to, and a long report costs a walk of all its items).
    room.doc.on('beforeTransaction', this.onFirstTransaction)
    fields.observeDeep(this.onChange)
    room.doc.on('destroy', this.onDestroy)
  }

  detach(): void {
    this.fields.unobserveDeep(this.onChange)
    this.room.doc.off('beforeTransaction', this.onFirstTransaction)
    this.room.doc.off('destroy', this.onDestroy)
  }

  private seed(): void {
    this.room.doc.off('beforeTransaction', this.onFirstTransaction)
    for (const [key, value] of this.fields)
      if (value instanceof Y.Text) this.texts.set(key, value.toString())
  }
}

interface Pending {
  readonly watched: Watched
  readonly author: ChangeAuthor
  readonly field: string
  readonly from: unknown
  to: unknown
  timer: NodeJS.Timeout | null
}

export class FieldAttribution {
  private readonly burstMs: number
  private readonly watched = new Map<Room, Watched>()
  private readonly pending = new Map<string, Pending>()
  /** Records are written one after another, in the order their bursts ended. */
  private chain: Promise<void> = Promise.resolve()
  private explicitAuthor: ChangeAuthor | null = null
  private readonly connectionAuthors = new WeakMap<object, ChangeAuthor>()
  private closed = false

  constructor(
    private readonly ctx: DomainContext,
    options: FieldAttributionOptions = {},
  ) {
    this.burstMs = options.burstMs ?? DEFAULT_BURST_MS
  }

  /** Starts watching a `study/<acc>` or `patient/<id>` room; other documents are ignored. */
  attach(room: Room): void {
    if (this.closed || this.watched.has(room)) return
    const form = formOf(room)
    if (!form) return
    const fields = room.doc.getMap<unknown>('fields')
    const texts = new Map<string, string>()
    const watched = new Watched(room, form.subject, form.schema, fields, texts, this)
    this.watched.set(room, watched)
  }

  /**
   * Runs `write` (server-origin transactions, e.g. `room.serverWrite`) with
   * its changes attributed to `author` instead of SYSTEM.
   */
  withAuthor<T>(author: ChangeAuthor, write: () => T): T {
    const previous = this.explicitAuthor
    this.explicitAuthor = author
    try {
      return write()
    } finally {
      this.explicitAuthor = previous
    }
  }

  /** Records every pending burst now and resolves once everything is recorded. */
  async flushAll(): Promise<void> {
    for (const key of [...this.pending.keys()]) this.flush(key)
    await this.chain
  }

  /** Stops watching; pending bursts are still recorded (await flushAll() to wait for them). */
  close(): void {
    if (this.closed) return
    for (const key of [...this.pending.keys()]) this.flush(key)
    this.closed = true
    for (const w of this.watched.values()) w.detach()
    this.watched.clear()
  }

  /** A watched form changed (its deep observer). */
  changed(w: Watched, events: Y.YEvent<Y.AbstractType<unknown>>[], txn: Y.Transaction): void {
    this.guard(() => this.onChange(w, events, txn))
  }

  /** A watched form's document was destroyed (its room unloaded). */
  unloaded(w: Watched): void {
    this.guard(() => this.onUnload(w))
  }

  private onChange(
    w: Watched,
    events: Y.YEvent<Y.AbstractType<unknown>>[],
    txn: Y.Transaction,
  ): void {
    const changes = changesIn(w, events)
    const author = this.authorOf(txn.origin)
    if (!author || this.closed) return
    for (const change of changes) this.note(w, author, change.field, change.from, change.to)
  }

  private note(w: Watched, author: ChangeAuthor, field: string, from: unknown, to: unknown): void {
    const key = `${w.room.name}|${author.ref === 'SYSTEM' ? 'SYSTEM' : author.ref.id}|${field}`
    let entry = this.pending.get(key)
    if (entry) entry.to = to
    else {
      entry = { watched: w, author, field, from, to, timer: null }
      this.pending.set(key, entry)
    }
    if (w.schema[field]?.kind === 'enum') {
      this.flush(key)
      return
    }
    // Every keystroke restarts the quiet period: refresh() re-arms the same timer.
    if (entry.timer) entry.timer.refresh()
    else {
      entry.timer = setTimeout(() => this.flush(key), this.burstMs)
      entry.timer.unref()
    }
  }

  private flush(key: string): void {
    const entry = this.pending.get(key)
    if (!entry) return
    this.pending.delete(key)
    if (entry.timer) clearTimeout(entry.timer)
    if (sameValue(entry.from, entry.to)) return
    const { watched: w } = entry
    const record: ChangeRecord = {
      subject: w.subject,
      doc: w.room.name,
      label: w.schema[entry.field]?.label ?? entry.field,
      spec: w.schema[entry.field],
      author: entry.author,
      field: entry.field,
      from: entry.from,
      to: entry.to,
      // The summary follows the document, which may have moved on since this burst.
      current: () => (w.destroyed ? entry.to : plain(w.fields.get(entry.field))),
    }
    this.chain = this.chain
      .then(() => recordChange(this.ctx, record))
      .catch((error) =>
        this.ctx.logger.error('field attribution failed', {
          doc: w.room.name,
          error: String(error),
        }),
      )
  }

  private onUnload(w: Watched): void {
    for (const [key, entry] of [...this.pending]) if (entry.watched === w) this.flush(key)
    w.destroyed = true
    w.detach()
    this.watched.delete(w.room)
  }

  private authorOf(origin: unknown): ChangeAuthor | null {
    if (origin === SERVER_ORIGIN) return this.explicitAuthor ?? { ref: 'SYSTEM', sessionId: null }
    if (typeof origin !== 'object' || origin === null) return null
    const member = origin as { identity?: PersonRef; userId?: unknown; sessionId?: unknown }
    if (typeof member.sessionId !== 'string') return null
    if (member.identity) {
      // A connection's identity and session never change: one author object per connection.
      let author = this.connectionAuthors.get(member)
      if (!author) {
        author = {
          ref: { id: member.identity.id, name: member.identity.name },
          sessionId: member.sessionId,
        }
        this.connectionAuthors.set(member, author)
      }
      return author
    }
    if (typeof member.userId !== 'string') return null
    const user = userById(this.ctx.registry.read(), member.userId)
    return {
      ref: { id: member.userId, name: user?.name ?? member.userId },
      sessionId: member.sessionId,
    }
  }

  /** Observers never break a room: their failures are logged. */
  private guard(run: () => void): void {
    try {
      run()
    } catch (error) {
      this.ctx.logger.error('field attribution observer failed', { error: String(error) })
    }
  }
}

function formOf(room: Room): { subject: Subject; schema: FormSchema } | null {
  const doc = room.docName
  if (doc.kind === 'study')
    return { subject: { type: 'study', id: doc.accession }, schema: STUDY_FORM }
  if (doc.kind === 'patient') {
    return { subject: { type: 'patient', id: doc.patientId }, schema: PATIENT_FORM }
  }
  return null
}

/**
 * The fields one transaction changed, old → new. Plain keys take their old
 * value from the map event; Y.Text fields from the last known string.
 */
function changesIn(
  w: Watched,
  events: Y.YEvent<Y.AbstractType<unknown>>[],
): { field: string; from: unknown; to: unknown }[] {
  const before = new Map<string, unknown>()
  for (const event of events) {
    if (event.target === w.fields && event instanceof Y.YMapEvent) {
      for (const [key, change] of event.changes.keys) {
        if (!before.has(key))
          before.set(key, w.texts.has(key) ? w.texts.get(key) : plain(change.oldValue))
      }
    } else {
      const key = event.path[0]
      if (typeof key === 'string' && !before.has(key)) before.set(key, w.texts.get(key) ?? '')
    }
  }
  return [...before].map(([field, from]) => {
    const value = w.fields.get(field)
    if (value instanceof Y.Text) w.texts.set(field, value.toString())
    else w.texts.delete(field)
    return { field, from, to: value instanceof Y.Text ? value.toString() : plain(value) }
  })
}

/** A JSON-friendly value: Yjs types as their JSON, missing as null. */
function plain(value: unknown): unknown {
  if (value === undefined) return null
  if (value instanceof Y.AbstractType) return value.toJSON()
  return value
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}
