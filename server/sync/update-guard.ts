/**
 * Shape check for untrusted Yjs v1 updates, run on a client's bytes before
 * Yjs sees them (TOOLCHAIN.md "Untrusted Yjs updates").
 *
 * Yjs trusts its input: `readClientsStructRefs` does `new Array(numStructs)`
 * before reading a single struct (8 bytes can make it allocate ~230 MiB), an
 * unknown content or type ref throws half-way through a read that has already
 * created root types with `doc.get(name)`, invalid UTF-8 throws from the
 * fatal TextDecoder, and lib0's `readAny` recurses without a depth bound.
 *
 * This module walks the whole update with the grammar of Yjs 13.6's
 * `UpdateDecoderV1` (utils/encoding.js `readClientsStructRefs`, structs/Item.js
 * `contentRefs`, types' `read…` functions, utils/DeleteSet.js
 * `readDeleteSet`) without building anything: every declared count is checked
 * against the bytes that remain before it is looped over, and the update must
 * end exactly where the delete set ends. It is a little stricter than Yjs
 * where Yjs's own writer never goes: no trailing bytes, no padded varints,
 * no zero-length structs.
 *
 * It runs on every update, so it is O(bytes) and allocates only a view per
 * long or non-ASCII string and a parse per JSON value other than true/null
 * (measured: ~0.1 µs for a keystroke, ~2 µs for a 100 KB paste, ~40 ns per
 * struct for updates made of many small structs).
 */
import * as decoding from 'lib0/decoding'
import {
  isValidUtf8,
  jsonBytesDepth,
  MAX_VARINT_BYTES,
  readVarUintStrict,
  WireError,
} from './wire-bytes.ts'

export interface UpdateShapeLimits {
  /** Most structs (items, GCs, skips) one update may carry. */
  maxStructs: number
  /** Deepest nesting of arrays/objects inside any-encoded or JSON values. */
  maxDepth?: number
}

export type UpdateShapeResult =
  | { ok: true; structs: number; deletes: number }
  | { ok: false; error: string }

/**
 * lib0 encodes and decodes `any` values recursively, and `JSON.stringify`
 * throws on very deep values when the doc is later encoded for another
 * client, so a deep value would poison the document. 64 levels is far more
 * than any form uses and far less than a stack can take.
 */
export const DEFAULT_MAX_VALUE_DEPTH = 64

/**
 * Ids beyond what Yjs itself makes. Client ids are uint32 (`random.uint32()`), and a
 * clock counts one client's insertions: 2^40 is ~10^12 keystrokes from one Y.Doc.
 * A struct claiming more — a deleted run 2^53 long — pushes the store past exact
 * integer arithmetic, after which the document's own state no longer loads: its
 * snapshot throws "Unexpected case" in findIndexSS and the room cannot open again
 * (found by the issue-8 fuzz soak).
 */
export const MAX_CLIENT_ID = 2 ** 32 - 1
export const MAX_CLOCK = 2 ** 40

// Smallest encodings, used to bound declared counts by the bytes left.
const MIN_CLIENT_SECTION = 3 // numStructs, client, clock: one byte each
const MIN_STRUCT = 2 // GC or Skip: info + len
const MIN_DS_CLIENT = 2 // client + numRanges
const MIN_DS_RANGE = 2 // clock + len

// Yjs content refs (info & 31) and type refs (structs/ContentType.js typeRefs).
const REF_GC = 0
const REF_SKIP = 10
const TYPE_REF_MAX = 6 // YXmlText
const TYPE_REF_XML_ELEMENT = 3 // reads a node name
const TYPE_REF_XML_HOOK = 5 // reads a hook name
// lib0 `readAny` tags.
const ANY_OBJECT = 118

/** Thrown inside the walk, turned into `{ ok: false }` at the top. */
const fail = (message: string): never => {
  throw new WireError(message)
}

/**
 * Walks a Yjs v1 update and says whether Yjs can decode it without
 * throwing, over-allocating or recursing deeply. It says nothing about what
 * the update does: see field-validator.ts for that.
 */
export function checkUpdateShape(update: Uint8Array, limits: UpdateShapeLimits): UpdateShapeResult {
  const d = decoding.createDecoder(update)
  const walk = {
    maxStructs: limits.maxStructs,
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_VALUE_DEPTH,
  }
  try {
    const structs = skipStructSection(d, walk)
    const deletes = skipDeleteSet(d)
    if (d.pos !== update.length)
      fail(`${update.length - d.pos} trailing bytes after the delete set`)
    return { ok: true, structs, deletes }
  } catch (e) {
    // Only WireErrors are expected; anything else is a bug worth seeing in the reason.
    const detail = e instanceof WireError ? e.message : `malformed update (${errorText(e)})`
    return { ok: false, error: detail }
  }
}

type Walk = { maxStructs: number; maxDepth: number }

