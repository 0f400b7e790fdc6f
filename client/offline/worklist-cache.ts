import type { WorklistRow } from '../../shared/api-types.ts'
import { ApiError } from '../api.ts'
import type { StudySyncApi } from '../app/contexts.ts'
import { userDatabasePrefix } from '../connection/storage.ts'

const STORE = 'worklist'
const KEY = 'last'

/** Where the worklist on screen came from. */
export type WorklistSource = { kind: 'server' } | { kind: 'device'; at: string }

export interface CachedWorklist {
  readonly rows: WorklistRow[]
  /** When the server sent it (ISO 8601). */
  readonly at: string
}

/**
 * The user's last worklist answer, in IndexedDB under the user's prefix (so logout's
 * wipe removes it), never in the HTTP cache: an offline tablet shows its own user's
 * last worklist and nobody else's (S29).
 */
export class WorklistCache {
  readonly #name: string
  readonly #factory: IDBFactory

  constructor(userId: string, factory: IDBFactory = indexedDB) {
    this.#name = `${userDatabasePrefix(userId)}#worklist`
    this.#factory = factory
  }

  save(rows: WorklistRow[], at: Date = new Date()): Promise<void> {
    const value: CachedWorklist = { rows, at: at.toISOString() }
    return this.#run('readwrite', (store) => store.put(value, KEY)).then(() => {})
  }

  load(): Promise<CachedWorklist | null> {
    return this.#run('readonly', (store) => store.get(KEY)).then(
      (value) => (value as CachedWorklist | undefined) ?? null,
    )
  }

  async #run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.#factory.open(this.#name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore(STORE)
      request.onsuccess = () => {
        request.result.onversionchange = () => request.result.close()
        resolve(request.result)
      }
      request.onerror = () => reject(request.error)
    })
    try {
      return await new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode)
        const request = work(tx.objectStore(STORE))
        tx.oncomplete = () => resolve(request.result)
        tx.onerror = () => reject(tx.error ?? request.error)
      })
    } finally {
      db.close()
    }
  }
}

/**
 * The API with an offline worklist: every answer from the server is kept; when the
 * server cannot be reached (not when it answers with an error), the kept one is
 * returned instead and `onSource` says so, for the shell's offline banner.
 */
export function withOfflineWorklist(
  api: StudySyncApi,
  cache: WorklistCache,
  onSource: (source: WorklistSource) => void,
): StudySyncApi {
  const worklist = async (): Promise<{ rows: WorklistRow[] }> => {
    try {
      const answer = await api.worklist()
      onSource({ kind: 'server' })
      await cache.save(answer.rows).catch(() => {})
      return answer
    } catch (error) {
      if (error instanceof ApiError) throw error
      const cached = await cache.load().catch(() => null)
      if (cached === null) throw error
      onSource({ kind: 'device', at: cached.at })
      return { rows: cached.rows }
    }
  }
  return new Proxy(api, {
    get(target, property) {
      if (property === 'worklist') return worklist
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
