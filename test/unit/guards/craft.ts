/**
 * Hand-written Yjs v1 updates for guard tests: the encodings Yjs itself
 * never produces (and so no Y.Doc can make) are the ones attackers send.
 */
import * as encoding from 'lib0/encoding'

type AnyValue = Parameters<typeof encoding.writeAny>[1]

export type Write = (e: encoding.Encoder) => void

/** One client section holding the given structs, then an empty delete set. */
export function craftUpdate(structs: Write[], opts: { client?: number; clock?: number } = {}) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, structs.length)
  encoding.writeVarUint(e, opts.client ?? 1)
  encoding.writeVarUint(e, opts.clock ?? 0)
  for (const write of structs) write(e)
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}

/** An item with no origins in root type `root` (under `key` when given). */
export function rootItem(root: string, key: string | null, ref: number, content: Write): Write {
  return (e) => {
    encoding.writeUint8(e, ref | (key === null ? 0 : 0x20))
    encoding.writeVarUint(e, 1) // parent is a root name
    encoding.writeVarString(e, root)
    if (key !== null) encoding.writeVarString(e, key)
    content(e)
  }
}

/** An item whose origin (left neighbour) is `client:clock`. */
export function itemAfter(client: number, clock: number, ref: number, content: Write): Write {
  return (e) => {
    encoding.writeUint8(e, ref | 0x80)
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, clock)
    content(e)
  }
}

/** An item whose parent is the type item `client:clock`. */
export function childItem(client: number, clock: number, ref: number, content: Write): Write {
  return (e) => {
    encoding.writeUint8(e, ref)
    encoding.writeVarUint(e, 0) // parent is an ID
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, clock)
    content(e)
  }
}

export const REF = {
  deleted: 1,
  json: 2,
  binary: 3,
  string: 4,
  embed: 5,
  format: 6,
  type: 7,
  any: 8,
  doc: 9,
}

export const str =
  (s: string): Write =>
  (e) =>
    encoding.writeVarString(e, s)
export const uint =
  (n: number): Write =>
  (e) =>
    encoding.writeVarUint(e, n)
export const bytes =
  (b: number[]): Write =>
  (e) =>
    encoding.writeUint8Array(e, new Uint8Array(b))
/** ContentAny with the given values. */
export const anyValues =
  (...values: unknown[]): Write =>
  (e) => {
    encoding.writeVarUint(e, values.length)
    for (const v of values) encoding.writeAny(e, v as AnyValue)
  }
/** A raw varString whose bytes are given as-is (for invalid UTF-8). */
export const rawString =
  (b: number[]): Write =>
  (e) =>
    encoding.writeVarUint8Array(e, new Uint8Array(b))
