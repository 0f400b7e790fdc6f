/**
 * Drives a Room and its Connections with no network (STYLE 4): in-memory
 * sockets, in-memory or held storage, a fake clock, a recording policy, and
 * client-side message builders and decoders.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import type { Clock } from '../../../server/clock.ts'
import { DEFAULT_LIMITS, type Limits } from '../../../server/config.ts'
import { silentLogger } from '../../../server/logger.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import type { DocLogStore, StoredDoc } from '../../../server/storage/types.ts'
import {
  Connection,
  type ConnectionPolicy,
  type WriteVerdict,
} from '../../../server/sync/connection.ts'
import { validateFieldsUpdate, validateReportUpdate } from '../../../server/sync/field-validator.ts'
import { Room } from '../../../server/sync/room.ts'
import type { UserIdentity } from '../../../shared/domain.ts'
import { parseDocName } from '../../../shared/protocol.ts'
import { REPORT_BODY_MAX_LENGTH, STUDY_FORM } from '../../../shared/schema.ts'
import { isAwarenessFrame, isSyncFrame, MemorySocket } from '../../support/memory-socket.ts'

// ---------------------------------------------------------------------------
// Fixtures

export const BOSE: UserIdentity = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }
export const HUYEN: UserIdentity = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' }
export const TECH: UserIdentity = { id: 'u-tech', name: 'TECH', role: 'technologist' }

export class FakeClock implements Clock {
  t = 1_700_000_000_000
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
}

/** An append the test holds open: it becomes durable only on `release()`. */
export interface HeldAppend {
  update: Uint8Array
  release(): void
  fail(error: Error): void
}

/**
 * A DocLogStore whose appends resolve only when the test releases them, so a
 * test can look at the room while a commit is "fsyncing".
 */
export class HeldDocLog implements DocLogStore {
  readonly inner = new MemoryDocLogStore()
  readonly held: HeldAppend[] = []
  private taken = 0
  private waiter: ((held: HeldAppend) => void) | null = null

  append(docName: string, update: Uint8Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const held: HeldAppend = {
        update: new Uint8Array(update),
        release: () => void this.inner.append(docName, update).then(resolve, reject),
        fail: reject,
      }
      this.held.push(held)
      this.wake()
    })
  }

  /** The next append the room asks for (already asked-for ones count, in order). */
  nextAppend(): Promise<HeldAppend> {
    const next = this.held[this.taken]
    if (next) {
      this.taken++
      return Promise.resolve(next)
    }
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  /** Records durable in the inner store for `docName`. */
  durable(docName: string): Uint8Array[] {
    return (this.inner.data.get(docName)?.updates ?? []).map((u) => u.update)
  }

  private wake(): void {
    const waiter = this.waiter
    if (!waiter) return
    this.waiter = null
    this.taken++
    waiter(this.held[this.taken - 1]!)
  }

  load(docName: string): Promise<StoredDoc> {
    return this.inner.load(docName)
  }
  compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.inner.compact(docName, snapshot, throughSeq)
  }
  remove(docName: string): Promise<void> {
    return this.inner.remove(docName)
  }
  list(): Promise<string[]> {
    return this.inner.list()
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

export interface RecordingPolicy extends ConnectionPolicy {
  refused: { user: string; reason: string; field?: string }[]
  protocolErrors: { user: string; error: string }[]
  storageErrors: unknown[]
  messageBytes: number[]
}

export function recordingPolicy(
  writers: readonly string[],
  validate: (room: Room, update: Uint8Array) => WriteVerdict = () => ({ ok: true }),
): RecordingPolicy {
  const policy: RecordingPolicy = {
    refused: [],
    protocolErrors: [],
    storageErrors: [],
    messageBytes: [],
    mayWrite: (identity) => writers.includes(identity.id),
    validate,
    onRefused: (conn, reason, field) =>
      policy.refused.push({ user: conn.userId, reason, ...(field ? { field } : {}) }),
    onProtocolError: (conn, error) => policy.protocolErrors.push({ user: conn.userId, error }),
    onStorageError: (_conn, error) => policy.storageErrors.push(error),
    onMessage: (bytes) => policy.messageBytes.push(bytes),
  }
  return policy
}

/** The validators app.ts wires in, so refusals here are the real ones. */
export function realValidator(room: Room, update: Uint8Array): WriteVerdict {
  const result =
    room.docName.kind === 'studyReport'
      ? validateReportUpdate(room.doc, update, REPORT_BODY_MAX_LENGTH)
      : validateFieldsUpdate(room.doc, update, STUDY_FORM)
  return result.ok ? { ok: true } : { ok: false, reason: result.error, field: result.field }
}

export interface HarnessOptions {
  docName?: string
  /** The room's document as loaded from storage. */
  doc?: Y.Doc
  log?: DocLogStore
  writers?: readonly string[]
  validate?: (room: Room, update: Uint8Array) => WriteVerdict
  limits?: Partial<Limits>
}

export interface Member {
  socket: MemorySocket
  conn: Connection
}

export function harness(options: HarnessOptions = {}) {
  const name = options.docName ?? 'study/A1'
  const clock = new FakeClock()
  const log = options.log ?? new MemoryDocLogStore()
  const room = new Room(
    name,
    parseDocName(name)!,
    options.doc ?? new Y.Doc(),
    log,
    silentLogger,
    {},
    { lastSeq: 0, recordsSinceSnapshot: 0 },
    10_000,
  )
  const policy = recordingPolicy(options.writers ?? [BOSE.id, HUYEN.id], options.validate)
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  let sessions = 0
  return {
    name,
    room,
    clock,
    log,
    policy,
    join(identity: UserIdentity): Member {
      const socket = new MemorySocket()
      const conn = new Connection(socket, room, identity, `s-${++sessions}`, limits, policy, clock)
      return { socket, conn }
    },
  }
}

/**
 * Lets every queued promise callback run (a commit resolving, the connection
 * draining its queue). A macrotask boundary, not a timed wait.
 */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

// ---------------------------------------------------------------------------
// Client-side messages

export function syncMessage(step: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, step)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}
export const step1 = (doc: Y.Doc) => syncMessage(0, Y.encodeStateVector(doc))
export const step2 = (update: Uint8Array) => syncMessage(1, update)
export const updateMessage = (update: Uint8Array) => syncMessage(2, update)

