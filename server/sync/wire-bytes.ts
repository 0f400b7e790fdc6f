/**
 * Byte-level checks shared by the update and awareness guards: strict
 * varints, UTF-8 validity as lib0 decodes it, and JSON nesting depth
 * measured without parsing. No allocation except a view for long strings.
 */
import { isUtf8 } from 'node:buffer'
import type * as decoding from 'lib0/decoding'

/** A refusal found while reading untrusted bytes; the message says why. */
export class WireError extends Error {}

const fail = (message: string): never => {
  throw new WireError(message)
}

/** Yjs and y-protocols write minimal varints; 8 bytes cover every safe integer. */
export const MAX_VARINT_BYTES = 8
// Strings up to this many bytes are checked for UTF-8 in JS, longer ones natively.
const INLINE_UTF8_MAX = 64

/**
 * lib0's `readVarUint`, but strict: at most 8 bytes and a safe integer.
 * lib0 accepts any number of 0x80 padding bytes, and after ~146 of them its
 * float multiplier overflows and it returns NaN, which passes every `>`
 * bound check and makes Yjs throw on `new Array(NaN)`. Yjs's writer never
 * pads, and 8 bytes hold 56 bits.
 */
export function readVarUintStrict(d: decoding.Decoder): number {
  const arr = d.arr
  let pos = d.pos
  let num = 0
  let mult = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos >= arr.length) fail('truncated input')
    const b = arr[pos++]!
    num += (b & 0x7f) * mult
    if (b < 0x80) {
      if (num > Number.MAX_SAFE_INTEGER) fail('integer out of range')
      d.pos = pos
      return num
    }
    mult *= 128
  }
  return fail(`varUint longer than ${MAX_VARINT_BYTES} bytes`)
}

/**
 * Same acceptance as a fatal `TextDecoder` (and so lib0's `readVarString`).
 * Short ASCII strings (keys, names) are checked inline without allocating;
 * long ones go to Node's native validator on a view of the buffer, which
 * is ~15x faster than a JS loop on a 100 KB paste.
 */
export function isValidUtf8(arr: Uint8Array, start: number, end: number): boolean {
  if (end - start > INLINE_UTF8_MAX) return isUtf8(arr.subarray(start, end))
  for (let i = start; i < end; i++) {
    if (arr[i]! >= 0x80) return isUtf8(arr.subarray(i, end))
  }
  return true
}

/** Deepest bracket nesting in JSON bytes, ignoring brackets inside strings. */
export function jsonBytesDepth(arr: Uint8Array, start: number, end: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = start; i < end; i++) {
    const c = arr[i]!
    if (inString) {
      // A backslash escapes the next byte (maybe a quote).
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > max) max = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}

/** The same scan on a JSON text (awareness states arrive as strings). */
export function jsonTextDepth(json: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (inString) {
      // A backslash escapes the next character (maybe a quote).
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > max) max = depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}
