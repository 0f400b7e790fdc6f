/**
 * Checks on client awareness (presence) before the server stamps the
 * session's `user` into each state (SCENARIOS S5) and hands it to
 * y-protocols' `applyAwarenessUpdate`.
 *
 * y-protocols `JSON.parse`s each state and later `JSON.stringify`s it for
 * every other client; 100,000 nested brackets make the stringify throw
 * (TOOLCHAIN.md "Untrusted Yjs updates"). So size and depth are measured on
 * the raw JSON before it is parsed, and never by recursion.
 */
import * as decoding from 'lib0/decoding'
// lib0's readVarUint turns padded input into NaN; this one refuses it.
import { jsonTextDepth, readVarUintStrict } from './wire-bytes.ts'

export interface AwarenessLimits {
  /** Most UTF-8 bytes in one state's JSON. */
  maxBytes: number
  /** Most nested arrays/objects in one state (the state object itself is 1). */
  maxDepth: number
}

export interface AwarenessUpdateLimits extends AwarenessLimits {
  /** Most client entries in one awareness update. */
  maxEntries: number
}

export type AwarenessState = Record<string, unknown> | null

export type AwarenessStateResult =
  | { ok: true; state: AwarenessState }
  | { ok: false; error: string }

export interface AwarenessEntry {
  clientID: number
  clock: number
  /** null: the client removed its state (it left). */
  state: AwarenessState
}

export type AwarenessDecodeResult =
  | { ok: true; entries: AwarenessEntry[] }
  | { ok: false; error: string }

// Smallest entry: clientID, clock and string length, one byte each.
const MIN_ENTRY_BYTES = 3

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parses one state's JSON, refusing it by length and bracket depth before
 * `JSON.parse` sees it. The result is a plain object or null.
 */
export function parseAwarenessJson(json: string, limits: AwarenessLimits): AwarenessStateResult {
  // UTF-8 never takes fewer bytes than UTF-16 code units: cheap test first.
  if (json.length > limits.maxBytes || Buffer.byteLength(json, 'utf8') > limits.maxBytes) {
    return { ok: false, error: `awareness state larger than ${limits.maxBytes} bytes` }
  }
  const parsed = parseWithinDepth(json, limits.maxDepth)
  return typeof parsed === 'string'
    ? { ok: false, error: parsed }
    : { ok: true, state: parsed.state }
}

/** `parseAwarenessJson` once the size is known to fit: the state, or why it was refused. */
function parseWithinDepth(json: string, maxDepth: number): { state: AwarenessState } | string {
  if (jsonTextDepth(json) > maxDepth) return `awareness state nested deeper than ${maxDepth}`
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return 'awareness state is not JSON'
  }
  if (value !== null && !isPlainObject(value)) return 'awareness state must be an object or null'
  return { state: value }
}

/**
 * Checks an already-parsed state (plain JSON data only, bounded depth and
 * size) and returns a shallow copy the caller may stamp `user` into.
 * The walk is iterative and stops as soon as a limit is passed, so neither
 * deep nesting, cycles nor shared sub-objects can make it run long.
 */
export function sanitizeAwarenessState(
  state: unknown,
  limits: AwarenessLimits,
): AwarenessStateResult {
  if (state === null) return { ok: true, state: null }
  if (!isPlainObject(state))
    return { ok: false, error: 'awareness state must be an object or null' }
  const problem = walkJson(state, limits)
  if (problem !== null) return { ok: false, error: problem }
  // Exact size now that the value is known to be finite, acyclic JSON data.
  if (Buffer.byteLength(JSON.stringify(state), 'utf8') > limits.maxBytes) {
    return { ok: false, error: `awareness state larger than ${limits.maxBytes} bytes` }
  }
  return { ok: true, state: { ...state } }
}

/** Returns an error, or null when `root` is JSON data within the limits. */
function walkJson(root: Record<string, unknown>, limits: AwarenessLimits): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }]
  let bytes = 0 // a lower bound of the JSON size, to stop early
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!
    if (Array.isArray(value) || isPlainObject(value)) {
      if (depth > limits.maxDepth) return `awareness state nested deeper than ${limits.maxDepth}`
      bytes += 2 + pushChildren(value, depth + 1, stack, limits.maxBytes - bytes)
    } else {
      const size = primitiveSize(value)
      if (size === null) return `awareness state holds a ${typeof value}, which is not JSON`
      bytes += size
    }
    if (bytes > limits.maxBytes) return `awareness state larger than ${limits.maxBytes} bytes`
  }
  return null
}

/** Queues the children of an array or object; returns their keys' size. */
function pushChildren(
  value: unknown[] | Record<string, unknown>,
  depth: number,
  stack: Array<{ value: unknown; depth: number }>,
  budget: number,
): number {
  let bytes = 0
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && bytes <= budget; i++, bytes++) {
      stack.push({ value: value[i], depth })
    }
    return bytes
  }
  for (const key of Object.keys(value)) {
    if (bytes > budget) break
    bytes += key.length + 4 // quotes, colon, comma
    stack.push({ value: value[key], depth })
  }
  return bytes
}

function primitiveSize(value: unknown): number | null {
  if (value === null) return 4
  if (typeof value === 'string') return value.length + 2
  if (typeof value === 'boolean') return 4
  if (typeof value === 'number' && Number.isFinite(value)) return 1
  return null
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

class AwarenessError extends Error {}

/**
 * Decodes a y-protocols awareness update (varUint count; per entry varUint
 * clientID, varUint clock, varString JSON) with every count and length
 * checked before it is used. Trailing bytes are refused.
 */
export function decodeAwarenessUpdate(
  update: Uint8Array,
  limits: AwarenessUpdateLimits,
): AwarenessDecodeResult {
  const d = decoding.createDecoder(update)
  try {
    const count = readVarUintStrict(d)
    if (count > limits.maxEntries)
      throw new AwarenessError(`more than ${limits.maxEntries} entries`)
    if (count * MIN_ENTRY_BYTES > update.length - d.pos) {
      throw new AwarenessError(
        `declares ${count} entries but only ${update.length - d.pos} bytes remain`,
      )
    }
    const entries: AwarenessEntry[] = []
    for (let i = 0; i < count; i++) entries.push(readEntry(d, limits))
    if (d.pos !== update.length) throw new AwarenessError(`${update.length - d.pos} trailing bytes`)
    return { ok: true, entries }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    return {
      ok: false,
      error: e instanceof AwarenessError ? message : `malformed awareness update (${message})`,
    }
  }
}

function readEntry(d: decoding.Decoder, limits: AwarenessLimits): AwarenessEntry {
  const clientID = readVarUintStrict(d)
  const clock = readVarUintStrict(d)
  const len = readVarUintStrict(d)
  if (len > limits.maxBytes)
    throw new AwarenessError(`awareness state larger than ${limits.maxBytes} bytes`)
  if (len > d.arr.length - d.pos) throw new AwarenessError('truncated awareness state')
  let json: string
  try {
    json = utf8.decode(d.arr.subarray(d.pos, d.pos + len))
  } catch {
    throw new AwarenessError('awareness state is not valid UTF-8')
  }
  d.pos += len
  // At most maxBytes bytes (checked above), so parseAwarenessJson's size test is done.
  const parsed = parseWithinDepth(json, limits.maxDepth)
  if (typeof parsed === 'string') throw new AwarenessError(`client ${clientID}: ${parsed}`)
  return { clientID, clock, state: parsed.state }
}
