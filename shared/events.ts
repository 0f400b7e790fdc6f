/**
 * The live feed (API.md "Live feed"): per-user events with ids that increase
 * per user across tabs and devices, resumable with Last-Event-ID.
 */
import type { PersonRef, PresenceMode, UserIdentity, View } from './domain.ts'

/** DESIGN §5: highlights for routine edits, toasts for the open study, dialogs only for safety events. */
export type NoticeTier = 'routine' | 'toast' | 'blocking'

export interface FieldChange {
  field: string
  from: unknown
  to: unknown
}

export interface Notice {
  kind: string
  tier: NoticeTier
  subject: { type: 'study' | 'patient'; id: string }
  by: PersonRef | 'SYSTEM'
  /** ISO timestamp. */
  at: string
  changes?: FieldChange[]
  /** Says what, who and when, e.g. "Priority CRITFIND → STAT by BOSE at 14:02:31 on study 56365". */
  text: string
  /** Extra payload, e.g. the draft copy a previous claim holder keeps (S19). */
  details?: Record<string, unknown>
}

/** One user's presence on one study or patient, aggregated from room awareness. */
export interface PresenceEntry {
  user: UserIdentity
  subject: { type: 'study' | 'patient'; id: string }
  doc: string
  clientId: number
  mode: PresenceMode
  view: View | null
  /** When they opened it (ISO). */
  since: string
  /** Last awareness renewal (ISO): freshness. */
  lastActiveAt: string
  /** `lost`: the connection dropped without saying goodbye; removed after the awareness timeout. */
  connection: 'live' | 'lost'
  focus: string | null
}

export type FeedEvent =
  | { type: 'notice'; data: Notice }
  | {
      type: 'presence'
      data: { subject: { type: 'study' | 'patient'; id: string }; entries: PresenceEntry[] }
    }
  | {
      type: 'forced-close'
      data: {
        subject: { type: 'study' | 'patient'; id: string }
        reason: 'deleted' | 'merged' | 'access-revoked' | 'claim-lost'
        by: PersonRef | 'SYSTEM'
        at: string
        mergedInto?: string
      }
    }
  | { type: 'worklist'; data: { accession: string; change: 'updated' | 'removed' | 'added' } }

export interface DeliveredEvent {
  id: number
  event: FeedEvent
}
