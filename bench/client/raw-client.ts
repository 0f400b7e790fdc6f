/**
 * A y-websocket protocol client over `ws`, lighter than the stock
 * WebsocketProvider (no reconnect timers, no BroadcastChannel, no awareness
 * renewal) so that thousands fit in the load generator, and identical for
 * every server: on open it sends its state vector (sync step 1), answers the
 * server's step 1 with its missing updates (step 2), applies what arrives,
 * and sends each local change as an update — what the stock provider does.
 * A change made while disconnected is sent by the step 2 of the next connect.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import type { Endpoint } from '../servers/types.ts'
import { type Framing, framingFor } from './framing.ts'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
/** Hocuspocus answers a client's step 1 inside this type ("SyncReply"); same body as sync. */
const MESSAGE_SYNC_REPLY = 4
const STEP1 = 0
const STEP2 = 1
const UPDATE = 2

export interface ClientOptions {
  /** Synced only once this holds too (e.g. the seeded history arrived). */
  ready?: (doc: Y.Doc) => boolean
  /** Destroy the document once synced and ignore later traffic (idle connections). */
  light?: boolean
  onAwareness?: (update: Uint8Array) => void
}

export class RawClient {
  readonly doc = new Y.Doc()
  readonly framing: Framing
  /** Close code of a socket that closed without our asking; 0 while none did. */
  unexpectedClose = 0
  private ws: WebSocket | null = null
  private gotStep2 = false
  private isSynced = false
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = []

  /** `index` numbers the client within its run (it picks the session token). */
  constructor(
    endpoint: Endpoint,
    readonly docName: string,
    index: number,
    private readonly options: ClientOptions = {},
  ) {
    this.framing = framingFor(endpoint, index)
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this && this.isOpen) this.send(syncMessage(UPDATE, update))
    })
  }

  get synced(): boolean {
    return this.isSynced
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  /** Opens a socket and resolves once synced (rejects if it closes first). */
  connect(): Promise<void> {
    this.gotStep2 = false
    this.isSynced = false
    const ws = new WebSocket(this.framing.url(this.docName), { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    this.ws = ws
    ws.on('open', () => {
      for (const frame of this.framing.hello(this.docName)) ws.send(frame)
      this.send(syncMessage(STEP1, Y.encodeStateVector(this.doc)))
    })
    ws.on('message', (data: Buffer) => this.receive(data))
    ws.on('error', (error) => this.fail(error))
    ws.on('close', (code) => {
      if (this.ws === ws) {
        this.unexpectedClose = code
        this.fail(new Error(`closed with ${code} before sync`))
      }
    })
    return this.whenSynced()
  }

  whenSynced(): Promise<void> {
    if (this.isSynced) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /** Closes the socket on purpose and waits until it is closed. */
  disconnect(): Promise<void> {
    const ws = this.ws
    this.ws = null
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      ws.once('close', () => resolve())
      ws.close()
    })
  }

  sendAwareness(update: Uint8Array): void {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(encoder, update)
    this.send(encoding.toUint8Array(encoder))
  }

  destroy(): void {
    void this.disconnect()
    this.doc.destroy()
  }

  private send(body: Uint8Array): void {
    this.ws?.send(this.framing.wrap(this.docName, body))
  }

  private receive(frame: Uint8Array): void {
    if (this.options.light && this.isSynced) return
    const decoder = this.framing.open(frame)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC || type === MESSAGE_SYNC_REPLY) this.receiveSync(decoder)
    else if (type === MESSAGE_AWARENESS)
      this.options.onAwareness?.(decoding.readVarUint8Array(decoder))
    // Anything else (Hocuspocus auth answers and sync-status acks) carries nothing to check.
  }

  private receiveSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (step === STEP1) {
      this.send(syncMessage(STEP2, Y.encodeStateAsUpdate(this.doc, payload)))
      return
    }
    if (step !== STEP2 && step !== UPDATE) return
    Y.applyUpdate(this.doc, payload, this)
    if (step === STEP2) this.gotStep2 = true
    this.checkSynced()
  }

  private checkSynced(): void {
    if (this.isSynced || !this.gotStep2) return
    if (this.options.ready && !this.options.ready(this.doc)) return
    this.isSynced = true
    if (this.options.light) this.doc.destroy()
    for (const w of this.waiters.splice(0)) w.resolve()
  }

  private fail(error: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(error)
  }
}

function syncMessage(step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  encoding.writeVarUint(encoder, step)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}
