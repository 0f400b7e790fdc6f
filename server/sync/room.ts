/**
 * A room: one Yjs document, its awareness and its connections.
 *
 * The rule that matters most here: a client update is appended to the log and
 * fsync'd *before* it is applied and broadcast, so nothing another user has
 * seen can be lost in a crash. Updates are applied in the order they were
 * appended (a promise chain), and group commit in the log keeps that cheap.
 */
import { equalityDeep } from 'lib0/function'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { CloseCode, type DocName } from '../../shared/protocol.ts'
import type { Logger } from '../logger.ts'
import type { DocLogStore } from '../storage/types.ts'
import { encodeAwarenessMessage, encodeSavedAck, encodeSyncUpdate } from './messages.ts'
import { SOCKET_OPEN, type SocketLike } from './socket.ts'
import { knownEnd, structEnds } from './update-novelty.ts'

/** Transaction origin of changes made by server code (state documents, HL7, …). */
export const SERVER_ORIGIN = Symbol('server')
/** A server write whose caller audits and announces it itself (HL7): field attribution skips it. */
export const SERVER_ANNOUNCED_ORIGIN = Symbol('server-announced')

/** What a room needs from a connection: where to send and how to close it. */
export interface RoomMember {
  readonly socket: SocketLike
  readonly sessionId: string
  readonly userId: string
  /** Awareness client ids this connection introduced. */
  readonly awarenessIds: Set<number>
  /** Asked (`?savedAck=1`) for saved acknowledgements after each durable commit. */
  readonly wantsSavedAcks: boolean
  close(code: number, reason?: string): void
}

/** The client ids an awareness 'update' event names (y-protocols' shape). */
export interface AwarenessChange {
  readonly added: readonly number[]
  /** Every id whose state was renewed, changed or not. */
  readonly updated: readonly number[]
  readonly removed: readonly number[]
}

/** One entry of a client's awareness update, checked and stamped by its Connection. */
export interface ClientAwarenessEntry {
  clientID: number
  clock: number
  /** null: the client removed its state. */
  state: Record<string, unknown> | null
}

export interface RoomHooks {
  /** Called after a client's update is durable and applied (attribution, notices). */
  afterUpdate?(room: Room, update: Uint8Array, origin: RoomMember): void
  /** Called after every awareness change (the presence index), with the ids it touched. */
  afterAwareness?(room: Room, change: AwarenessChange): void
  /**
   * Called when a member leaves, with the presence states it still had: a
   * client that closes gracefully clears its state first, so non-empty
   * `lost` means the connection dropped (S4 "connection lost").
   */
  afterMemberLeft?(
    room: Room,
    member: RoomMember,
    lost: { clientId: number; state: Record<string, unknown> }[],
  ): void
  onFsyncError?(room: Room, error: unknown): void
  /** Counts outbound messages (metrics). */
  onSend?(bytes: number): void
}

/**
 * Ids removed recently are not claimable by another user's connection: stale echoes of them
 * arrive late. Their own user may claim them back with a newer clock (a reconnecting tab keeps
 * its client id); a stale echo carries a clock the room has already seen.
 */
const REMOVED_ID_MEMORY_MS = 60_000

export class Room {
  readonly awareness: awarenessProtocol.Awareness
  readonly members = new Set<RoomMember>()
  /** Which member introduced each awareness client id. */
  readonly awarenessOwners = new Map<number, RoomMember>()
  private readonly removedIds = new Map<number, { at: number; userId: string }>()
  private chain: Promise<void> = Promise.resolve()
  /** Commits appended or being appended but not yet applied; compaction waits for 0. */
  private inFlight = 0
  private lastSeq: number
  private recordsSinceSnapshot: number
  private compacting: Promise<void> | null = null
  private savedAckScheduled = false
  /** Members that asked for saved acknowledgements. */
  private ackMembers = 0
  /** The durability of the server write in progress (see serverWrite). */
  private serverWriteDurable: Promise<void> | null = null
  /**
   * Server writes whose logging failed, and how many of those a later full-state record
   * (or snapshot) covers. While more failed than are covered, memory is ahead of the log.
   */
  private failedServerWrites = 0
  private coveredFailures = 0
  /** The user whose connection first added structs for each Yjs client id (see foreignClientIn). */
  private readonly clientOwners = new Map<number, string>()

