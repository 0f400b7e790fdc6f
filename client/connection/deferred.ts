/** A promise with its settle functions, for "when X happens" properties. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  readonly settled: boolean
  resolve(value: T): void
  reject(reason: unknown): void
}

/**
 * The promise is pre-handled: a rejection nobody awaits (e.g. `whenSynced` of a
 * handle closed before it ever synced) must not surface as an unhandled rejection,
 * while anyone who does await it still sees the error.
 */
export function deferred<T>(): Deferred<T> {
  let settled = false
  let resolveFn!: (value: T) => void
  let rejectFn!: (reason: unknown) => void
  const promise = new Promise<T>((resolve, reject) => {
    resolveFn = resolve
    rejectFn = reject
  })
  promise.catch(() => {})
  return {
    promise,
    get settled() {
      return settled
    },
    resolve(value) {
      if (settled) return
      settled = true
      resolveFn(value)
    },
    reject(reason) {
      if (settled) return
      settled = true
      rejectFn(reason)
    },
  }
}