function skipStructSection(d: decoding.Decoder, walk: Walk): number {
  const clients = readCount(d, 'client sections', MIN_CLIENT_SECTION)
  let total = 0
  for (let i = 0; i < clients; i++) {
    const n = readCount(d, 'structs', MIN_STRUCT)
    total += n
    if (total > walk.maxStructs) fail(`more than ${walk.maxStructs} structs`)
    readClient(d)
    let clock = readVarUintStrict(d) // first clock
    for (let j = 0; j < n; j++) {
      clock += skipStruct(d, walk.maxDepth)
      if (clock > MAX_CLOCK) fail(`clock runs past ${MAX_CLOCK}`)
    }
  }
  return total
}

function skipDeleteSet(d: decoding.Decoder): number {
  const clients = readCount(d, 'delete-set clients', MIN_DS_CLIENT)
  let ranges = 0
  for (let i = 0; i < clients; i++) {
    readClient(d)
    const n = readCount(d, 'delete ranges', MIN_DS_RANGE)
    for (let j = 0; j < n; j++) {
      const clock = readVarUintStrict(d)
      const len = readVarUintStrict(d)
      if (clock + len > MAX_CLOCK) fail(`delete range runs past clock ${MAX_CLOCK}`)
    }
    ranges += n
  }
  return ranges
}

/**
 * One struct, following `readClientsStructRefs` field by field. Returns its clock
 * length, or an upper bound of it (a string's bytes for its UTF-16 length).
 */
function skipStruct(d: decoding.Decoder, maxDepth: number): number {
  const info = readByte(d)
  const ref = info & 31
  if (ref === REF_GC) return readStructLength(d)
  if (ref === REF_SKIP) {
    // applyUpdate takes any info with ref 10 as Skip, but decodeUpdate and
    // mergeUpdates only info === 10 (else they throw); Yjs writes exactly 10.
    if (info !== REF_SKIP) fail(`skip struct with flag bits 0x${info.toString(16)}`)
    return readStructLength(d)
  }
  if (info & 0x80) skipId(d) // origin
  if (info & 0x40) skipId(d) // right origin
  if ((info & 0xc0) === 0) {
    // No origin to copy the parent from: the parent is written out.
    // Parent info 1: a root type's name; anything else: the parent type's item ID.
    if (readVarUintStrict(d) === 1) skipString(d)
    else skipId(d)
    if (info & 0x20) skipString(d) // parentSub (map key)
  }
  return skipContent(d, ref, maxDepth)
}

/** Item content by ref, as `contentRefs` in structs/Item.js reads it; returns its clock length. */
function skipContent(d: decoding.Decoder, ref: number, maxDepth: number): number {
  switch (ref) {
    case 1: // ContentDeleted
      return readStructLength(d)
    case 2: {
      // ContentJSON (legacy): strings that are JSON, or the literal `undefined`
      const n = readLengthCount(d, 'JSON values')
      for (let i = 0; i < n; i++) skipJsonString(d, maxDepth, true)
      return n
    }
    case 3: // ContentBinary
      skipBytes(d, readVarLength(d))
      return 1
    case 4: {
      // ContentString
      const bytes = skipString(d)
      if (bytes === 0) fail('zero-length struct')
      return bytes
    }
    case 5: // ContentEmbed
      skipJsonString(d, maxDepth, false)
      return 1
    case 6: // ContentFormat: key, JSON value
      skipString(d)
      skipJsonString(d, maxDepth, false)
      return 1
    case 7:
      skipTypeRef(d)
      return 1
    case 8: {
      // ContentAny
      const n = readLengthCount(d, 'values')
      for (let i = 0; i < n; i++) skipAny(d, 0, maxDepth)
      return n
    }
    case 9:
      skipSubdoc(d, maxDepth)
      return 1
    default:
      return fail(`unknown content ref ${ref}`)
  }
}

/** ContentType: `typeRefs[ref]` is undefined (and Yjs throws) past YXmlText. */
function skipTypeRef(d: decoding.Decoder): void {
  const typeRef = readVarUintStrict(d)
  if (typeRef > TYPE_REF_MAX) fail(`unknown type ref ${typeRef}`)
  if (typeRef === TYPE_REF_XML_ELEMENT || typeRef === TYPE_REF_XML_HOOK) skipString(d)
}

/** ContentDoc: guid, then options that `createDocFromOpts` spreads and reads. */
function skipSubdoc(d: decoding.Decoder, maxDepth: number): void {
  skipString(d)
  // `opts.shouldLoad` throws on null/undefined; Yjs always writes an object.
  if (d.arr[d.pos] !== ANY_OBJECT) fail('subdocument options must be an object')
  skipAny(d, 0, maxDepth)
}

/**
 * One lib0 `any` value (decoding.js `readAnyLookupTable`); `depth` is the
 * number of arrays/objects around it. Recursion is bounded by `maxDepth`.
 */
