/**
 * A y-websocket protocol client written out by hand (message types 0, 1, 100), for
 * tests that need what the stock provider hides: the saved acknowledgements
 * (`?savedAck=1`, type 100 = durable state vector), exact control over reconnects
 * (to a server that came back on another port), and every close code.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CustomMessageType, MessageType } from '../../shared/protocol.ts'

/** Transaction origin of updates that came from the server. */
export const FROM_SERVER = Symbol('from-server')

export interface SyncClientOptions {
  docName: string
  token: string
  /** Ask for saved acknowledgements. */
  savedAck?: boolean
  doc?: Y.Doc
}

export type StateVector = Map<number, number>

export class RawSyncClient {
  readonly doc: Y.Doc
  /** Everything the server has acknowledged as durable (merged max of every type-100 vector). */
  readonly acked: StateVector = new Map()
  /** Close events seen, oldest first. */
  readonly closes: { code: number; reason: string }[] = []
  ws: WebSocket | null = null
  synced = false
  private readonly syncedWaiters: (() => void)[] = []
  private readonly ackWaiters: { sv: StateVector; resolve: () => void }[] = []

  constructor(private readonly options: SyncClientOptions) {
    this.doc = options.doc ?? new Y.Doc()
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== FROM_SERVER) this.send(syncMessage(2, update))
    })
  }

  /** Opens a socket to `wsBase` (ws://host:port) and resolves once the server's step 2 arrived. */
  connect(wsBase: string): Promise<void> {
    const { docName, token, savedAck } = this.options
    const query = `token=${encodeURIComponent(token)}${savedAck ? '&savedAck=1' : ''}`
    const ws = new WebSocket(`${wsBase}/sync/${docName}?${query}`)
    ws.binaryType = 'nodebuffer'
    this.ws = ws
    this.synced = false
    ws.on('open', () => ws.send(syncMessage(0, Y.encodeStateVector(this.doc))))
    ws.on('message', (data: Buffer) => this.receive(new Uint8Array(data)))
    ws.on('error', () => {})
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => {
        const event = { code, reason: reason.toString() }
        this.closes.push(event)
        if (this.ws === ws) this.ws = null
        resolve(event)
      }),
    )
    return new Promise<void>((resolve, reject) => {
      this.syncedWaiters.push(resolve)
      void closed.then((e) =>
        reject(new Error(`closed before synced: ${e.code} ${e.reason} (${docName})`)),
      )
    })
  }

  /** Resolves with the close event of the current socket (or at once if there is none). */
  whenClosed(): Promise<{ code: number; reason: string }> {
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) {
      return Promise.resolve(this.closes.at(-1) ?? { code: 0, reason: '' })
    }
    return new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  disconnect(): void {
    this.ws?.close()
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.ws?.terminate()
  }

  /** Resolves once the server acknowledged everything in `sv` as durable. */
  whenAcked(sv: StateVector = Y.decodeStateVector(Y.encodeStateVector(this.doc))): Promise<void> {
    if (covers(this.acked, sv)) return Promise.resolve()
    return new Promise((resolve) => this.ackWaiters.push({ sv, resolve }))
  }

  /** Resolves once this client's copy holds everything in `sv` (received from the server). */
  whenHas(sv: StateVector): Promise<void> {
    if (covers(stateVectorOf(this.doc), sv)) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!covers(stateVectorOf(this.doc), sv)) return
        this.doc.off('update', check)
        resolve()
      }
      this.doc.on('update', check)
    })
  }

  /**
   * What this client has seen that the server must keep: other clients' updates
   * (they reached us only through the server, which broadcasts only what is durable)
   * and its own edits as far as they were acknowledged.
   */
  mustSurvive(): StateVector {
    const sv = Y.decodeStateVector(Y.encodeStateVector(this.doc))
    const own = this.acked.get(this.doc.clientID)
    if (own === undefined) sv.delete(this.doc.clientID)
    else sv.set(this.doc.clientID, Math.min(own, sv.get(this.doc.clientID) ?? 0))
    for (const [client, clock] of this.acked) sv.set(client, Math.max(clock, sv.get(client) ?? 0))
    return sv
  }

  send(message: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(message)
  }

  private receive(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message)
    const type = decoding.readVarUint(decoder)
    if (type === MessageType.sync) return this.onSync(decoder)
    if (type === CustomMessageType.savedAck) return this.onAck(decoding.readVarUint8Array(decoder))
    // Awareness and anything else: not needed by these tests.
  }

  private onSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (step === 0) {
      this.send(syncMessage(1, Y.encodeStateAsUpdate(this.doc, payload)))
      return
    }
    Y.applyUpdate(this.doc, payload, FROM_SERVER)
    if (step === 1 && !this.synced) {
      this.synced = true
      for (const resolve of this.syncedWaiters.splice(0)) resolve()
    }
  }

  private onAck(vector: Uint8Array): void {
    for (const [client, clock] of Y.decodeStateVector(vector)) {
      if (clock > (this.acked.get(client) ?? 0)) this.acked.set(client, clock)
    }
    for (const waiter of [...this.ackWaiters]) {
      if (covers(this.acked, waiter.sv)) {
        this.ackWaiters.splice(this.ackWaiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
}

/** True when `have` holds every clock of `want`. */
export function covers(have: StateVector, want: StateVector): boolean {
  for (const [client, clock] of want) if ((have.get(client) ?? 0) < clock) return false
  return true
}

/** The entries of `want` that `have` lacks, as "client:have<want". */
export function missingFrom(have: StateVector, want: StateVector): string[] {
  const out: string[] = []
  for (const [client, clock] of want) {
    const got = have.get(client) ?? 0
    if (got < clock) out.push(`${client}:${got}<${clock}`)
  }
  return out
}

export function stateVectorOf(doc: Y.Doc): StateVector {
  return Y.decodeStateVector(Y.encodeStateVector(doc))
}

export function syncMessage(step: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  encoding.writeVarUint(encoder, step)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}
