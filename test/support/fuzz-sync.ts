/**
 * Sync-protocol fuzzing over real sockets (issue 8 §3), shared by the short
 * integration test and the long soak. fast-check generates message *plans*;
 * each is materialised against the document as the server holds it at send time
 * (so mutated updates are mutations of real, current edits), sent on a real
 * WebSocket, and followed by a probe whose answer proves the server dispatched
 * everything before it. Then:
 *
 * - the connection is either still open or closed with a refusal code;
 * - in exact mode (one message per probe) a refused message left the document
 *   byte-for-byte unchanged; an accepted one left it within its schema;
 * - presence shows only real users (S5), one awareness id per connection.
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import type { Limits } from '../../server/config.ts'
import type { Room } from '../../server/sync/room.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { presenceViolations, reloadViolations, schemaViolations } from './doc-invariants.ts'
import { answersWithStep2, materialize } from './fuzz-materialize.ts'
import type { Plan } from './fuzz-plans.ts'
import { syncMessage } from './sync-client.ts'

export { anyPlan, busyPlan, type Plan } from './fuzz-plans.ts'

/** Close codes a fuzzed connection may end with: the server refusing what it got. */
export const REFUSAL_CODES: ReadonlySet<number> = new Set([
  CloseCode.protocolError,
  CloseCode.localCopyRefused,
  CloseCode.messageTooLarge,
  CloseCode.tooManyMessages,
])

export interface FuzzTarget {
  wsUrl: string
  tokens: readonly string[]
  docs: readonly string[]
  limits: Limits
  /** The server's room, loaded (in-process servers only). */
  room(docName: string): Promise<Room>
}

export interface FuzzStats {
  /**
   * Messages the fuzzer sent. In batch mode those after a refusal are never read: count
   * what the server received (its studysync_messages_in_total minus `probes`) instead.
   */
  sent: number
  /** Probes the server read and answered (it counts them among the messages it received). */
  probes: number
  connections: number
  /** Connections closed with each refusal code. */
  refusals: Record<number, number>
  /** Messages that changed a document (accepted writes). */
  changes: number
  /** Exact-mode refusals whose document was compared before and after. */
  unchangedChecks: number
  failures: string[]
  /** What each batch worker is waiting for (printed by the soak's watchdog if it stalls). */
  stages: Map<number, string>
  /** The first failing batch: the document before it and the messages, to replay offline. */
  repro?: { docName: string; before: Uint8Array; messages: (Uint8Array | string)[] }
}

export function emptyStats(): FuzzStats {
  return {
    sent: 0,
    probes: 0,
    connections: 0,
    refusals: {},
    changes: 0,
    unchangedChecks: 0,
    failures: [],
    stages: new Map(),
  }
}

/** One socket to one document; reopened when the server closes it. */
class FuzzSocket {
  private ws: WebSocket | null = null
  private step2s = 0
  private waiter: (() => void) | null = null
  closed: { code: number; reason: string } | null = null

  constructor(
    private readonly target: FuzzTarget,
    readonly docName: string,
    private readonly token: string,
    private readonly stats: FuzzStats,
  ) {}

  async ensureOpen(): Promise<void> {
    if (this.ws && !this.closed) return
    this.stats.connections++
    this.closed = null
    this.step2s = 0
    const ws = new WebSocket(`${this.target.wsUrl}/sync/${this.docName}?token=${this.token}`)
    ws.binaryType = 'nodebuffer'
    this.ws = ws
    ws.on('error', () => {})
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0 && data[1] === 1) this.step2s++
      this.waiter?.()
    })
    ws.once('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      this.waiter?.()
    })
    // The server's own step 1 arrives first: after it, the connection is in the room.
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve())
      ws.once('close', (code, reason) =>
        reject(new Error(`fuzz socket refused: ${code} ${reason}`)),
      )
    })
  }

  /** Sends, then a probe; resolves once the server answered the probe or closed. */
  async sendAll(messages: (Uint8Array | string)[], plans: Plan[]): Promise<void> {
    const ws = this.ws!
    const want =
      this.step2s + 1 + messages.filter((m) => answersWithStep2(m, this.target.limits)).length
    for (const m of messages) ws.send(m)
    ws.send(syncMessage(0, new Uint8Array([0]))) // empty state vector: answered with a step 2
    await new Promise<void>((resolve) => {
      // A server that neither answers nor closes is a finding, not a reason to hang.
      const timer = setTimeout(() => {
        this.stats.failures.push(
          `${this.docName}: no answer to the probe and no close after 20 s ` +
            `(${this.step2s} of ${want} step 2s) after ${plans.map(describe).join(' ')}`.slice(
              0,
              2000,
            ),
        )
        this.waiter = null
        this.close()
        resolve()
      }, 20_000)
      const check = () => {
        if (this.closed || this.step2s >= want) {
          // Answered means read: the server counted the probe among its messages.
          if (!this.closed) this.stats.probes++
          clearTimeout(timer)
          this.waiter = null
          resolve()
        }
      }
      this.waiter = check
      check()
    })
  }

  close(): void {
    this.ws?.terminate()
  }
}

