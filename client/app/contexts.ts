/**
 * What the app shell provides to every element through @lit/context (STYLE 14).
 * Elements consume these; tests provide fakes. The shell (ss-app) implements them.
 */
import { createContext } from '@lit/context'
import type {
  BreakGlassView,
  BucketView,
  GrantType,
  GrantView,
  ReferenceNumberView,
  StudyAccessView,
} from '../../shared/access-types.ts'
import type { OpenResult, StudyDetail, StudyState, WorklistRow } from '../../shared/api-types.ts'
import type { Privilege, StudyStatus, UserIdentity, View } from '../../shared/domain.ts'
import type { DeliveredEvent, Notice, PresenceEntry } from '../../shared/events.ts'
import type {
  AuditFilters,
  AuditPage,
  AuditQueryParams,
  AuditVerifyResult,
} from '../audit/types.ts'

export interface SignedInUser extends UserIdentity {
  username: string
  privileges: Privilege[]
}

export interface AppSession {
  user: SignedInUser
  /** For `?token=` on sync and the feed where a cookie cannot go; null when the cookie is used. */
  token: string | null
}

export const sessionContext = createContext<AppSession | null>(Symbol('studysync-session'))

/** `POST …/access/grants`: to one user or one group; `validUntil` null = no end. */
export type GrantRequest = ({ userId: string } | { groupId: string }) & {
  type: GrantType
  validUntil: string | null
}

/** An entry of the admins' break-the-glass review queue. */
export type BreakGlassQueueEntry = BreakGlassView & { patientId: string | null }

export type AssignmentRole =
  | 'readingPhysician'
  | 'performingPhysician'
  | 'technologist'
  | 'transcriptionist'

/** Typed calls to the REST API. Every method throws ApiError (client/api.ts) on a non-2xx answer. */
export interface StudySyncApi {
  worklist(): Promise<{ rows: WorklistRow[] }>
  study(accession: string): Promise<StudyDetail>
  open(accession: string, view: View): Promise<OpenResult>
  close(accession: string, view: View): Promise<{ released: boolean }>
  assign(
    accession: string,
    body: { role: AssignmentRole; userId: string | null; expectedRev: number },
  ): Promise<{ state: StudyState }>
  bulkAssign(body: { accessions: string[]; role: AssignmentRole; userId: string | null }): Promise<{
    results: { accession: string; ok: boolean; error?: string }[]
  }>
  advance(
    accession: string,
    body: { to: StudyStatus; expectedRev: number },
  ): Promise<{ state: StudyState }>
  report(
    accession: string,
    body: { action: 'create' | 'amend'; autoTemplate: boolean },
  ): Promise<{ state: StudyState }>
  takeOver(accession: string, reason: string): Promise<{ state: StudyState }>
  group(body: { accessions: string[]; expectedRevs: Record<string, number> }): Promise<{
    grouped: string[]
    group: string | null
    excluded: { accession: string; reason: string; by: string; at: string }[]
  }>
  mergeStudy(accession: string, into: string): Promise<unknown>
  deleteStudy(accession: string): Promise<unknown>
  mergePatient(patientId: string, into: string): Promise<unknown>
  deletePatient(patientId: string): Promise<unknown>
  presence(): Promise<{ entries: PresenceEntry[]; at: string }>
  users(): Promise<{ users: { id: string; name: string; role: string }[] }>

  // Access and audit (API.md "Access and audit", seed 002's Access tab, S30–S33).
  studyAccess(accession: string): Promise<StudyAccessView>
  addGrant(accession: string, body: GrantRequest): Promise<{ grant: GrantView }>
  withdrawGrant(
    accession: string,
    grantId: string,
  ): Promise<{ grant: GrantView; revokedAt: string }>
  breakGlass(accession: string, reason: string): Promise<{ breakGlass: BreakGlassView }>
  breakGlassQueue(): Promise<{ entries: BreakGlassQueueEntry[] }>
  acknowledgeBreakGlass(id: string): Promise<{ breakGlass: BreakGlassView }>
  regenerateReferenceNumbers(
    accession: string,
  ): Promise<{ referenceNumber: ReferenceNumberView; withdrawn: string[] }>
  withdrawReferenceNumber(
    accession: string,
    id: string,
  ): Promise<{ referenceNumber: ReferenceNumberView; withdrawnAt: string }>
  setReferencePin(
    accession: string,
    id: string,
    pin: string,
  ): Promise<{ referenceNumber: ReferenceNumberView }>
  revokeBucket(bucketId: string): Promise<{ bucket: BucketView; revoked: boolean }>
  removeFromBucket(
    bucketId: string,
    accession: string,
  ): Promise<{ bucket: BucketView; revoked: boolean }>
  audit(query: AuditQueryParams): Promise<AuditPage>
  verifyAudit(): Promise<AuditVerifyResult>
  /** The FHIR R4 Bundle of AuditEvent for the entries matching `filters`. */
  exportAudit(filters: AuditFilters): Promise<unknown>
}

export const apiContext = createContext<StudySyncApi>(Symbol('studysync-api'))

/** The one live feed of this browser (shared across tabs, DESIGN §5). */
export interface FeedClient {
  /** Every event, in order; returns unsubscribe. */
  subscribe(listener: (event: DeliveredEvent) => void): () => void
  readonly state: 'connecting' | 'open' | 'closed'
  onState(listener: (state: 'connecting' | 'open' | 'closed') => void): () => void
}

export const feedContext = createContext<FeedClient | null>(Symbol('studysync-feed'))

/**
 * Where the app is; elements navigate by calling `go`. Hash routes: #/worklist, #/study/A1,
 * #/study/A1/desktop, #/study/A1/access, #/patient/P1, #/admin/presence, #/admin/audit.
 */
export type Route =
  | { page: 'login' }
  | { page: 'worklist' }
  | { page: 'study'; accession: string }
  | { page: 'desktop'; accession: string }
  | { page: 'patient'; patientId: string }
  | { page: 'presence' }
  | { page: 'access'; accession: string }
  | { page: 'audit' }

export interface Navigator {
  readonly route: Route
  go(route: Route): void
}

export const navigatorContext = createContext<Navigator | null>(Symbol('studysync-navigator'))

/** The notification centre: toasts and blocking dialogs go through here (DESIGN §5 tiers). */
export interface Notifier {
  /** Shows a notice by its tier: routine → history only, toast → toast, blocking → modal dialog. */
  show(notice: Notice, options?: { actions?: { label: string; run: () => void }[] }): void
  /** A local message that did not come from the feed (e.g. a refused quick edit). */
  toast(text: string, kind?: 'info' | 'error'): void
}

export const notifierContext = createContext<Notifier | null>(Symbol('studysync-notifier'))
