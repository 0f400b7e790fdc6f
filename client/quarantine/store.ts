import { userDatabasePrefix } from '../connection/storage.ts'
import type { QuarantineEntry } from './types.ts'

const STORE = 'entries'

/**
 * The user's quarantine database. It shares the user's prefix, so logout's
 * `wipeUserDocuments` removes it with the documents. `#` cannot occur in a doc
 * name, so no document database can ever be called this.
 */
export function quarantineDatabaseName(userId: string): string {
  return `${userDatabasePrefix(userId)}#quarantine`
}

/** Same-origin tabs (and elements of this page) hear about changes on this channel. */
export function quarantineChannelName(userId: string): string {
  return `studysync:quarantine:${encodeURIComponent(userId)}`
}

/**
 * One user's quarantined edits in IndexedDB. Every call opens and closes its own
 * connection, so a logout's database deletion is never blocked by an idle handle.
 */
export class QuarantineStore {
  readonly userId: string
  readonly #factory: IDBFactory

  constructor(userId: string, factory: IDBFactory = indexedDB) {
    this.userId = userId
    this.#factory = factory
  }

  async add(entry: QuarantineEntry): Promise<void> {
    await this.#run('readwrite', (store) => store.put(entry))
    this.#announce()
  }

  /** Newest first. */
  async list(): Promise<QuarantineEntry[]> {
    const all = await this.#run('readonly', (store) => store.getAll())
    return (all as QuarantineEntry[]).sort((a, b) => b.at.localeCompare(a.at))
  }

  async discard(id: string): Promise<void> {
    await this.#run('readwrite', (store) => store.delete(id))
    this.#announce()
  }

  /** Calls `listener` whenever this user's quarantine changes (in any tab); returns unsubscribe. */
  subscribe(listener: () => void): () => void {
    const channel = new BroadcastChannel(quarantineChannelName(this.userId))
    channel.onmessage = () => listener()
    return () => channel.close()
  }

  #announce(): void {
    // A second channel object: BroadcastChannel never delivers to the sender itself.
    const channel = new BroadcastChannel(quarantineChannelName(this.userId))
    channel.postMessage('changed')
    channel.close()
  }

  async #run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>) {
    const db = await this.#open()
    try {
      return await new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode)
        const request = work(tx.objectStore(STORE))
        tx.oncomplete = () => resolve(request.result)
        tx.onerror = () => reject(tx.error ?? request.error)
        tx.onabort = () => reject(tx.error ?? new Error('quarantine transaction aborted'))
      })
    } finally {
      db.close()
    }
  }

  #open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      const request = this.#factory.open(quarantineDatabaseName(this.userId), 1)
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' })
      request.onsuccess = () => {
        const db = request.result
        db.onversionchange = () => db.close()
        resolve(db)
      }
      request.onerror = () => reject(request.error ?? new Error('cannot open the quarantine'))
      request.onblocked = () => reject(new Error('the quarantine database is blocked'))
    })
  }
}