/**
 * Exact mode: one message per probe. A refused message must leave the document as it was,
 * an accepted one must leave it within its schema.
 */
export async function fuzzExact(
  target: FuzzTarget,
  plans: Plan[],
  stats: FuzzStats,
  docIndex = 0,
): Promise<void> {
  const docName = target.docs[docIndex % target.docs.length]!
  const socket = new FuzzSocket(
    target,
    docName,
    target.tokens[docIndex % target.tokens.length]!,
    stats,
  )
  const room = await target.room(docName)
  try {
    for (const plan of plans) {
      await socket.ensureOpen()
      const before = Y.encodeStateAsUpdate(room.doc)
      const message = materialize(plan, room.doc, docName, target.limits)
      await socket.sendAll([message], [plan])
      stats.sent++
      await room.settled()
      const after = Y.encodeStateAsUpdate(room.doc)
      const changed = !Buffer.from(before).equals(Buffer.from(after))
      if (socket.closed) {
        const { code } = socket.closed
        stats.refusals[code] = (stats.refusals[code] ?? 0) + 1
        if (!REFUSAL_CODES.has(code)) stats.failures.push(`${plan.k}: closed with ${code}`)
        stats.unchangedChecks++
        if (changed) stats.failures.push(`refused ${describe(plan)} but the document changed`)
      } else if (changed) stats.changes++
      check(room, docName, target, stats, plan)
      if (stats.failures.length > 0) return
    }
  } finally {
    socket.close()
  }
}

/**
 * Batch mode, for throughput: many messages per probe, several documents in parallel.
 * Checks the invariants (schema, presence, close codes) after each batch.
 */
export async function fuzzBatches(
  target: FuzzTarget,
  batches: Plan[][],
  stats: FuzzStats,
  worker: number,
): Promise<void> {
  const docName = target.docs[worker % target.docs.length]!
  const socket = new FuzzSocket(
    target,
    docName,
    target.tokens[worker % target.tokens.length]!,
    stats,
  )
  const at = (stage: string) => stats.stages.set(worker, `${docName}: ${stage}`)
  let previous: FuzzStats['repro']
  at('loading the room')
  const room = await target.room(docName)
  try {
    for (const plans of batches) {
      at('opening a socket')
      await socket.ensureOpen()
      const before = Y.encodeStateAsUpdate(room.doc)
      let messages: (Uint8Array | string)[]
      try {
        messages = plans.map((p) => materialize(p, room.doc, docName, target.limits))
      } catch (error) {
        // Edits are made on a copy of the server's state: if that copy fails, the state is broken,
        // most likely by a message of the last batch whose commit landed after its check.
        stats.failures.push(`${docName}: its state no longer loads into a copy: ${String(error)}`)
        stats.repro ??= previous ?? { docName, before, messages: [] }
        return
      }
      previous = { docName, before, messages }
      at('waiting for the probe')
      await socket.sendAll(messages, plans)
      stats.sent += messages.length
      if (socket.closed) {
        const { code } = socket.closed
        stats.refusals[code] = (stats.refusals[code] ?? 0) + 1
        if (!REFUSAL_CODES.has(code)) stats.failures.push(`batch closed with ${code}`)
      }
      at('waiting for commits to settle')
      await room.settled()
      check(room, docName, target, stats, null)
      if (stats.failures.length > 0) {
        stats.repro ??= previous
        return
      }
    }
  } finally {
    at('done')
    socket.close()
  }
}

function check(
  room: Room,
  docName: string,
  target: FuzzTarget,
  stats: FuzzStats,
  plan: Plan | null,
) {
  const what = plan ? ` after ${describe(plan)}` : ''
  for (const v of [...schemaViolations(docName, room.doc), ...reloadViolations(room.doc)])
    stats.failures.push(`${docName}: ${v}${what}`)
  for (const v of presenceViolations(room, target.limits.maxAwarenessIdsPerConnection)) {
    stats.failures.push(`${docName}: ${v}${what}`)
  }
}

function describe(plan: Plan): string {
  return JSON.stringify(plan, (_k, v) =>
    v instanceof Uint8Array
      ? `<${v.length} bytes>`
      : typeof v === 'string' && v.length > 60
        ? `<${v.length} chars>`
        : v,
  ).slice(0, 400)
}
