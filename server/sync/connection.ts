/**
 * One client connection to one room: decodes each message, runs the
 * exhaustive dispatch, and enforces the rules there (STYLE 3): rate and size
 * limits, write permission per message, update validation, awareness stamping.
 * Any decode failure closes only this socket with 4400.
 */
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import type { UserIdentity } from '../../shared/domain.ts'
import { CloseCode, MessageType } from '../../shared/protocol.ts'
import type { Clock } from '../clock.ts'
import type { Limits } from '../config.ts'
import {
  type AwarenessEntry,
  type AwarenessUpdateLimits,
  decodeAwarenessUpdate,
} from './awareness-guard.ts'
import { encodeAwarenessMessage, encodeSyncStep1, encodeSyncStep2, SyncStep } from './messages.ts'
import { TokenBucket } from './rate-limit.ts'
import type { ClientAwarenessEntry, Room, RoomMember } from './room.ts'
import type { SocketLike } from './socket.ts'
import { checkUpdateShape } from './update-guard.ts'
import { addsToDoc } from './update-novelty.ts'

/** Why a client's write was refused; becomes the 4409 close reason and an audit entry. */
export type WriteVerdict = { ok: true } | { ok: false; reason: string; field?: string }

/** What a connection asks of the server around each write. */
export interface ConnectionPolicy {
  /** Re-evaluated per write: a claim or grant can change while connected. */
  mayWrite(identity: UserIdentity, room: Room): boolean
  /** Schema checks for the room's document family. */
  validate(room: Room, update: Uint8Array): WriteVerdict
  onRefused(conn: Connection, reason: string, field?: string): void
  onProtocolError(conn: Connection, error: string): void
  onStorageError(conn: Connection, error: unknown): void
  onMessage(bytes: number): void
}

export class ProtocolError extends Error {}

export class Connection implements RoomMember {
  readonly awarenessIds = new Set<number>()
  readonly userId: string
  readonly openedAt: number
  private readonly bucket: TokenBucket
  private closed = false
  /** This connection's commit being made durable; its next updates wait behind it. */
  private inFlight: Promise<void> | null = null
  private queued: Uint8Array[] = []
  private queuedBytes = 0
  private readonly awarenessLimits: AwarenessUpdateLimits
  /** The `user` stamped into every state this connection publishes (S5); shared, never changed. */
  private readonly stampedUser: Readonly<UserIdentity>

