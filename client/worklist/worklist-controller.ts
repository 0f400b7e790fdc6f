/**
 * Loads the worklist once and keeps it live from the feed (S3): no polling, no reload.
 * `worklist` events re-fetch the study (or the list, coalesced over REFRESH_DELAY_MS),
 * `presence` events replace a row's `access` at once, notices about a study re-fetch it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { StudyState, WorklistRow } from '../../shared/api-types.ts'
import type { DeliveredEvent, FeedEvent } from '../../shared/events.ts'
import { ApiError } from '../api.ts'
import type { FeedClient, StudySyncApi } from '../app/contexts.ts'
import { accessFromPresence, isGone, withDetail, withState } from './row-updates.ts'

/** Bursts of feed events (a bulk assign, HL7 batches) cost one round of fetches. */
export const REFRESH_DELAY_MS = 200
/** Above this many changed studies one list fetch is cheaper than one fetch each. */
const MAX_ROW_FETCHES = 8

export interface WorklistSources {
  api(): StudySyncApi | undefined
  feed(): FeedClient | null | undefined
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'error'

export class WorklistController implements ReactiveController {
  rows: WorklistRow[] = []
  state: LoadState = 'idle'
  error = ''

  readonly #host: ReactiveControllerHost
  readonly #sources: WorklistSources
  #connected = false
  #api: StudySyncApi | undefined
  #feed: FeedClient | null | undefined
  #unsubscribe: (() => void)[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #pendingList = false
  readonly #pendingRows = new Set<string>()
  /** Bumped by every list fetch and disconnect: older answers are dropped. */
  #generation = 0
  /** Per study, bumped by presence events: a fetch that started earlier keeps the newer access. */
  readonly #presenceSeq = new Map<string, number>()

  constructor(host: ReactiveControllerHost, sources: WorklistSources) {
    this.#host = host
    this.#sources = sources
    host.addController(this)
  }

  hostConnected(): void {
    this.#connected = true
    this.#api = undefined
    this.#feed = undefined
    this.#sync()
  }

  /** Contexts may arrive after connection (a late provider): pick them up on each update. */
  hostUpdate(): void {
    this.#sync()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#generation++
    this.#unsubscribeFeed()
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pendingList = false
    this.#pendingRows.clear()
  }

  /** Re-fetches the whole list after REFRESH_DELAY_MS. */
  refresh(): void {
    this.#pendingList = true
    this.#schedule()
  }

  /** Re-fetches one study after REFRESH_DELAY_MS. */
  refreshRow(accession: string): void {
    this.#pendingRows.add(accession)
    this.#schedule()
  }

  /** Applies the state an API call answered with, before the feed says so. */
  applyState(accession: string, state: StudyState): void {
    this.#update(accession, (row) => withState(row, state))
  }

  row(accession: string): WorklistRow | undefined {
    return this.rows.find((r) => r.accession === accession)
  }

  #sync(): void {
    if (!this.#connected) return
    const api = this.#sources.api()
    const feed = this.#sources.feed()
    if (feed !== this.#feed) {
      this.#unsubscribeFeed()
      this.#feed = feed
      if (feed) this.#subscribe(feed)
    }
    if (api !== this.#api) {
      this.#api = api
      if (api) void this.#loadList()
    }
  }

  #subscribe(feed: FeedClient): void {
    let lastState = feed.state
    this.#unsubscribe = [
      feed.subscribe((delivered) => this.#onEvent(delivered)),
      feed.onState((state) => {
        // Presence is live-only (never replayed): after a gap, ask for the whole list.
        if (state === 'open' && lastState !== 'open') this.refresh()
        lastState = state
      }),
    ]
  }

  #unsubscribeFeed(): void {
    for (const off of this.#unsubscribe) off()
    this.#unsubscribe = []
  }

  #onEvent({ event }: DeliveredEvent): void {
    switch (event.type) {
      case 'worklist':
        return this.#onWorklist(event.data)
      case 'presence':
        return this.#onPresence(event.data)
      case 'notice':
        return this.#onNoticeSubject(event.data.subject)
      case 'forced-close':
        return
    }
  }

  #onWorklist({ accession, change }: Extract<FeedEvent, { type: 'worklist' }>['data']): void {
    if (change === 'removed') return this.#remove(accession)
    if (change === 'added' || !this.row(accession)) return this.refresh()
    this.refreshRow(accession)
  }

  #onPresence({ subject, entries }: Extract<FeedEvent, { type: 'presence' }>['data']): void {
    if (subject.type !== 'study') return
    this.#presenceSeq.set(subject.id, (this.#presenceSeq.get(subject.id) ?? 0) + 1)
    this.#update(subject.id, (row) => ({ ...row, access: accessFromPresence(entries) }))
  }

  #onNoticeSubject(subject: { type: 'study' | 'patient'; id: string }): void {
    if (subject.type === 'study') {
      if (this.row(subject.id)) this.refreshRow(subject.id)
      return
    }
    // A patient's name or merge shows in every row of theirs; the row fetch has no name.
    if (this.rows.some((r) => r.patientId === subject.id)) this.refresh()
  }

  #schedule(): void {
    if (!this.#connected || this.#timer !== undefined) return
    this.#timer = setTimeout(() => this.#flush(), REFRESH_DELAY_MS)
  }

  #flush(): void {
    this.#timer = undefined
    const rows = [...this.#pendingRows]
    const list = this.#pendingList || rows.length > MAX_ROW_FETCHES
    this.#pendingRows.clear()
    this.#pendingList = false
    if (list) return void this.#loadList()
    for (const accession of rows) void this.#loadRow(accession)
  }

  async #loadList(): Promise<void> {
    const api = this.#api
    if (!api) return
    const generation = ++this.#generation
    if (this.state !== 'ready') this.state = 'loading'
    this.#host.requestUpdate()
    try {
      const { rows } = await api.worklist()
      if (generation !== this.#generation) return
      this.rows = rows
      this.state = 'ready'
      this.error = ''
    } catch (error) {
      if (generation !== this.#generation) return
      this.state = this.rows.length > 0 ? 'ready' : 'error'
      this.error = `Could not load the worklist: ${messageOf(error)}`
    }
    this.#host.requestUpdate()
  }

  async #loadRow(accession: string): Promise<void> {
    const api = this.#api
    if (!api) return
    const generation = this.#generation
    const presence = this.#presenceSeq.get(accession)
    try {
      const detail = await api.study(accession)
      if (generation !== this.#generation) return
      if (isGone(detail)) return this.#remove(accession)
      const keepAccess = this.#presenceSeq.get(accession) !== presence
      this.#update(accession, (row) => {
        const next = withDetail(row, detail)
        return keepAccess ? { ...next, access: row.access } : next
      })
    } catch (error) {
      if (generation !== this.#generation) return
      if (error instanceof ApiError && [403, 404, 410].includes(error.status)) {
        this.#remove(accession)
      }
      // Anything else (network): the row stays as it was; the next event fetches again.
    }
  }

  #update(accession: string, change: (row: WorklistRow) => WorklistRow): void {
    let found = false
    this.rows = this.rows.map((row) => {
      if (row.accession !== accession) return row
      found = true
      return change(row)
    })
    if (found) this.#host.requestUpdate()
  }

  #remove(accession: string): void {
    const before = this.rows.length
    this.rows = this.rows.filter((r) => r.accession !== accession)
    this.#presenceSeq.delete(accession)
    if (this.rows.length !== before) this.#host.requestUpdate()
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
