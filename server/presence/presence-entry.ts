/**
 * From one awareness state to one PresenceEntry (DESIGN §3). `user` is
 * stamped by the server from the session (S5) and trusted; everything else
 * came from the client and is normalised here, never passed through.
 */
import { PRESENCE_MODES, ROLES, type UserIdentity, VIEWS } from '../../shared/domain.ts'
import type { DocName } from '../../shared/protocol.ts'
import type { PresenceEntry } from '../events/types.ts'

export type PresenceSubject = PresenceEntry['subject']

/** Longest focus (a form field name) kept; longer is not a field name. */
export const MAX_FOCUS_LENGTH = 64

/** The study or patient a document shows presence for; null for state documents and the worklist. */
export function subjectOfDoc(doc: DocName): PresenceSubject | null {
  switch (doc.kind) {
    case 'study':
    case 'studyReport':
      return { type: 'study', id: doc.accession }
    case 'patient':
      return { type: 'patient', id: doc.patientId }
    default:
      return null
  }
}

export function subjectKey(subject: PresenceSubject): string {
  return `${subject.type}/${subject.id}`
}

export interface EntryContext {
  subject: PresenceSubject
  doc: string
  clientId: number
  /** Awareness meta `lastUpdated` (ms), if known. */
  lastUpdated: number | undefined
  /** When this client id was first seen in this room (ms): `since` when openedAt is unusable. */
  firstSeenAt: number
  now: number
}

/** The entry for a state, or null when it carries no server-stamped user (not ours to show). */
export function presenceEntryFrom(
  state: Record<string, unknown>,
  ctx: EntryContext,
): PresenceEntry | null {
  const user = stampedUser(state.user)
  if (!user) return null
  return {
    user,
    subject: { ...ctx.subject },
    doc: ctx.doc,
    clientId: ctx.clientId,
    mode: oneOf(PRESENCE_MODES, state.mode) ?? 'viewing',
    view: oneOf(VIEWS, state.view) ?? null,
    since: iso(openedAt(state.openedAt, ctx.now) ?? ctx.firstSeenAt),
    lastActiveAt: iso(ctx.lastUpdated ?? ctx.now),
    connection: 'live',
    focus: focusOf(state.focus),
  }
}

/** The server-stamped user of a state, or null: such a state is not shown (S5). */
export function stampedUser(value: unknown): UserIdentity | null {
  if (typeof value !== 'object' || value === null) return null
  const { id, name, role } = value as Record<string, unknown>
  if (typeof id !== 'string' || typeof name !== 'string') return null
  const knownRole = oneOf(ROLES, role)
  return knownRole ? { id, name, role: knownRole } : null
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return allowed.find((a) => a === value)
}

/** A client's openedAt, if it is an ISO date that is not in the future. */
function openedAt(value: unknown, now: number): number | null {
  if (typeof value !== 'string' || value.length > 40) return null
  // Date.parse also takes "March 7" and the like; require the ISO shape.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null
  const ms = Date.parse(value)
  return Number.isFinite(ms) && ms <= now ? ms : null
}

function focusOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const focus = value.trim()
  return focus.length > 0 && focus.length <= MAX_FOCUS_LENGTH ? focus : null
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