  constructor(
    readonly name: string,
    readonly docName: DocName,
    readonly doc: Y.Doc,
    private readonly log: DocLogStore,
    private readonly logger: Logger,
    private readonly hooks: RoomHooks,
    stored: { lastSeq: number; recordsSinceSnapshot: number },
    private readonly compactEvery: number,
    /** Bytes a member may have queued unsent before it is dropped as too slow. */
    private readonly maxBufferedBytes = Number.POSITIVE_INFINITY,
  ) {
    this.lastSeq = stored.lastSeq
    this.recordsSinceSnapshot = stored.recordsSinceSnapshot
    this.awareness = new awarenessProtocol.Awareness(doc)
    // The server publishes no presence of its own.
    this.awareness.setLocalState(null)
    // Bound methods rather than arrow-function fields: under tsx each run-time arrow also
    // gets a `name` property dictionary (~250 bytes), and every loaded room made two.
    this.onDocUpdate = this.docUpdated.bind(this)
    this.onAwarenessUpdate = this.awarenessUpdated.bind(this)
    doc.on('update', this.onDocUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
  }

  /**
   * Makes a client's (already validated) update durable, then applies and
   * broadcasts it. Rejects when storage fails: the caller tells the client,
   * whose copy still holds the edit, so nothing is lost.
   */
  commit(update: Uint8Array, origin: RoomMember): Promise<void> {
    this.inFlight++
    const durable = this.log.append(this.name, update)
    const applied = this.chain.then(async () => {
      try {
        const seq = await durable
        for (const client of this.extendedClients(update)) {
          if (!this.clientOwners.has(client)) this.clientOwners.set(client, origin.userId)
        }
        Y.applyUpdate(this.doc, update, origin)
        this.noteRecord(seq)
        this.scheduleSavedAcks()
        this.observe(() => this.hooks.afterUpdate?.(this, update, origin))
      } finally {
        this.inFlight--
      }
    })
    this.chain = applied.catch(() => {})
    return applied.then(() => this.maybeCompact())
  }

  /**
   * Changes a server-owned document. The registry is the source of truth for
   * these, written durably before this is called; the update is logged and
   * broadcast once durable.
   *
   * Resolves once the change is durable, rejects if it could not be logged. Callers
   * that acknowledge it to someone (an HL7 ACK) must await it; ignoring it is safe
   * (the rejection is handled here: logged and counted through onFsyncError).
   */
  serverWrite(mutate: (doc: Y.Doc) => void, options: { announced?: boolean } = {}): Promise<void> {
    this.serverWriteDurable = null
    this.doc.transact(
      () => mutate(this.doc),
      options.announced ? SERVER_ANNOUNCED_ORIGIN : SERVER_ORIGIN,
    )
    // Set synchronously by onDocUpdate at the end of the transaction (none if nothing changed).
    const durable = this.serverWriteDurable ?? this.durable()
    this.serverWriteDurable = null
    return durable
  }

  /**
   * Resolves once everything this room holds in memory is in the log. Normally at once;
   * after a server write failed to log (full disk), it logs the whole state as one record
   * first — so that a caller answering "already done" from memory answers truthfully.
   */
  durable(): Promise<void> {
    if (!this.aheadOfLog) return Promise.resolve()
    return this.catchUp()
  }

  private get aheadOfLog(): boolean {
    return this.failedServerWrites > this.coveredFailures
  }

  /** Logs the whole state (idempotent on replay) and broadcasts it: the failed writes' content too. */
  private catchUp(): Promise<void> {
    const failures = this.failedServerWrites
    const state = Y.encodeStateAsUpdate(this.doc)
    this.inFlight++
    const done = this.log.append(this.name, state).then((seq) => {
      this.noteRecord(seq)
      this.coveredFailures = Math.max(this.coveredFailures, failures)
      this.broadcast(encodeSyncUpdate(state))
      this.scheduleSavedAcks()
    })
    done
      .catch((error) => this.hooks.onFsyncError?.(this, error))
      .finally(() => {
        this.inFlight--
      })
    return done
  }

  /**
   * Structs are identified by (client id, clock) and the first copy wins. A writer who
   * sent structs at another user's next clocks (say, one deleted run a million long)
   * would make that user's real edits be dropped as duplicates — silently, and with a
   * saved acknowledgement (found by issue 8's security review). So a client id belongs
   * to the user whose connection first extended it while the room is loaded, and only
   * that user may extend it further. Returns a client id `update` would extend for
   * someone else, or null. Relaying structs the room already has is not extending.
   */
  foreignClientIn(update: Uint8Array, userId: string): number | null {
    for (const client of this.extendedClients(update)) {
      const owner = this.clientOwners.get(client)
      if (owner !== undefined && owner !== userId) return client
    }
    return null
  }

  private extendedClients(update: Uint8Array): number[] {
    const extended: number[] = []
    for (const [client, end] of structEnds(update)) {
      if (end > knownEnd(this.doc, client)) extended.push(client)
    }
    return extended
  }

  /** Resolves when every commit queued so far has been applied. */
  settled(): Promise<void> {
    return this.chain
  }

  add(member: RoomMember): void {
    if (this.members.has(member)) return
    this.members.add(member)
    if (member.wantsSavedAcks) this.ackMembers++
  }

  /** Removes a member and its presence, telling everyone else. */
  remove(member: RoomMember): void {
    if (!this.members.delete(member)) return
    if (member.wantsSavedAcks) this.ackMembers--
    const ids = [...member.awarenessIds].filter((id) => this.awarenessOwners.get(id) === member)
    const lost = ids.flatMap((clientId) => {
      const state = this.awareness.getStates().get(clientId)
      return state ? [{ clientId, state }] : []
    })
    const now = Date.now()
    for (const id of ids) {
      this.awarenessOwners.delete(id)
      this.removedIds.set(id, { at: now, userId: member.userId })
    }
    if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, SERVER_ORIGIN)
    this.observe(() => this.hooks.afterMemberLeft?.(this, member, lost))
  }

