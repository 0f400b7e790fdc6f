/**
 * Server-side sessions. The client holds a random token; the registry holds only
 * its sha256, so a leaked registry file does not leak live sessions. Sessions
 * expire after a period of inactivity and can be revoked at once.
 */
import { hash, randomBytes } from 'node:crypto'
import type { UserIdentity } from '../../shared/domain.ts'
import type { Clock } from '../clock.ts'
import { sessionById, userById } from '../registry/lookup.ts'
import type { SessionRecord, UserRecord } from '../registry/types.ts'
import type { RegistryStore } from '../storage/types.ts'

/** How often a session's last-seen time is persisted (it is tracked in memory between). */
const LAST_SEEN_PERSIST_INTERVAL_MS = 60_000

export interface AuthenticatedSession {
  sessionId: string
  user: UserRecord
  identity: UserIdentity
  /** Set for a patient's reference-number session: the one study it may read (S32). */
  scope?: { accession: string } | null
}

/** One-shot `crypto.hash` (Node ≥ 20.12): a quarter of createHash's cost, on every connect and request. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64url')
}

export function identityOf(user: UserRecord): UserIdentity {
  return { id: user.id, name: user.name, role: user.role }
}

/** The synthetic user behind a patient session (`userId` = `patient:<reference number id>`). */
export function patientUser(userId: string): UserRecord {
  return {
    id: userId,
    username: userId,
    name: 'PATIENT',
    role: 'patient',
    privileges: [],
    passwordHash: '',
    groups: [],
    disabled: false,
  }
}

export class SessionService {
  private readonly lastSeen = new Map<string, number>()
  private readonly listeners = new Set<(sessionId: string) => void>()
  private readonly persisting = new Set<string>()

  constructor(
    private readonly registry: RegistryStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async create(
    user: UserRecord,
    ip: string,
    scope: SessionRecord['scope'] = null,
  ): Promise<{ token: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url')
    const now = this.clock.now()
    const session: SessionRecord = {
      id: hashToken(token),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      ip,
      ...(scope ? { scope } : {}),
    }
    await this.registry.update((data) => {
      data.sessions = data.sessions.filter((s) => this.isLive(s, now))
      data.sessions.push(session)
    })
    return { token, session }
  }

  /** Resolves a token to its live session and user, or null. Touches last-seen. */
  authenticate(token: string | undefined | null): AuthenticatedSession | null {
    if (!token || token.length > 128) return null
    const id = hashToken(token)
    const data = this.registry.read()
    const session = sessionById(data, id)
    const now = this.clock.now()
    if (!session || !this.isLive(session, now)) return null
    // A scoped session has no user record; policy.ts decides what its reference number allows.
    const user = session.scope ? patientUser(session.userId) : userById(data, session.userId)
    if (!user || user.disabled) return null
    this.lastSeen.set(id, now)
    void this.persistLastSeenIfStale(session, now)
    return { sessionId: id, user, identity: identityOf(user), scope: session.scope ?? null }
  }

  async revoke(sessionId: string): Promise<void> {
    const now = this.clock.now()
    await this.registry.update((data) => {
      const session = data.sessions.find((s) => s.id === sessionId)
      if (session) session.revokedAt = now
    })
    for (const listener of this.listeners) listener(sessionId)
  }

  async revokeAllFor(userId: string): Promise<void> {
    const ids = this.registry
      .read()
      .sessions.filter((s) => s.userId === userId && s.revokedAt === null)
      .map((s) => s.id)
    for (const id of ids) await this.revoke(id)
  }

  /** Called when a session is revoked, so open sockets of it can be closed. */
  onRevoked(listener: (sessionId: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  isLiveId(sessionId: string): boolean {
    const session = sessionById(this.registry.read(), sessionId)
    return session !== undefined && this.isLive(session, this.clock.now())
  }

  /** Writes in-memory last-seen times to the registry (on shutdown). */
  async flush(): Promise<void> {
    if (this.lastSeen.size === 0) return
    const seen = new Map(this.lastSeen)
    this.lastSeen.clear()
    await this.registry.update((data) => {
      for (const s of data.sessions) s.lastSeenAt = Math.max(s.lastSeenAt, seen.get(s.id) ?? 0)
    })
  }

  private isLive(session: SessionRecord, now: number): boolean {
    const lastSeen = Math.max(session.lastSeenAt, this.lastSeen.get(session.id) ?? 0)
    return session.revokedAt === null && now - lastSeen < this.ttlMs
  }

  private async persistLastSeenIfStale(session: SessionRecord, now: number): Promise<void> {
    if (now - session.lastSeenAt < LAST_SEEN_PERSIST_INTERVAL_MS) return
    if (this.persisting.has(session.id)) return
    this.persisting.add(session.id)
    try {
      await this.registry.update((data) => {
        const s = data.sessions.find((x) => x.id === session.id)
        if (s) s.lastSeenAt = now
      })
    } catch {
      // Best effort: an unpersisted last-seen only shortens the session after a restart.
    } finally {
      this.persisting.delete(session.id)
    }
  }
}
