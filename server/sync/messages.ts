/** Encoders for the server's outbound y-websocket messages (sync: 0, awareness: 1). */
import type * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { CustomMessageType, MessageType } from '../../shared/protocol.ts'

/** y-protocols sync sub-types. */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return withPayload(MessageType.sync, SyncStep.step1, Y.encodeStateVector(doc))
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return withPayload(MessageType.sync, SyncStep.step2, Y.encodeStateAsUpdate(doc, stateVector))
}

/** Built once per broadcast: every recipient is sent these same bytes. */
export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  return withPayload(MessageType.sync, SyncStep.update, update)
}

/**
 * The same bytes as `encodeAwareness`, in one pooled allocation: each state
 * is stringified once, straight into the message (y-protocols' encoder and
 * the outer message each copy through an encoder of their own).
 */
export function encodeAwarenessMessage(
  awareness: awarenessProtocol.Awareness,
  clientIds: readonly number[],
): Uint8Array {
  const count = clientIds.length
  const jsons: string[] = new Array(count)
  const sizes: number[] = new Array(count)
  let inner = varUintSize(count)
  for (let i = 0; i < count; i++) {
    const clientId = clientIds[i]!
    const json = JSON.stringify(awareness.states.get(clientId) || null)
    const bytes = Buffer.byteLength(json, 'utf8')
    jsons[i] = json
    sizes[i] = bytes
    const clock = awareness.meta.get(clientId)?.clock ?? 0
    inner += varUintSize(clientId) + varUintSize(clock) + varUintSize(bytes) + bytes
  }
  const out = Buffer.allocUnsafe(varUintSize(MessageType.awareness) + varUintSize(inner) + inner)
  let pos = writeVarUint(out, 0, MessageType.awareness)
  pos = writeVarUint(out, pos, inner)
  pos = writeVarUint(out, pos, count)
  for (let i = 0; i < count; i++) {
    const clientId = clientIds[i]!
    pos = writeVarUint(out, pos, clientId)
    pos = writeVarUint(out, pos, awareness.meta.get(clientId)?.clock ?? 0)
    pos = writeVarUint(out, pos, sizes[i]!)
    pos += out.write(jsons[i]!, pos, 'utf8')
  }
  return out
}

/** Bytes lib0's writeVarUint takes for `n` (a non-negative safe integer). */
function varUintSize(n: number): number {
  let size = 1
  while (n > 0x7f) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

/** lib0's writeVarUint into `out` at `pos`; returns the position after it. */
function writeVarUint(out: Uint8Array, pos: number, n: number): number {
  while (n > 0x7f) {
    out[pos++] = 0x80 | (n & 0x7f)
    n = Math.floor(n / 128)
  }
  out[pos++] = n
  return pos
}

/** StudySync's saved acknowledgement: the durable state vector (only to clients that ask). */
export function encodeSavedAck(doc: Y.Doc): Uint8Array {
  return withPayload(CustomMessageType.savedAck, null, Y.encodeStateVector(doc))
}

/**
 * The same bytes as lib0's encoder writing `type`, `subType` (unless null) and
 * `payload` as a varUint8Array, in one allocation of the exact size (lib0 starts a
 * 100-byte buffer and copies the message out of it). A Buffer, so ws sends it as is.
 */
function withPayload(type: number, subType: number | null, payload: Uint8Array): Uint8Array {
  const length = payload.byteLength
  const size =
    varUintSize(type) + (subType === null ? 0 : varUintSize(subType)) + varUintSize(length) + length
  const out = Buffer.allocUnsafe(size)
  let pos = writeVarUint(out, 0, type)
  if (subType !== null) pos = writeVarUint(out, pos, subType)
  pos = writeVarUint(out, pos, length)
  out.set(payload, pos)
  return out
}
