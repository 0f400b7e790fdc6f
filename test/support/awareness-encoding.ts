/**
 * Reference encodings for awareness tests, written with lib0 exactly as y-protocols and
 * y-websocket do, so the server's own (faster) encoders can be held byte-equal to them.
 */
import * as encoding from 'lib0/encoding'
import { type Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { MessageType } from '../../shared/protocol.ts'

/** An awareness update carrying these entries, as y-protocols' `encodeAwarenessUpdate` lays it out. */
export function encodeAwarenessEntries(
  entries: readonly { clientID: number; clock: number; state: unknown }[],
): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientID)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, JSON.stringify(entry.state))
  }
  return encoding.toUint8Array(encoder)
}

/** The awareness message y-websocket sends for these clients: type 1, then the update. */
export function awarenessFrame(awareness: Awareness, clientIds: number[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.awareness)
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, clientIds))
  return encoding.toUint8Array(encoder)
}
