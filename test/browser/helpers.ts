import type {
  ConnectionStatus,
  DocumentEvents,
  DocumentHandle,
  Network,
  Timers,
} from '../../client/connection/index.ts'

export interface TestServer {
  readonly syncUrl: string
  /** Connection attempts that reached the server for this doc. */
  connections(docName: string): Promise<number>
  /** The server's copy of the doc's Y.Map `fields`. */
  fields(docName: string): Promise<Record<string, unknown>>
}

/** The sync test server started by wtr.config.mjs (see sync-test-server.mjs). */
export async function testServer(): Promise<TestServer> {
  const { port } = (await (await fetch('/__test-server.json')).json()) as { port: number }
  const http = `http://127.0.0.1:${port}`
  const get = async (path: string, docName: string) =>
    (await fetch(`${http}${path}?room=${encodeURIComponent(docName)}`)).json()
  return {
    syncUrl: `ws://127.0.0.1:${port}/sync`,
    connections: async (docName) =>
      ((await get('/__stats', docName)) as { connections: number }).connections,
    fields: async (docName) =>
      ((await get('/__doc', docName)) as { fields: Record<string, unknown> }).fields,
  }
}

/** A fresh id per test: the browser profile and the server outlive single tests. */
export function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`
}

export interface FakeNetwork extends Network {
  set(online: boolean): void
}

export function fakeNetwork(online: boolean): FakeNetwork {
  let state = online
  const listeners = new Set<(online: boolean) => void>()
  return {
    isOnline: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      state = next
      for (const listener of [...listeners]) listener(next)
    },
  }
}

export interface RecordingTimers extends Timers {
  /** Every delay the code under test asked for, in order. */
  readonly delays: number[]
  /** Timers scheduled and neither run nor cleared. */
  readonly pending: number
}

/**
 * Records the requested delay and runs the callback on the next macrotask instead
 * of after it: the tests check *which* delay was chosen without waiting for it.
 * With `run: false` nothing ever runs (to prove no retry is scheduled).
 */
export function recordingTimers({ run = true } = {}): RecordingTimers {
  const delays: number[] = []
  const live = new Map<number, ReturnType<typeof setTimeout> | null>()
  let next = 0
  return {
    delays,
    get pending() {
      return live.size
    },
    setTimeout(callback, ms) {
      const id = ++next
      delays.push(ms)
      live.set(
        id,
        run
          ? setTimeout(() => {
              live.delete(id)
              callback()
            }, 0)
          : null,
      )
      return id
    },
    clearTimeout(id) {
      const timer = live.get(id as number)
      if (timer != null) clearTimeout(timer)
      live.delete(id as number)
    },
  }
}

/** A random source that replays `values` (then repeats the last one). */
export function sequence(...values: number[]): () => number {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)] ?? 0
}

/** Resolves with the first status (current one included) that satisfies `predicate`. */
export function statusWhere(
  handle: DocumentHandle,
  predicate: (status: ConnectionStatus) => boolean,
): Promise<ConnectionStatus> {
  if (predicate(handle.status)) return Promise.resolve(handle.status)
  return new Promise((resolve) => {
    const off = handle.on('status', (status) => {
      if (!predicate(status)) return
      off()
      resolve(status)
    })
  })
}

export function nextEvent<K extends keyof DocumentEvents>(
  handle: DocumentHandle,
  type: K,
): Promise<DocumentEvents[K]> {
  return new Promise((resolve) => {
    const off = handle.on(type, (payload) => {
      off()
      resolve(payload)
    })
  })
}

/** Every status the handle goes through from now on. */
export function recordStatuses(handle: DocumentHandle): ConnectionStatus[] {
  const seen: ConnectionStatus[] = []
  handle.on('status', (status) => seen.push(status))
  return seen
}

export async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).flatMap((info) => (info.name ? [info.name] : []))
}
