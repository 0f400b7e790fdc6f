/** Encoders for the server's outbound y-websocket messages (sync: 0, awareness: 1). */
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { CustomMessageType, MessageType } from '../../shared/protocol.ts'

/** y-protocols sync sub-types. */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncStep.step1)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc))
  return encoding.toUint8Array(encoder)
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncStep.step2)
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector))
  return encoding.toUint8Array(encoder)
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, SyncStep.update)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function encodeAwareness(
  awareness: awarenessProtocol.Awareness,
  clientIds: number[],
): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.awareness)
  encoding.writeVarUint8Array(
    encoder,
    awarenessProtocol.encodeAwarenessUpdate(awareness, clientIds),
  )
  return encoding.toUint8Array(encoder)
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
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, CustomMessageType.savedAck)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc))
  return encoding.toUint8Array(encoder)
}
