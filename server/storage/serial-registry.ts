/**
 * The part of a RegistryStore that does not depend on where data lives: updates run
 * one at a time, each on a structuredClone of the current data, and the clone is
 * swapped in only after `persist` succeeds — so a throwing mutator or a failed write
 * leaves memory exactly as it was.
 */
import type { RegistryData } from '../registry/types.ts'

export class SerialRegistry {
  #data: Readonly<RegistryData>
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false
  readonly #persist: (data: RegistryData) => Promise<void>

  constructor(initial: RegistryData, persist: (data: RegistryData) => Promise<void>) {
    this.#persist = persist
    this.#data = deepFreeze(structuredClone(initial))
  }

  read(): Readonly<RegistryData> {
    return this.#data
  }

  update<T>(mutate: (data: RegistryData) => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('registry store is closed'))
    const run = this.#queue.then(() => this.#apply(mutate))
    this.#queue = run.catch(() => {})
    return run
  }

  /** Waits for queued updates, then refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#queue
  }

  async #apply<T>(mutate: (data: RegistryData) => T): Promise<T> {
    const draft = structuredClone(this.#data) as RegistryData
    const result = mutate(draft)
    if (result instanceof Promise) {
      // An async mutator would run outside the queue's ordering guarantees.
      result.catch(() => {}) // its own failure is moot: we refuse it either way
      throw new TypeError('registry mutators must be synchronous')
    }
    await this.#persist(draft)
    this.#data = deepFreeze(draft)
    return result
  }
}

/**
 * Frozen so that code mutating `read()`'s result outside `update` fails loudly instead
 * of silently diverging memory from disk. Costs one walk per update; the registry is small.
 */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
