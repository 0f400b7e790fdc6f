/**
 * Login protection: after repeated failures a username is locked out for a
 * while, and one address cannot try endlessly across usernames. In memory on
 * purpose: a restart clears it, which an attacker cannot trigger.
 */
import type { Clock } from '../clock.ts'

export interface ThrottleLimits {
  /** Failures per username within `windowMs` before it is locked out. */
  maxFailuresPerUser: number
  /** Failures per address within `windowMs` before it is locked out. */
  maxFailuresPerIp: number
  windowMs: number
  lockoutMs: number
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  maxFailuresPerUser: 5,
  maxFailuresPerIp: 50,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
}

interface Counter {
  failures: number[]
  lockedUntil: number
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterS: number }

export class LoginThrottle {
  private readonly counters = new Map<string, Counter>()

  constructor(
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  check(username: string, ip: string): ThrottleVerdict {
    const now = this.clock.now()
    const until = Math.max(
      this.lockedUntil(`u:${username.toLowerCase()}`, now),
      this.lockedUntil(`ip:${ip}`, now),
    )
    return until > now
      ? { allowed: false, retryAfterS: Math.ceil((until - now) / 1000) }
      : { allowed: true }
  }

  /** Records a failure; returns true when it just caused a lockout. */
  fail(username: string, ip: string): boolean {
    const now = this.clock.now()
    const user = this.count(`u:${username.toLowerCase()}`, now, this.limits.maxFailuresPerUser)
    const addr = this.count(`ip:${ip}`, now, this.limits.maxFailuresPerIp)
    return user || addr
  }

  succeed(username: string): void {
    this.counters.delete(`u:${username.toLowerCase()}`)
  }

  private lockedUntil(key: string, now: number): number {
    const counter = this.counters.get(key)
    return counter && counter.lockedUntil > now ? counter.lockedUntil : 0
  }

  private count(key: string, now: number, max: number): boolean {
    const counter = this.counters.get(key) ?? { failures: [], lockedUntil: 0 }
    counter.failures = counter.failures.filter((t) => now - t < this.limits.windowMs)
    counter.failures.push(now)
    this.counters.set(key, counter)
    if (counter.failures.length < max) return false
    counter.lockedUntil = now + this.limits.lockoutMs
    counter.failures = []
    return true
  }
}
