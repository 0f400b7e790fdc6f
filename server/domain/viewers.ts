/**
 * Who has which study open: the explicit opens of the REST API (with their
 * view, which arbitration needs) and every live sync connection to the
 * study's documents (which presence and notices need).
 */
import type { UserIdentity, View } from '../../shared/domain.ts'

export interface OpenRecord {
  user: UserIdentity
  sessionId: string
  view: View
  since: number
}

/** The part of a sync connection the directory reads. */
export interface ConnectionView {
  readonly identity: UserIdentity
  readonly sessionId: string
  readonly room: { readonly name: string }
  readonly isClosed: boolean
}

const READING_VIEWS: ReadonlySet<View> = new Set(['desktop', 'documents'])

export class ViewerDirectory {
  private readonly opens = new Map<string, Map<string, OpenRecord>>()

  constructor(private readonly connections: () => Iterable<ConnectionView>) {}

  open(accession: string, record: OpenRecord): void {
    const byKey = this.opens.get(accession) ?? new Map<string, OpenRecord>()
    this.opens.set(accession, byKey)
    byKey.set(`${record.sessionId}|${record.view}`, record)
  }

  close(accession: string, sessionId: string, view: View): OpenRecord | undefined {
    const byKey = this.opens.get(accession)
    const key = `${sessionId}|${view}`
    const record = byKey?.get(key)
    byKey?.delete(key)
    if (byKey?.size === 0) this.opens.delete(accession)
    return record
  }

  /** Drops every REST open of a study that is gone (deleted, merged); returns them. */
  forget(accession: string): OpenRecord[] {
    const records = this.opensOf(accession)
    this.opens.delete(accession)
    return records
  }

  opensOf(accession: string): OpenRecord[] {
    return [...(this.opens.get(accession)?.values() ?? [])]
  }

  /** Another reading physician than `userId` with the study open where they read (desktop, documents). */
  otherReader(accession: string, userId: string): OpenRecord | undefined {
    return this.opensOf(accession).find(
      (o) => o.user.id !== userId && o.user.role === 'radiologist' && READING_VIEWS.has(o.view),
    )
  }

  /** Ids of users with the study (or patient) open, through REST or a sync connection. */
  usersWith(subject: { type: 'study' | 'patient'; id: string }): Set<string> {
    const users = new Set<string>()
    if (subject.type === 'study') for (const o of this.opensOf(subject.id)) users.add(o.user.id)
    const prefix = `${subject.type}/${subject.id}`
    for (const conn of this.connections()) {
      if (
        !conn.isClosed &&
        (conn.room.name === prefix || conn.room.name.startsWith(`${prefix}/`))
      ) {
        users.add(conn.identity.id)
      }
    }
    return users
  }

  /** Does `userId` have a live sync connection to any of the study's documents? */
  isConnected(accession: string, userId: string): boolean {
    const prefix = `study/${accession}`
    for (const conn of this.connections()) {
      if (conn.isClosed || conn.identity.id !== userId) continue
      if (conn.room.name === prefix || conn.room.name.startsWith(`${prefix}/`)) return true
    }
    return false
  }
}
