import type { ReactiveController, ReactiveControllerHost } from 'lit'
import * as Y from 'yjs'
import type { PersonRef } from '../../shared/domain.ts'
import type { FieldChange, Notice } from '../../shared/events.ts'
import type { FieldSpec, FormSchema } from '../../shared/schema.ts'
import type { FeedClient } from '../app/contexts.ts'
import { clockTime, personName, shownValue } from './format.ts'

/** The last change someone else made to a field (S8). */
export interface FieldHighlight {
  /** "Priority CRITFIND → STAT by BOSE at 14:02:31" */
  readonly text: string
  /** Still within the highlight period. */
  readonly active: boolean
}

export interface HighlightOptions {
  readonly schema: FormSchema
  /** The study or patient shown; notices about anything else are ignored. */
  readonly subject: () => { type: 'study' | 'patient'; id: string } | null
  readonly durationMs?: number
  /** Who a Yjs client id belongs to (from presence), for changes the feed has not named yet. */
  readonly authorOf?: (clientId: number) => PersonRef | null
}

interface Mark {
  text: string
  markedAt: number
  until: number
  /** Feed notices name the author with the server's authority; the doc only guesses. */
  fromFeed: boolean
  timer: ReturnType<typeof setTimeout>
}

export const HIGHLIGHT_MS = 5_000
/** A doc event right after a feed notice for the same field is the same change. */
const SAME_CHANGE_MS = 3_000

/**
 * Highlights fields that someone else changed, with what, who and when. The live feed
 * is the authority (its notices carry the author the server attributed, SYSTEM
 * included, S24); remote Yjs transactions are the fallback when the feed is absent or
 * slower, attributed through presence. Ignores remote transactions until `arm()`:
 * the first sync of a freshly opened form is not "a change by someone else".
 */
export class HighlightController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #options: HighlightOptions
  readonly #marks = new Map<string, Mark>()
  #fields: Y.Map<unknown> | null = null
  /** The map we observe (Yjs warns when removing a handler it never had). */
  #observed: Y.Map<unknown> | null = null
  #feed: FeedClient | null = null
  #unsubscribeFeed: (() => void) | null = null
  #connected = false
  #armed = false
  #announcement = ''

  constructor(host: ReactiveControllerHost, options: HighlightOptions) {
    this.#host = host
    this.#options = options
    host.addController(this)
  }

  /** The latest announced change of a plain field, for a polite live region. */
  get announcement(): string {
    return this.#announcement
  }

  get(field: string): FieldHighlight | null {
    const mark = this.#marks.get(field)
    return mark === undefined ? null : { text: mark.text, active: Date.now() < mark.until }
  }

  /** Observes a form's `fields` (null: none); forgets the highlights of the previous one. */
  bind(fields: Y.Map<unknown> | null): void {
    if (fields === this.#fields) return
    this.#clearMarks()
    this.#fields = fields
    this.#armed = false
    this.#observe()
  }

  /** From now on remote transactions are changes worth showing. */
  arm(): void {
    this.#armed = true
  }

  setFeed(feed: FeedClient | null): void {
    if (feed === this.#feed) return
    this.#unsubscribeFeed?.()
    this.#unsubscribeFeed = null
    this.#feed = feed
    if (this.#connected) this.#subscribeFeed()
  }

  hostConnected(): void {
    this.#connected = true
    this.#observe()
    this.#subscribeFeed()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#observe()
    this.#unsubscribeFeed?.()
    this.#unsubscribeFeed = null
    this.#clearMarks()
  }

  #clearMarks(): void {
    for (const mark of this.#marks.values()) clearTimeout(mark.timer)
    this.#marks.clear()
  }

  #observe(): void {
    const wanted = this.#connected ? this.#fields : null
    if (wanted === this.#observed) return
    this.#observed?.unobserveDeep(this.#onDocChange)
    this.#observed = wanted
    wanted?.observeDeep(this.#onDocChange)
  }

  #subscribeFeed(): void {
    if (this.#feed === null || this.#unsubscribeFeed !== null) return
    this.#unsubscribeFeed = this.#feed.subscribe(({ event }) => {
      if (event.type === 'notice') this.#onNotice(event.data)
    })
  }

  #onNotice(notice: Notice): void {
    const { schema } = this.#options
    const subject = this.#options.subject()
    if (notice.subject.type !== subject?.type || notice.subject.id !== subject.id) return
    const announced: string[] = []
    for (const change of notice.changes ?? []) {
      const spec = schema[change.field]
      if (spec === undefined) continue
      const text = changeText(spec, change, personName(notice.by), notice.at)
      this.#mark(change.field, text, true)
      if (spec.kind !== 'text') announced.push(text)
    }
    this.#announce(announced)
  }

  readonly #onDocChange = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>, tx: Y.Transaction) => {
    if (tx.local || !this.#armed || this.#fields === null) return
    const fields = this.#fields
    const at = new Date().toISOString()
    const announced: string[] = []
    for (const event of events) {
      for (const { field, from, author } of changedFields(fields, event)) {
        const spec = this.#options.schema[field]
        const recent = this.#marks.get(field)
        if (
          spec === undefined ||
          (recent?.fromFeed && Date.now() - recent.markedAt < SAME_CHANGE_MS)
        )
          continue
        const by = personName(author === null ? null : this.#options.authorOf?.(author))
        const text = changeText(spec, { field, from, to: plain(fields.get(field)) }, by, at)
        this.#mark(field, text, false)
        if (spec.kind !== 'text' && this.#feed === null) announced.push(text)
      }
    }
    this.#announce(announced)
  }

  #mark(field: string, text: string, fromFeed: boolean): void {
    const duration = this.#options.durationMs ?? HIGHLIGHT_MS
    const previous = this.#marks.get(field)
    if (previous !== undefined) clearTimeout(previous.timer)
    const timer = setTimeout(() => this.#host.requestUpdate(), duration)
    const now = Date.now()
    this.#marks.set(field, { text, markedAt: now, until: now + duration, fromFeed, timer })
    this.#host.requestUpdate()
  }

  #announce(texts: string[]): void {
    if (texts.length > 0) this.#announcement = texts.join('. ')
  }
}

/** "Priority CRITFIND → STAT by BOSE at 14:02:31"; collaborative texts only say "edited". */
export function changeText(spec: FieldSpec, change: FieldChange, by: string, at: string): string {
  const what =
    spec.kind === 'text'
      ? `${spec.label} edited`
      : `${spec.label} ${shownValue(change.from)} → ${shownValue(change.to)}`
  return `${what} by ${by} at ${clockTime(at)}`
}

interface DocChange {
  field: string
  from: unknown
  /** The Yjs client id that wrote it, when the event tells. */
  author: number | null
}

/** The form fields an event touched: keys of `fields` itself, or the Y.Text under a key. */
function changedFields(fields: Y.Map<unknown>, event: Y.YEvent<Y.AbstractType<unknown>>) {
  const changes: DocChange[] = []
  if (event.target === fields) {
    for (const [field, { action, oldValue }] of event.changes.keys) {
      const item = action === 'delete' ? undefined : fields._map.get(field)
      changes.push({ field, from: plain(oldValue), author: item?.id.client ?? null })
    }
  } else {
    const field = event.path[0]
    if (typeof field !== 'string') return changes
    const [added] = event.changes.added
    changes.push({ field, from: null, author: added?.id.client ?? null })
  }
  return changes
}

function plain(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.toJSON() : value
}
