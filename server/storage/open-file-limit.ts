/**
 * How many log files the document store may keep open. Every append to a closed
 * log pays an open() and, to stay under the cap, a close() of another one: with
 * a 256-file cap and 500 documents written round-robin that churn was 15 % of the
 * server's CPU per write (BENCHMARKS.md, many rooms). So the cap follows the
 * process's open-file limit: a quarter of it, leaving the rest for sockets.
 */
import { readFileSync } from 'node:fs'

/** Used when the limit cannot be read (not Linux) — the old fixed cap. */
export const FALLBACK_MAX_OPEN_LOGS = 256
const MIN_OPEN_LOGS = 64
const MAX_OPEN_LOGS = 4096

/** The cap for a soft open-file limit (`ulimit -n`); null or unlimited → the fallback or the maximum. */
export function maxOpenLogsFor(softLimit: number | null): number {
  if (softLimit === null) return FALLBACK_MAX_OPEN_LOGS
  if (!Number.isFinite(softLimit)) return MAX_OPEN_LOGS
  return Math.min(MAX_OPEN_LOGS, Math.max(MIN_OPEN_LOGS, Math.floor(softLimit / 4)))
}

/** Parses the "Max open files" soft limit out of `/proc/<pid>/limits` text. */
export function softOpenFileLimit(procLimits: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(procLimits)
  if (!match) return null
  if (match[1] === 'unlimited') return Number.POSITIVE_INFINITY
  const value = Number(match[1])
  return Number.isInteger(value) && value > 0 ? value : null
}

/** This process's cap, read once at start-up. */
export function defaultMaxOpenLogs(): number {
  let text: string
  try {
    text = readFileSync('/proc/self/limits', 'utf8')
  } catch {
    return FALLBACK_MAX_OPEN_LOGS
  }
  return maxOpenLogsFor(softOpenFileLimit(text))
}
