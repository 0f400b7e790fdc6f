/**
 * The only socket surface rooms and connections see (tldraw's WebSocketMinimal):
 * tests drive them with an in-memory pair, production with `ws`.
 */
export interface SocketLike {
  send(data: Uint8Array): void
  close(code: number, reason?: string): void
  readonly readyState: number
  /** Bytes queued but not yet sent; used to drop clients that cannot keep up. */
  readonly bufferedAmount: number
}

export const SOCKET_OPEN = 1
