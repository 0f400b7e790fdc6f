/**
 * Real Rooms over a MemoryDocLogStore, wired to a PresenceIndex as app.ts
 * wires them, and clients that publish real y-protocols awareness updates.
 * Each client stamps `user` into its state the way the server's connection
 * does (SCENARIOS S5); the room sees exactly what it would in production.
 */
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { silentLogger } from '../../../server/logger.ts'
import type { PresenceIndex } from '../../../server/presence/presence-index.ts'
import { MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import { Room, type RoomMember } from '../../../server/sync/room.ts'
import { SOCKET_OPEN } from '../../../server/sync/socket.ts'
import type { UserIdentity } from '../../../shared/domain.ts'
import { parseDocName } from '../../../shared/protocol.ts'

export class RoomSet {
  private readonly log = new MemoryDocLogStore()
  private readonly rooms = new Map<string, Room>()
  private readonly clients: PresenceClient[] = []

  constructor(private readonly index: () => PresenceIndex) {}

  room(name: string): Room {
    let room = this.rooms.get(name)
    if (!room) {
      const docName = parseDocName(name)
      if (!docName) throw new Error(`bad doc name ${name}`)
      room = new Room(
        name,
        docName,
        new Y.Doc(),
        this.log,
        silentLogger,
        {
          afterAwareness: (r, change) => this.index().onAwareness(r, change),
          afterMemberLeft: (r, _member, lost) => this.index().onMemberLeft(r, lost),
        },
        { lastSeq: 0, recordsSinceSnapshot: 0 },
        1000,
      )
      this.rooms.set(name, room)
    }
    return room
  }

  /** A client of `user` connected to document `name` (no presence published yet). */
  join(name: string, user: UserIdentity): PresenceClient {
    const client = new PresenceClient(this.room(name), user)
    this.clients.push(client)
    return client
  }

  destroy(): void {
    for (const client of this.clients) client.doc.destroy()
    for (const room of this.rooms.values()) room.destroy()
  }
}

export class PresenceClient {
  readonly doc = new Y.Doc()
  readonly awareness = new Awareness(this.doc)
  readonly member: RoomMember

  constructor(
    readonly room: Room,
    readonly user: UserIdentity,
  ) {
    this.member = {
      socket: { send() {}, close() {}, readyState: SOCKET_OPEN, bufferedAmount: 0 },
      sessionId: `session-${user.id}`,
      userId: user.id,
      awarenessIds: new Set(),
      wantsSavedAcks: false,
      close() {},
    }
    room.add(this.member)
    room.claimAwarenessId(this.member, this.clientId)
  }

  get clientId(): number {
    return this.doc.clientID
  }

  /** Publishes a state (with the server-stamped user, unless `stampUser` is false). */
  publish(state: Record<string, unknown>, stampUser = true): void {
    this.awareness.setLocalState(stampUser ? { ...state, user: this.user } : state)
    this.send()
  }

  /** A graceful close: the client clears its state, then disconnects. */
  leave(): void {
    this.awareness.setLocalState(null)
    this.send()
    this.room.remove(this.member)
  }

  /** The connection drops: the server removes the member with its state still there. */
  drop(): void {
    this.room.remove(this.member)
  }

  private send(): void {
    const update = encodeAwarenessUpdate(this.awareness, [this.clientId])
    applyAwarenessUpdate(this.room.awareness, update, this.member)
  }
}
