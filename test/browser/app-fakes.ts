/** Fakes for the app shell's tests: session API, REST API, live feed, timers, EventSource. */
import type { ApiClient, Session } from '../../client/api.ts'
import type { StudySyncApi } from '../../client/app/contexts.ts'
import type { Timers } from '../../client/connection/index.ts'
import type { FeedState, LiveFeed } from '../../client/feed/index.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import type { DeliveredEvent, FeedEvent } from '../../shared/events.ts'

export function fakeSessionApi(user: UserIdentity & { privileges?: string[] }, signedIn = false) {
  const calls: string[] = []
  const api: ApiClient = {
    me: async () => {
      calls.push('me')
      return signedIn ? (user as Session['user']) : null
    },
    login: async (username, password): Promise<Session> => {
      calls.push(`login ${username}/${password}`)
      return { token: 't', user: user as Session['user'] }
    },
    logout: async () => {
      calls.push('logout')
    },
  }
  return { api, calls }
}

const API_METHODS = [
  'worklist',
  'study',
  'open',
  'close',
  'assign',
  'bulkAssign',
  'advance',
  'report',
  'takeOver',
  'group',
  'mergeStudy',
  'deleteStudy',
  'mergePatient',
  'deletePatient',
  'presence',
  'users',
] as const satisfies readonly (keyof StudySyncApi)[]

/** A REST client whose every method rejects: the shell must not call it by itself. */
export function unusedStudySyncApi(): StudySyncApi {
  const reject = (name: string) => () => Promise.reject(new Error(`unexpected call ${name}`))
  return Object.fromEntries(
    API_METHODS.map((name) => [name, reject(name)]),
  ) as unknown as StudySyncApi
}

export interface FakeFeed extends LiveFeed {
  readonly userId: string
  readonly calls: string[]
  emit(event: FeedEvent, id?: number): void
  setState(state: FeedState): void
}

export function fakeFeed(userId: string): FakeFeed {
  const listeners = new Set<(event: DeliveredEvent) => void>()
  const stateListeners = new Set<(state: FeedState) => void>()
  const calls: string[] = []
  let state: FeedState = 'connecting'
  let nextId = 1
  return {
    userId,
    calls,
    mode: 'direct',
    get state() {
      return state
    },
    get lastEventId() {
      return nextId - 1
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    close: () => calls.push('close'),
    stop: () => calls.push('stop'),
    emit(event, id = nextId++) {
      for (const listener of [...listeners]) listener({ id, event })
    },
    setState(next) {
      state = next
      for (const listener of [...stateListeners]) listener(next)
    },
  }
}

export interface ManualTimers extends Timers {
  /** Delays of the timers still pending, in order of creation. */
  readonly pending: number[]
  /** Runs every pending timer now. */
  runAll(): void
}

/** Timers that run only when the test says so. */
export function manualTimers(): ManualTimers {
  const timers = new Map<number, { callback: () => void; ms: number }>()
  let next = 0
  return {
    get pending() {
      return [...timers.values()].map((t) => t.ms)
    },
    setTimeout(callback, ms) {
      timers.set(++next, { callback, ms })
      return next
    },
    clearTimeout(id) {
      timers.delete(id as number)
    },
    runAll() {
      const due = [...timers.values()]
      timers.clear()
      for (const t of due) t.callback()
    },
  }
}

/** An EventSource the test drives: open it, send named events, fail it. */
export class FakeEventSource extends EventTarget {
  static readonly instances: FakeEventSource[] = []
  static reset(): void {
    FakeEventSource.instances.length = 0
  }
  static get last(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1)
    if (last === undefined) throw new Error('no EventSource was created')
    return last
  }

  readonly url: string
  readyState = 0
  closed = false
  onopen: ((event: Event) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  #lastEventId = ''

  constructor(url: string | URL) {
    super()
    this.url = String(url)
    FakeEventSource.instances.push(this)
  }

  close(): void {
    this.readyState = 2
    this.closed = true
  }

  open(): void {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  /** Like the browser: an event without `id` keeps the previous last event id. */
  send(type: string, data: unknown, id?: number): void {
    if (id !== undefined) this.#lastEventId = String(id)
    const text = typeof data === 'string' ? data : JSON.stringify(data)
    this.dispatchEvent(new MessageEvent(type, { data: text, lastEventId: this.#lastEventId }))
  }

  /** `final`: a non-200 answer (the browser gives up); else a drop (the browser retries). */
  fail(final: boolean): void {
    this.readyState = final ? 2 : 0
    this.onerror?.(new Event('error'))
  }
}

export const asEventSource = FakeEventSource as unknown as new (url: string | URL) => EventSource
