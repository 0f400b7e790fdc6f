import type { ReactiveController, ReactiveControllerHost } from 'lit'

/** One point of the dashboard's chart. */
export interface PresenceSample {
  /** Unix time in seconds (uPlot's x scale). */
  readonly at: number
  readonly people: number
  readonly studies: number
}

export interface SamplerOptions {
  /** Default 10 s. */
  readonly everyMs?: number
  /** Points kept; default 360 (an hour at 10 s). */
  readonly capacity?: number
  readonly now?: () => number
}

export const SAMPLE_EVERY_MS = 10_000
export const SAMPLE_CAPACITY = 360

/**
 * Samples the live counters at a fixed rate while the host is connected, keeping
 * the last hour; each tick also re-renders the host, which keeps the freshness
 * column ("active 10 s ago") current.
 */
export class PresenceSampler implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #read: () => { people: number; studies: number } | null
  readonly #options: Required<SamplerOptions>
  #samples: PresenceSample[] = []
  #timer: ReturnType<typeof setInterval> | null = null

  constructor(
    host: ReactiveControllerHost,
    read: () => { people: number; studies: number } | null,
    options: SamplerOptions = {},
  ) {
    this.#host = host
    this.#read = read
    this.#options = {
      everyMs: options.everyMs ?? SAMPLE_EVERY_MS,
      capacity: options.capacity ?? SAMPLE_CAPACITY,
      now: options.now ?? Date.now,
    }
    host.addController(this)
  }

  get samples(): readonly PresenceSample[] {
    return this.#samples
  }

  /** Takes one sample now (also done on every tick); skipped while `read` has nothing. */
  sample(): void {
    const counts = this.#read()
    if (counts === null) return
    const point = { at: this.#options.now() / 1000, ...counts }
    this.#samples = [...this.#samples, point].slice(-this.#options.capacity)
    this.#host.requestUpdate()
  }

  hostConnected(): void {
    this.#timer ??= setInterval(() => this.sample(), this.#options.everyMs)
  }

  hostDisconnected(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }
}