function skipAny(d: decoding.Decoder, depth: number, maxDepth: number): void {
  const tag = readByte(d)
  switch (tag) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125:
      skipVarInt(d)
      return
    case 124: // float32
      skipBytes(d, 4)
      return
    case 123: // float64
    case 122: // bigint64
      skipBytes(d, 8)
      return
    case 119:
      skipString(d)
      return
    case 118: {
      if (depth >= maxDepth) fail(`value nested deeper than ${maxDepth}`)
      const n = readCount(d, 'object entries', 2)
      for (let i = 0; i < n; i++) {
        skipString(d)
        skipAny(d, depth + 1, maxDepth)
      }
      return
    }
    case 117: {
      if (depth >= maxDepth) fail(`value nested deeper than ${maxDepth}`)
      const n = readCount(d, 'array elements', 1)
      for (let i = 0; i < n; i++) skipAny(d, depth + 1, maxDepth)
      return
    }
    case 116: // Uint8Array
      skipBytes(d, readVarLength(d))
      return
    default:
      fail(`unknown value tag ${tag}`)
  }
}

/** A varString whose bytes lib0's fatal UTF-8 decoder will accept; returns its byte length. */
function skipString(d: decoding.Decoder): number {
  const len = readVarLength(d)
  if (!isValidUtf8(d.arr, d.pos, d.pos + len)) fail('string is not valid UTF-8')
  d.pos += len
  return len
}

/**
 * A varString that Yjs will `JSON.parse` (embeds, format values, legacy
 * JSON content). Depth is scanned on the bytes first so that the parsed
 * value can always be stringified again.
 */
function skipJsonString(d: decoding.Decoder, maxDepth: number, allowUndefined: boolean): void {
  const len = readVarLength(d)
  const start = d.pos
  // Most format values are `true` or `null` (bold on/off): skip the parse.
  if (isJsonLiteral(d.arr, start, len)) {
    d.pos += len
    return
  }
  if (!isValidUtf8(d.arr, start, start + len)) fail('JSON string is not valid UTF-8')
  if (jsonBytesDepth(d.arr, start, start + len) > maxDepth) {
    fail(`JSON value nested deeper than ${maxDepth}`)
  }
  const text = utf8.decode(d.arr.subarray(start, start + len))
  d.pos += len
  if (allowUndefined && text === 'undefined') return
  try {
    JSON.parse(text)
  } catch {
    fail('invalid JSON value')
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const TRUE = [0x74, 0x72, 0x75, 0x65]
const NULL = [0x6e, 0x75, 0x6c, 0x6c]

/** Exactly the bytes `true` or `null`. */
function isJsonLiteral(arr: Uint8Array, start: number, len: number): boolean {
  if (len !== 4) return false
  const word = arr[start] === 0x74 ? TRUE : arr[start] === 0x6e ? NULL : null
  if (word === null) return false
  return arr[start + 1] === word[1] && arr[start + 2] === word[2] && arr[start + 3] === word[3]
}

/** lib0's signed varInt (6 bits, then 7 per byte), bounded like readVarUintStrict. */
function skipVarInt(d: decoding.Decoder): void {
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (readByte(d) < 0x80) return
  }
  fail(`varInt longer than ${MAX_VARINT_BYTES} bytes`)
}

function readByte(d: decoding.Decoder): number {
  // lib0's readUint8 returns undefined past the end instead of throwing.
  if (d.pos >= d.arr.length) fail('truncated update')
  return d.arr[d.pos++]!
}

function skipId(d: decoding.Decoder): void {
  readClient(d)
  if (readVarUintStrict(d) > MAX_CLOCK) fail(`id clock past ${MAX_CLOCK}`)
}

function readClient(d: decoding.Decoder): number {
  const client = readVarUintStrict(d)
  if (client > MAX_CLIENT_ID) fail(`client id ${client} is not a uint32`)
  return client
}

/** A byte length, checked against what is left before anything trusts it. */
function readVarLength(d: decoding.Decoder): number {
  const len = readVarUintStrict(d)
  if (len > d.arr.length - d.pos) fail(`length ${len} runs past the end of the update`)
  return len
}

function skipBytes(d: decoding.Decoder, len: number): void {
  if (len > d.arr.length - d.pos) fail('truncated update')
  d.pos += len
}

/**
 * The clock length of a GC, Skip or deleted item. Yjs never writes 0, and a
 * zero-length struct shares its clock with the next one, which breaks the
 * store's invariant that struct IDs do not overlap.
 */
function readStructLength(d: decoding.Decoder): number {
  const len = readVarUintStrict(d)
  if (len === 0) fail('zero-length struct')
  return len
}

/** Element count of ContentAny/ContentJSON, which is the item's clock length. */
function readLengthCount(d: decoding.Decoder, what: string): number {
  const n = readCount(d, what, 1)
  if (n === 0) fail('zero-length struct')
  return n
}

/**
 * A declared element count; each element takes at least `minBytes`, so a
 * count the remaining bytes cannot hold is a lie (or a memory bomb).
 */
function readCount(d: decoding.Decoder, what: string, minBytes: number): number {
  const n = readVarUintStrict(d)
  const left = d.arr.length - d.pos
  if (n * minBytes > left) fail(`declares ${n} ${what} but only ${left} bytes remain`)
  return n
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
