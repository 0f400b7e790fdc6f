/**
 * The hash chain behind the audit trail (DESIGN §7).
 *
 * Each entry's `hash` is sha256 (hex) over `prevHash + '\n' + canonicalJson(entry)`, where
 * the canonical JSON leaves out `hash` and `prevHash` themselves. The first entry links to
 * {@link GENESIS_HASH}. Because the canonical form sorts keys and has no whitespace, the
 * hash depends only on the entry's data, never on how an object happened to be built.
 */
import { createHash } from 'node:crypto'
import type { AuditEntry } from './types.ts'

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64)

/** Deeper values are refused: they only come from bugs or hostile input, and recursion would overflow. */
export const MAX_JSON_DEPTH = 64

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace.
 * Like JSON.stringify, object properties whose value is `undefined` are left out.
 * Throws a TypeError for anything JSON cannot carry faithfully: non-finite numbers,
 * bigints, functions, symbols, `undefined` in arrays, class instances (Date, Map, …)
 * and nesting deeper than {@link MAX_JSON_DEPTH} (which also catches cycles).
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', 0)
}

function encode(value: unknown, path: string, depth: number): string {
  if (depth > MAX_JSON_DEPTH) throw new TypeError(`${path}: nested deeper than ${MAX_JSON_DEPTH}`)
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value)
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a finite number`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => encodeItem(item, `${path}[${i}]`, depth + 1)).join(',')}]`
  }
  if (typeof value === 'object' && isPlainObject(value)) return encodeObject(value, path, depth)
  throw new TypeError(`${path}: ${describe(value)} has no canonical JSON form`)
}

function encodeItem(item: unknown, path: string, depth: number): string {
  if (item === undefined) throw new TypeError(`${path}: undefined in an array`)
  return encode(item, path, depth)
}

function encodeObject(obj: object, path: string, depth: number): string {
  const record = obj as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(record).sort()) {
    const v = record[key]
    if (v !== undefined)
      parts.push(`${JSON.stringify(key)}:${encode(v, `${path}.${key}`, depth + 1)}`)
  }
  return `{${parts.join(',')}}`
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object'
  return typeof value
}

/** An entry without its chain fields; extra `hash`/`prevHash` fields are ignored. */
export type UnchainedEntry = Omit<AuditEntry, 'hash' | 'prevHash'> & {
  hash?: unknown
  prevHash?: unknown
}

/** sha256 hex over `prevHash + '\n' + canonicalJson(entry minus hash and prevHash)`. */
export function computeHash(prevHash: string, entry: UnchainedEntry): string {
  const { hash: _hash, prevHash: _prev, ...rest } = entry
  return hashCanonical(prevHash, canonicalJson(rest))
}

/** Same as {@link computeHash} when the caller already holds the canonical JSON. */
export function hashCanonical(prevHash: string, canonical: string): string {
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex')
}

export type ChainResult = { ok: true } | { ok: false; brokenAt: string }

/** Where a chain check starts: after entry `afterId`, whose hash the next entry must link to. */
export interface ChainStart {
  afterId: number
  prevHash: string
}

/**
 * Checks entries one by one, in stored order. Entry n (1-based) must carry id "n",
 * link to the previous entry's hash (the genesis hash for the first) and hash to its own
 * `hash`. `brokenAt` is the position where the chain first fails, as an id: for an edited
 * entry that is its id, for a deleted one the id that is missing, for a swapped pair the
 * first of the two positions.
 *
 * After retention has pruned the oldest entries, the check starts from the retention
 * anchor instead of the genesis: the first entry must be `afterId + 1` and link to
 * `prevHash`, the hash of the last pruned entry.
 */
export class ChainVerifier {
  readonly #start: number
  #position: number
  #prevHash: string
  #brokenAt: string | null = null

  constructor(start: ChainStart = { afterId: 0, prevHash: GENESIS_HASH }) {
    this.#start = start.afterId
    this.#position = start.afterId
    this.#prevHash = start.prevHash
  }

  /** Entries seen so far, good or bad. */
  get count(): number {
    return this.#position - this.#start
  }

  get result(): ChainResult {
    return this.#brokenAt === null ? { ok: true } : { ok: false, brokenAt: this.#brokenAt }
  }

  /**
   * Feeds the next stored entry (anything: a line that did not parse is passed as `undefined`).
   * True when the chain is intact up to and including this entry.
   */
  check(entry: unknown): entry is AuditEntry {
    this.#position++
    if (this.#brokenAt !== null) return false
    if (!linksHere(entry, String(this.#position), this.#prevHash)) {
      this.#brokenAt = String(this.#position)
      return false
    }
    this.#prevHash = entry.hash
    return true
  }

  /** The stored log ended before entry `lastId`: the missing tail counts as a break. */
  expectAtLeast(lastId: number): void {
    if (this.#brokenAt === null && this.#position < lastId) {
      this.#brokenAt = String(this.#position + 1)
    }
  }
}

function linksHere(entry: unknown, id: string, prevHash: string): entry is AuditEntry {
  if (!isAuditEntryShape(entry)) return false
  if (entry.id !== id || entry.prevHash !== prevHash) return false
  try {
    return computeHash(prevHash, entry) === entry.hash
  } catch {
    return false // not canonicalisable, so it cannot be what we wrote
  }
}

const HEX64 = /^[0-9a-f]{64}$/

/** A structural check of a stored entry: enough to index it and to trust its chain fields. */
export function isAuditEntryShape(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const e = value as Record<string, unknown>
  return (
    typeof e.id === 'string' &&
    /^[1-9][0-9]*$/.test(e.id) &&
    typeof e.at === 'string' &&
    typeof e.action === 'string' &&
    typeof e.hash === 'string' &&
    HEX64.test(e.hash) &&
    typeof e.prevHash === 'string' &&
    HEX64.test(e.prevHash) &&
    isActor(e.actor) &&
    isSubject(e.subject)
  )
}

function isActor(value: unknown): boolean {
  return value === 'SYSTEM' || isPerson(value)
}

function isPerson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return typeof p.id === 'string' && typeof p.name === 'string'
}

function isSubject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Record<string, unknown>
  return typeof s.type === 'string' && typeof s.id === 'string'
}
