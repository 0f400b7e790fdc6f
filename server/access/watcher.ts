/**
 * Makes a lost right take effect at once (S30): after every grant, break-the-glass,
 * bucket or reference-number change, and when the next one of them runs out, every
 * open sync connection is checked again with docAccess; those no longer allowed are
 * closed with 4403 and their user gets a `forced-close` event. REST calls need no
 * help: they ask docAccess on every request.
 */
import type { PersonRef, UserIdentity } from '../../shared/domain.ts'
import { CloseCode, type DocName } from '../../shared/protocol.ts'
import type { AuditLog } from '../audit/types.ts'
import type { Clock } from '../clock.ts'
import type { EventHub } from '../events/hub.ts'
import type { Logger } from '../logger.ts'
import type { RegistryData } from '../registry/types.ts'
import type { RegistryStore } from '../storage/types.ts'
import { docAccess } from './policy.ts'

/** setTimeout's longest delay; a later expiry is re-checked when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

export const ACCESS_REVOKED_REASON = 'access revoked'

/** What the watcher needs of an open sync connection. */
export interface WatchedConnection {
  identity: UserIdentity
  sessionId: string
  room: { name: string; docName: DocName }
}

export interface AccessWatcherDeps {
  registry: RegistryStore
  clock: Clock
  hub: EventHub
  audit: AuditLog
  logger: Logger
  connections(): Iterable<WatchedConnection>
  /** Closes the connections in `doomed` with the given code and reason. */
  close(doomed: ReadonlySet<WatchedConnection>, code: number, reason: string): void
}

export class AccessWatcher {
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(private readonly deps: AccessWatcherDeps) {
    this.arm()
  }

  /** Re-checks every open connection now (`by` revoked something; SYSTEM when time ran out) and re-arms the timer. */
  changed(by: PersonRef | 'SYSTEM'): number {
    if (this.closed) return 0
    const count = this.sweep(by)
    this.arm()
    return count
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private sweep(by: PersonRef | 'SYSTEM'): number {
    const data = this.deps.registry.read()
    const now = this.deps.clock.now()
    const doomed = new Set<WatchedConnection>()
    for (const conn of this.deps.connections()) {
      // Only a lost right: deleted and merged documents are closed with 4410 by the lifecycle.
      if (docAccess(conn.identity, conn.room.docName, data, now).kind === 'forbidden')
        doomed.add(conn)
    }
    if (doomed.size === 0) return 0
    this.deps.close(doomed, CloseCode.forbidden, ACCESS_REVOKED_REASON)
    this.tell(doomed, by, now)
    return doomed.size
  }

  /** One forced-close event and one audit entry per user and document. */
  private tell(doomed: ReadonlySet<WatchedConnection>, by: PersonRef | 'SYSTEM', now: number) {
    const told = new Set<string>()
    for (const conn of doomed) {
      const key = `${conn.identity.id}|${conn.room.name}`
      if (told.has(key)) continue
      told.add(key)
      const subject = subjectOf(conn.room.docName)
      if (subject) {
        this.deps.hub.publish(conn.identity.id, {
          type: 'forced-close',
          data: { subject, reason: 'access-revoked', by, at: new Date(now).toISOString() },
        })
      }
      this.deps.audit
        .append({
          actor: by,
          action: 'access.forced-close',
          subject: subject ?? { type: 'document', id: conn.room.name },
          outcome: 'success',
          source: { ip: 'sync', session: conn.sessionId },
          details: {
            doc: conn.room.name,
            user: { id: conn.identity.id, name: conn.identity.name },
            reason: 'access-revoked',
          },
        })
        .catch((error) =>
          this.deps.logger.error('forced close not audited', { error: String(error) }),
        )
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.closed) return
    const now = this.deps.clock.now()
    const next = nextExpiry(this.deps.registry.read(), now)
    if (next === null) return
    // One past the expiry: at `validUntil` itself a grant is already invalid, so this is safe.
    const delay = Math.min(Math.max(next - now + 1, 1), MAX_TIMER_MS)
    this.timer = setTimeout(() => {
      this.timer = null
      this.changed('SYSTEM')
    }, delay)
    this.timer.unref?.()
  }
}

/** The earliest future moment a grant, unlock, bucket or reference number runs out, or null. */
export function nextExpiry(data: RegistryData, now: number): number | null {
  let next = Number.POSITIVE_INFINITY
  const consider = (at: number | null) => {
    if (at !== null && at > now && at < next) next = at
  }
  for (const g of data.grants) if (g.revokedAt === null) consider(g.validUntil)
  for (const b of data.breakGlass) consider(b.expiresAt)
  for (const r of data.referenceNumbers) if (r.withdrawnAt === null) consider(r.validTo)
  return Number.isFinite(next) ? next : null
}

function subjectOf(doc: DocName): { type: 'study' | 'patient'; id: string } | null {
  if ('accession' in doc) return { type: 'study', id: doc.accession }
  if ('patientId' in doc) return { type: 'patient', id: doc.patientId }
  return null
}
