/**
 * An in-memory SocketLike (STYLE 4): rooms and connections run against it with
 * no network. It records every frame the server sends and how it was closed;
 * tests set `readyState` and `bufferedAmount` to play a slow or closing peer.
 */
import * as decoding from 'lib0/decoding'
import { SOCKET_OPEN, type SocketLike } from '../../server/sync/socket.ts'

export const SOCKET_CLOSED = 3

/** One server → client frame, decoded one level (message type, sync step, payload). */
export type Frame =
  | { type: 0; step: number; payload: Uint8Array }
  | { type: 1; payload: Uint8Array }
  | { type: number; raw: Uint8Array }

export class MemorySocket implements SocketLike {
  readyState = SOCKET_OPEN
  bufferedAmount = 0
  /** Every frame sent while the socket was open, in order. */
  readonly sent: Uint8Array[] = []
  /** Frames the server tried to send after the socket closed (it should check readyState). */
  sentAfterClose = 0
  /** The first close call; later ones are counted in `closeCalls`. */
  closed: { code: number; reason: string } | null = null
  closeCalls = 0

  send(data: Uint8Array): void {
    if (this.readyState !== SOCKET_OPEN) {
      this.sentAfterClose++
      return
    }
    // Copy: the sender may reuse its buffer.
    this.sent.push(new Uint8Array(data))
  }

  close(code: number, reason = ''): void {
    this.closeCalls++
    if (this.closed) return
    this.closed = { code, reason }
    this.readyState = SOCKET_CLOSED
  }

  /** Every frame sent so far, decoded one level. */
  frames(): Frame[] {
    return this.sent.map(decodeFrame)
  }

  /** Frames sent from index `from` on (take `sent.length` as a mark before acting). */
  framesSince(from: number): Frame[] {
    return this.sent.slice(from).map(decodeFrame)
  }
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const d = decoding.createDecoder(bytes)
  const type = decoding.readVarUint(d)
  if (type === 0) {
    const step = decoding.readVarUint(d)
    return { type, step, payload: decoding.readVarUint8Array(d) }
  }
  if (type === 1) return { type, payload: decoding.readVarUint8Array(d) }
  return { type, raw: bytes }
}

export function isSyncFrame(f: Frame): f is Extract<Frame, { type: 0 }> {
  return f.type === 0 && 'step' in f
}

export function isAwarenessFrame(f: Frame): f is Extract<Frame, { type: 1 }> {
  return f.type === 1 && 'payload' in f
}
