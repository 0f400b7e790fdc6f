/**
 * Per-key mutual exclusion: operations on one document run one at a time, in call
 * order; different documents proceed in parallel.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve()
    // Run after the previous holder whether it succeeded or failed.
    const result = prev.then(fn, fn)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    // Forget idle keys so the map does not grow with every document ever touched.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }
}
