/**
 * The parts of the browser the connection layer reacts to, behind small interfaces
 * so tests can drive them: timers (to observe backoff delays) and the network state.
 */

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(id: unknown): void
}

export const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>),
}

export interface Network {
  /** False only when the device is definitely offline (`navigator.onLine`). */
  isOnline(): boolean
  /** Calls `listener` on every online/offline transition; returns the unsubscribe. */
  subscribe(listener: (online: boolean) => void): () => void
}

/**
 * `navigator.onLine === false` is reliable; `true` only means "some interface is
 * up", so a true value still goes through a real connection attempt.
 */
export const browserNetwork: Network = {
  isOnline: () => navigator.onLine,
  subscribe(listener) {
    const online = () => listener(true)
    const offline = () => listener(false)
    window.addEventListener('online', online)
    window.addEventListener('offline', offline)
    return () => {
      window.removeEventListener('online', online)
      window.removeEventListener('offline', offline)
    }
  },
}