export interface AwarenessEntry {
  clientID: number
  clock: number
  state: Record<string, unknown> | null
}

/** A y-protocols awareness message, encoded by hand so the test trusts nothing server-side. */
export function awarenessMessage(entries: AwarenessEntry[]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientID)
    encoding.writeVarUint(inner, entry.clock)
    encoding.writeVarString(inner, JSON.stringify(entry.state))
  }
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, 1)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

/** Decodes an awareness payload the server sent: client id → state (null = removed). */
export function awarenessStates(payload: Uint8Array): Map<number, Record<string, unknown> | null> {
  const d = decoding.createDecoder(payload)
  const states = new Map<number, Record<string, unknown> | null>()
  const count = decoding.readVarUint(d)
  for (let i = 0; i < count; i++) {
    const id = decoding.readVarUint(d)
    decoding.readVarUint(d) // clock
    states.set(id, JSON.parse(decoding.readVarString(d)))
  }
  return states
}

/** Every awareness change a socket received since `from`, flattened. */
export function awarenessSince(
  socket: MemorySocket,
  from = 0,
): Map<number, Record<string, unknown> | null>[] {
  return socket
    .framesSince(from)
    .filter(isAwarenessFrame)
    .map((f) => awarenessStates(f.payload))
}

/** Sync updates (step 2 or update) a socket received since `from`. */
export function updatesSince(socket: MemorySocket, from = 0): Uint8Array[] {
  return socket
    .framesSince(from)
    .filter(isSyncFrame)
    .filter((f) => f.step !== 0)
    .map((f) => f.payload)
}

/** The update one edit on a fresh replica of `base` produces. */
export function editOf(base: Y.Doc | null, edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
  const before = Y.encodeStateVector(doc)
  edit(doc)
  return Y.encodeStateAsUpdate(doc, before)
}

export function docWith(edit: (doc: Y.Doc) => void): Y.Doc {
  const doc = new Y.Doc()
  edit(doc)
  return doc
}

export const fieldsOf = (doc: Y.Doc) => doc.getMap('fields').toJSON()
