/**
 * Stock y-websocket clients in Node (WebSocketPolyfill: ws, disableBc: true —
 * without it two providers in one process sync over BroadcastChannel with no
 * server at all, and a test would prove nothing), plus raw sockets.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

export interface TestClient {
  doc: Y.Doc
  provider: WebsocketProvider
  destroy(): void
}

export function connectClient(
  wsUrl: string,
  docName: string,
  token: string,
  options: { doc?: Y.Doc; connect?: boolean } = {},
): TestClient {
  const doc = options.doc ?? new Y.Doc()
  const provider = new WebsocketProvider(`${wsUrl}/sync`, docName, doc, {
    // biome-ignore lint/suspicious/noExplicitAny: ws implements the browser WebSocket surface the provider uses
    WebSocketPolyfill: WebSocket as any,
    params: { token },
    disableBc: true,
    connect: options.connect ?? true,
  })
  return {
    doc,
    provider,
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}

export function whenSynced(client: TestClient): Promise<void> {
  if (client.provider.synced) return Promise.resolve()
  return new Promise((resolve) => client.provider.once('sync', () => resolve()))
}

/** Resolves with the next close code the provider sees. */
export function nextClose(client: TestClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    client.provider.once('connection-close', (event: { code: number; reason: string } | null) =>
      resolve({ code: event?.code ?? 0, reason: event?.reason ?? '' }),
    ),
  )
}

/** Resolves once `predicate(doc)` holds, checking after every update. */
export function until(doc: Y.Doc, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve()
  return new Promise((resolve) => {
    const check = () => {
      if (predicate()) {
        doc.off('update', check)
        resolve()
      }
    }
    doc.on('update', check)
  })
}

/** A raw socket, for sending bytes no honest client would. */
export interface RawSocket {
  ws: WebSocket
  messages: Uint8Array[]
  opened: Promise<void>
  closed: Promise<{ code: number; reason: string }>
  /** Resolves with the next message satisfying `predicate` (already received ones count). */
  nextMessage(predicate?: (m: Uint8Array) => boolean): Promise<Uint8Array>
}

export function rawSocket(
  wsUrl: string,
  path: string,
  headers: Record<string, string> = {},
): RawSocket {
  const ws = new WebSocket(`${wsUrl}${path}`, { headers })
  const messages: Uint8Array[] = []
  const waiters: { predicate: (m: Uint8Array) => boolean; resolve: (m: Uint8Array) => void }[] = []
  ws.binaryType = 'nodebuffer'
  ws.on('message', (data: Buffer) => {
    const m = new Uint8Array(data)
    messages.push(m)
    for (const w of [...waiters]) {
      if (w.predicate(m)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    }
  })
  return {
    ws,
    messages,
    opened: new Promise((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    }),
    closed: new Promise((resolve) => {
      ws.on('error', () => {})
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    }),
    nextMessage(predicate = () => true) {
      const found = messages.find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise((resolve) => waiters.push({ predicate, resolve }))
    },
  }
}

/** The HTTP status of a refused upgrade. */
export function upgradeStatus(wsUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}${path}`)
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('open', () => {
      ws.close()
      reject(new Error('upgrade unexpectedly succeeded'))
    })
    ws.on('error', () => {})
  })
}

export function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 2)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

export function messageType(m: Uint8Array): number {
  return decoding.readVarUint(decoding.createDecoder(m))
}