  /** May `member` introduce awareness client id `id`, in an entry with this `clock`? */
  mayClaimAwarenessId(member: RoomMember, id: number, clock: number, maxIds: number): boolean {
    const owner = this.awarenessOwners.get(id)
    if (owner) return owner === member
    const removed = this.removedIds.get(id)
    if (removed !== undefined && Date.now() - removed.at < REMOVED_ID_MEMORY_MS) {
      const seenClock = this.awareness.meta.get(id)?.clock ?? 0
      if (removed.userId !== member.userId || clock <= seenClock) return false
    }
    return member.awarenessIds.size < maxIds
  }

  claimAwarenessId(member: RoomMember, id: number): void {
    this.awarenessOwners.set(id, member)
    member.awarenessIds.add(id)
  }

  /**
   * Applies a connection's awareness entries, already decoded, checked and
   * stamped, exactly as y-protocols' `applyAwarenessUpdate` would apply their
   * encoding (same states, meta, clock rules and 'change'/'update' events),
   * without encoding them for it to parse again. The broadcast that follows
   * (onAwarenessUpdate) skips `origin`: it has these states already.
   */
  applyClientAwareness(entries: readonly ClientAwarenessEntry[], origin: RoomMember): void {
    const awareness = this.awareness
    const { states, meta } = awareness
    const timestamp = Date.now() // lib0's time.getUnixTime()
    const added: number[] = []
    const updated: number[] = []
    const filteredUpdated: number[] = []
    const removed: number[] = []
    // 'change' (updates that changed a state) costs a deep comparison per entry; nobody may listen.
    const changeHeard = awareness._observers.has('change')
    for (const entry of entries) {
      const { clientID, state } = entry
      let clock = entry.clock
      const clientMeta = meta.get(clientID)
      const prevState = states.get(clientID)
      const currClock = clientMeta === undefined ? 0 : clientMeta.clock
      if (!(currClock < clock || (currClock === clock && state === null && states.has(clientID))))
        continue
      if (state === null) {
        // y-protocols never lets a remote client remove the local state (the server has none).
        if (clientID === awareness.clientID && awareness.getLocalState() != null) clock++
        else states.delete(clientID)
      } else {
        states.set(clientID, state)
      }
      meta.set(clientID, { clock, lastUpdated: timestamp })
      if (clientMeta === undefined && state !== null) added.push(clientID)
      else if (clientMeta !== undefined && state === null) removed.push(clientID)
      else if (state !== null) {
        if (changeHeard && !equalityDeep(state, prevState)) filteredUpdated.push(clientID)
        updated.push(clientID)
      }
    }
    if (changeHeard && (added.length > 0 || filteredUpdated.length > 0 || removed.length > 0)) {
      awareness.emit('change', [{ added, updated: filteredUpdated, removed }, origin])
    }
    if (added.length > 0 || updated.length > 0 || removed.length > 0) {
      awareness.emit('update', [{ added, updated, removed }, origin])
    }
  }

  broadcast(message: Uint8Array, except?: RoomMember): void {
    for (const member of this.members) {
      if (member !== except) this.send(member, message)
    }
  }