  constructor(
    readonly socket: SocketLike,
    readonly room: Room,
    readonly identity: UserIdentity,
    readonly sessionId: string,
    private readonly limits: Limits,
    private readonly policy: ConnectionPolicy,
    clock: Clock,
    readonly wantsSavedAcks = false,
  ) {
    this.userId = identity.id
    this.openedAt = clock.now()
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, clock)
    this.awarenessLimits = {
      maxEntries: limits.maxAwarenessEntries,
      maxBytes: limits.maxAwarenessBytes,
      maxDepth: limits.maxAwarenessDepth,
    }
    const { id, name, role } = identity
    this.stampedUser = Object.freeze({ id, name, role })
    room.add(this)
    room.send(this, encodeSyncStep1(room.doc))
    const states = [...room.awareness.getStates().keys()]
    if (states.length > 0) room.send(this, encodeAwarenessMessage(room.awareness, states))
  }

  /** Entry point for every inbound frame. Never throws. */
  receive(data: Uint8Array | string): void {
    if (this.closed) return
    if (typeof data === 'string') return this.fail('text frames are not part of the protocol')
    this.policy.onMessage(data.byteLength)
    if (data.byteLength > this.limits.maxMessageBytes) {
      return this.close(CloseCode.messageTooLarge, 'message too large')
    }
    if (!this.bucket.take()) return this.close(CloseCode.tooManyMessages, 'too many messages')
    try {
      this.dispatch(decoding.createDecoder(data))
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error))
    }
  }

  close(code: number, reason = ''): void {
    if (this.closed) return
    this.closed = true
    this.room.remove(this)
    this.socket.close(code, reason)
  }

  /** The socket closed from the other side. */
  onSocketClosed(): void {
    if (this.closed) return
    this.closed = true
    this.room.remove(this)
  }

  get isClosed(): boolean {
    return this.closed
  }

  private dispatch(decoder: decoding.Decoder): void {
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MessageType.sync:
        return this.onSync(decoder)
      case MessageType.awareness:
        return this.onAwareness(decoding.readVarUint8Array(decoder))
      case MessageType.auth:
        // Authentication happened at the upgrade; clients have nothing to send here.
        return
      case MessageType.queryAwareness:
        return this.room.send(
          this,
          encodeAwarenessMessage(this.room.awareness, [...this.room.awareness.getStates().keys()]),
        )
      default:
        throw new ProtocolError(`unknown message type ${type}`)
    }
  }

  private onSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder)
    switch (step) {
      case SyncStep.step1: {
        const stateVector = decoding.readVarUint8Array(decoder)
        Y.decodeStateVector(stateVector) // throws on garbage before we encode against it
        return this.room.send(this, encodeSyncStep2(this.room.doc, stateVector))
      }
      case SyncStep.step2:
      case SyncStep.update:
        return this.onUpdate(decoding.readVarUint8Array(decoder))
      default:
        throw new ProtocolError(`unknown sync step ${step}`)
    }
  }

  /**
   * A client's updates build on each other (its second keystroke's origin is
   * its first). Validation and novelty checks need the earlier ones applied,
   * so while one commit is in flight the next updates queue and then go out
   * merged as one commit: per-connection order, no lost group commit.
   */
  private onUpdate(update: Uint8Array): void {
    const shape = checkUpdateShape(update, { maxStructs: this.limits.maxStructsPerUpdate })
    if (!shape.ok) throw new ProtocolError(`malformed update: ${shape.error}`)
    if (this.inFlight) {
      this.queuedBytes += update.byteLength
      if (this.queuedBytes > this.limits.maxBufferedBytes) {
        return this.close(CloseCode.tooManyMessages, 'too many pending updates')
      }
      this.queued.push(update)
      return
    }
    this.process(update)
  }

  private process(update: Uint8Array): void {
    // The step 2 of a client with nothing new is not a write, even from a reader.
    if (!addsToDoc(this.room.doc, update)) {
      this.room.sendSavedAck(this)
      return this.drain()
    }
    if (!this.policy.mayWrite(this.identity, this.room)) {
      return this.refuse('this connection may not write to this document')
    }
    if (this.room.foreignClientIn(update, this.userId) !== null) {
      return this.refuse('this update continues another user’s edits')
    }
    const verdict = this.policy.validate(this.room, update)
    if (!verdict.ok) return this.refuse(verdict.reason, verdict.field)
    this.inFlight = this.room.commit(update, this).then(
      () => {
        this.inFlight = null
        this.drain()
      },
      (error) => {
        this.inFlight = null
        this.policy.onStorageError(this, error)
        // The client still holds the edit locally and resends it after reconnecting.
        this.close(CloseCode.shuttingDown, 'storage unavailable, retry later')
      },
    )
  }

  private drain(): void {
    if (this.closed || this.queued.length === 0) return
    const batch = this.queued
    this.queued = []
    this.queuedBytes = 0
    try {
      this.process(batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch))
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error))
    }
  }

  private refuse(reason: string, field?: string): void {
    this.policy.onRefused(this, reason, field)
    this.close(CloseCode.localCopyRefused, reason.slice(0, 120))
  }

  /**
   * Checks and stamps each entry once, then hands the states to the room as
   * objects: no re-encoding for y-protocols to parse again.
   */
  private onAwareness(payload: Uint8Array): void {
    const decoded = decodeAwarenessUpdate(payload, this.awarenessLimits)
    if (!decoded.ok) throw new ProtocolError(`malformed awareness: ${decoded.error}`)
    const accepted: ClientAwarenessEntry[] = []
    for (const entry of decoded.entries) {
      if (this.mayPublish(entry)) accepted.push(this.stamp(entry))
    }
    if (accepted.length > 0) this.room.applyClientAwareness(accepted, this)
  }

  /**
   * A connection may update only the awareness ids it introduced. The stock
   * provider echoes other clients' entries back; those are dropped silently,
   * not punished, or honest clients would be disconnected.
   */
  private mayPublish(entry: AwarenessEntry): boolean {
    const { room } = this
    const { clientID, clock } = entry
    if (!room.mayClaimAwarenessId(this, clientID, clock, this.limits.maxAwarenessIdsPerConnection))
      return false
    if (!this.awarenessIds.has(entry.clientID)) room.claimAwarenessId(this, entry.clientID)
    return true
  }

  /**
   * Identity comes from the session, never from the client (S5). The state is
   * the guard's fresh JSON.parse result, ours to change: `user` is set in place,
   * where `{ ...state, user }` would put it (its own key's position, or last).
   */
  private stamp(entry: AwarenessEntry): AwarenessEntry {
    if (entry.state !== null) entry.state.user = this.stampedUser
    return entry
  }

  private fail(error: string): void {
    this.policy.onProtocolError(this, error)
    this.close(CloseCode.protocolError, 'protocol error')
  }
}
