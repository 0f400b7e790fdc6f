/**
 * Readers share, a writer runs alone. The file audit log reads segments by index position
 * (query) and re-reads them whole (verify) across many awaits; retention deletes segments
 * and shifts those positions, so it must not run in the middle of either. A waiting writer
 * holds back new readers, so an hourly pruning cannot be starved by a busy viewer.
 */
export class ReadWriteLock {
  #readers = 0
  /** Settles when the running (or next) writer is done; null when no writer holds or waits. */
  #writer: Promise<void> | null = null
  #drained: (() => void) | null = null

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#writer) await this.#writer
    this.#readers++
    try {
      return await fn()
    } finally {
      this.#readers--
      if (this.#readers === 0) this.#drained?.()
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#writer) await this.#writer
    let release!: () => void
    this.#writer = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      if (this.#readers > 0) {
        await new Promise<void>((resolve) => {
          this.#drained = resolve
        })
      }
      this.#drained = null
      return await fn()
    } finally {
      this.#writer = null
      release()
    }
  }
}