  send(member: RoomMember, message: Uint8Array): void {
    const { socket } = member
    if (socket.readyState !== SOCKET_OPEN) return
    // A client that stops reading would make us buffer every broadcast without bound.
    // Judged on what is already queued, so one large message (a big step 2) still goes out.
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      member.close(CloseCode.tooManyMessages, 'too slow')
      return
    }
    socket.send(message)
    this.hooks.onSend?.(message.byteLength)
  }

  /**
   * Tells clients that asked what is durable now. Everything applied from a
   * client was fsync'd first, so the document's state vector is the durable one
   * for every client's own edits. Coalesced: one ack per room per turn of the loop.
   */
  scheduleSavedAcks(): void {
    // Stock y-websocket clients never ask: then a commit schedules nothing.
    if (this.savedAckScheduled || this.ackMembers === 0) return
    this.savedAckScheduled = true
    setImmediate(() => {
      this.savedAckScheduled = false
      let message: Uint8Array | null = null
      for (const member of this.members) {
        if (!member.wantsSavedAcks) continue
        message ??= encodeSavedAck(this.doc)
        this.send(member, message)
      }
    })
  }

  /** One member's ack now (its sync step 2 held nothing new: all it has is saved). */
  sendSavedAck(member: RoomMember): void {
    if (member.wantsSavedAcks) this.send(member, encodeSavedAck(this.doc))
  }

  /** Compacts if anything was logged since the last snapshot; used before unloading. */
  async flush(): Promise<void> {
    await this.chain
    await this.compacting
    if ((this.recordsSinceSnapshot > 0 || this.aheadOfLog) && this.inFlight === 0)
      await this.compact()
  }

  destroy(): void {
    this.doc.off('update', this.onDocUpdate)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.awareness.destroy()
    this.doc.destroy()
  }

  private readonly onDocUpdate: (update: Uint8Array, origin: unknown) => void
  private readonly onAwarenessUpdate: (change: AwarenessChange, origin: unknown) => void

  private docUpdated(update: Uint8Array, origin: unknown): void {
    if (origin === SERVER_ORIGIN || origin === SERVER_ANNOUNCED_ORIGIN) {
      this.persistServerUpdate(update)
      return
    }
    // Client updates arrive here only after they were made durable in commit().
    this.broadcast(encodeSyncUpdate(update), origin as RoomMember)
  }

  private persistServerUpdate(update: Uint8Array): void {
    // Behind the log already: this update alone would leave the failed ones out.
    if (this.aheadOfLog) {
      this.serverWriteDurable = this.catchUp()
      return
    }
    this.inFlight++
    const durable = this.log.append(this.name, update).then((seq) => {
      this.noteRecord(seq)
      this.broadcast(encodeSyncUpdate(update))
      this.scheduleSavedAcks()
    })
    durable
      .catch((error) => {
        // Applied in memory but not logged: catch up at the next write, durable() or snapshot.
        this.failedServerWrites++
        this.hooks.onFsyncError?.(this, error)
      })
      .finally(() => {
        this.inFlight--
      })
    this.serverWriteDurable = durable
  }

  private awarenessUpdated(change: AwarenessChange, origin: unknown): void {
    const { added, updated, removed } = change
    const changed =
      updated.length === 0 && removed.length === 0 ? added : [...added, ...updated, ...removed]
    // A member's own states go to everyone else: it has them, and y-protocols would ignore the echo.
    const from = this.members.has(origin as RoomMember) ? (origin as RoomMember) : undefined
    this.broadcast(encodeAwarenessMessage(this.awareness, changed), from)
    const { afterAwareness } = this.hooks
    if (afterAwareness) {
      try {
        afterAwareness(this, change)
      } catch (error) {
        this.logger.error('room observer failed', { doc: this.name, error: String(error) })
      }
    }
  }

  /** Observer hooks never break the room: their failures are logged. */
  private observe(run: () => void): void {
    try {
      run()
    } catch (error) {
      this.logger.error('room observer failed', { doc: this.name, error: String(error) })
    }
  }

  private noteRecord(seq: number): void {
    this.lastSeq = Math.max(this.lastSeq, seq)
    this.recordsSinceSnapshot++
  }

  private maybeCompact(): void {
    if (this.recordsSinceSnapshot < this.compactEvery || this.compacting || this.inFlight > 0)
      return
    void this.compact()
  }

  /**
   * Snapshots the document over every record applied so far. Only runs with
   * nothing in flight, so every sequence number ≤ lastSeq is in the snapshot.
   */
  private compact(): Promise<void> {
    const snapshot = Y.encodeStateAsUpdate(this.doc)
    const throughSeq = this.lastSeq
    const covered = this.recordsSinceSnapshot
    const failures = this.failedServerWrites
    this.compacting = this.log
      .compact(this.name, snapshot, throughSeq)
      .then(() => {
        this.recordsSinceSnapshot -= covered
        this.coveredFailures = Math.max(this.coveredFailures, failures)
      })
      .catch((error) =>
        this.logger.error('compaction failed', { doc: this.name, error: String(error) }),
      )
      .finally(() => {
        this.compacting = null
      })
    return this.compacting
  }
}
