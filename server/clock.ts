/** Injected time, so tests can move it (STYLE 10). */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
