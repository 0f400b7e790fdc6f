/**
 * Fakes of the shell's contexts for <ss-worklist>: a StudySyncApi over rows the test
 * controls, a FeedClient the test pushes events into, a recording navigator and notifier.
 * The role/name queries live in worklist-queries.ts and are re-exported here.
 */
import { ContextProvider } from '@lit/context'
import { fixture, html, waitUntil } from '@open-wc/testing'
import type {
  AppSession,
  FeedClient,
  Navigator,
  Notifier,
  Route,
  StudySyncApi,
} from '../../client/app/contexts.ts'
import {
  apiContext,
  feedContext,
  navigatorContext,
  notifierContext,
  sessionContext,
} from '../../client/app/contexts.ts'
import type { SsWorklist } from '../../client/worklist/ss-worklist.ts'
import type { StudyDetail, StudyState, WorklistRow } from '../../shared/api-types.ts'
import type { DeliveredEvent, FeedEvent, PresenceEntry } from '../../shared/events.ts'
import '../../client/worklist/ss-worklist.ts'

export const BOSE = { id: 'u-bose', name: 'BOSE', role: 'radiologist' as const }
export const HUYEN = { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' as const }
export const PERF = { id: 'u-perf', name: 'PERF', role: 'performingPhysician' as const }
export const ADMIN = { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' as const }

export function row(accession: string, change: Partial<WorklistRow> = {}): WorklistRow {
  return {
    accession,
    patientId: `P-${accession}`,
    patientName: 'DOE^JANE',
    modality: 'CT',
    description: 'CT head',
    priority: 'ROUTINE',
    status: 'ready-to-read',
    studyDate: '2026-11-20',
    readingPhysician: null,
    performingPhysician: null,
    technologist: null,
    transcriptionist: null,
    imageCount: 10,
    srCount: 0,
    group: null,
    rev: 1,
    access: [],
    ...change,
  }
}

/** Four studies that differ in every filtered column. */
export function sampleRows(): WorklistRow[] {
  return [
    row('A10001', { priority: 'STAT', status: 'ready-to-read', patientName: 'SMITH^ANNA', rev: 7 }),
    row('A10002', {
      priority: 'CRITFIND',
      status: 'in-progress',
      modality: 'MR',
      description: 'MR knee',
      readingPhysician: { id: BOSE.id, name: BOSE.name },
      studyDate: '2026-11-21',
      rev: 3,
    }),
    row('A10003', {
      priority: 'URGENT',
      status: 'signed',
      modality: 'US',
      description: 'US abdomen',
      readingPhysician: { id: HUYEN.id, name: HUYEN.name },
      imageCount: 2,
      rev: 4,
    }),
    row('A10004', {
      priority: 'ROUTINE',
      status: 'scheduled',
      modality: 'CR',
      description: 'Chest',
    }),
  ]
}

export function stateOf(r: WorklistRow, change: Partial<StudyState> = {}): StudyState {
  return {
    status: r.status,
    readingPhysician: r.readingPhysician,
    performingPhysician: r.performingPhysician,
    technologist: r.technologist,
    transcriptionist: r.transcriptionist,
    imageCount: r.imageCount,
    srCount: r.srCount,
    claim: null,
    group: r.group,
    lifecycle: 'active',
    mergedInto: null,
    rev: r.rev,
    ...change,
  }
}

export function detailOf(r: WorklistRow, state: Partial<StudyState> = {}): StudyDetail {
  return {
    accession: r.accession,
    patientId: r.patientId,
    modality: r.modality,
    fields: { priority: r.priority, description: r.description },
    state: stateOf(r, state),
    access: r.access,
  }
}

type Calls = { method: string; args: unknown[] }[]
type Handlers = Pick<
  StudySyncApi,
  'worklist' | 'study' | 'assign' | 'bulkAssign' | 'group' | 'users'
>

/**
 * A StudySyncApi over `store.rows`; tests replace `handlers.<method>` to answer
 * differently. Every call is recorded, whatever answers it.
 */
export function fakeApi(rows: WorklistRow[] = sampleRows()) {
  const store = { rows }
  const calls: Calls = []
  const handlers: Handlers = {
    worklist: async () => ({ rows: structuredClone(store.rows) }),
    study: async (accession) => {
      const found = store.rows.find((r) => r.accession === accession)
      if (!found) throw new Error(`no study ${accession}`)
      return detailOf(found)
    },
    assign: async () => {
      throw new Error('assign not faked')
    },
    bulkAssign: async () => ({ results: [] }),
    group: async () => ({ grouped: [], group: null, excluded: [] }),
    users: async () => ({ users: [BOSE, HUYEN, PERF, ADMIN] }),
  }
  const recorded = <K extends keyof Handlers>(method: K) =>
    ((...args: unknown[]) => {
      calls.push({ method, args })
      return (handlers[method] as (...a: unknown[]) => unknown)(...args)
    }) as Handlers[K]
  const unused = (method: string) => () => Promise.reject(new Error(`${method} not faked`))
  const api: StudySyncApi = {
    worklist: recorded('worklist'),
    study: recorded('study'),
    assign: recorded('assign'),
    bulkAssign: recorded('bulkAssign'),
    group: recorded('group'),
    users: recorded('users'),
    open: unused('open'),
    close: unused('close'),
    advance: unused('advance'),
    report: unused('report'),
    takeOver: unused('takeOver'),
    mergeStudy: unused('mergeStudy'),
    deleteStudy: unused('deleteStudy'),
    mergePatient: unused('mergePatient'),
    deletePatient: unused('deletePatient'),
    presence: unused('presence'),
    studyAccess: unused('studyAccess'),
    addGrant: unused('addGrant'),
    withdrawGrant: unused('withdrawGrant'),
    breakGlass: unused('breakGlass'),
    breakGlassQueue: unused('breakGlassQueue'),
    acknowledgeBreakGlass: unused('acknowledgeBreakGlass'),
    regenerateReferenceNumbers: unused('regenerateReferenceNumbers'),
    withdrawReferenceNumber: unused('withdrawReferenceNumber'),
    setReferencePin: unused('setReferencePin'),
    revokeBucket: unused('revokeBucket'),
    removeFromBucket: unused('removeFromBucket'),
    audit: unused('audit'),
    verifyAudit: unused('verifyAudit'),
    exportAudit: unused('exportAudit'),
  }
  const called = (method: string) => calls.filter((c) => c.method === method)
  return { api, store, handlers, calls, called }
}

/** A FeedClient the test pushes events into. */
export function fakeFeed() {
  const listeners = new Set<(event: DeliveredEvent) => void>()
  const stateListeners = new Set<(state: FeedClient['state']) => void>()
  let id = 0
  const feed: FeedClient & {
    push(event: FeedEvent): void
    setState(state: FeedClient['state']): void
    readonly listeners: number
  } = {
    state: 'open',
    setState(state) {
      ;(feed as { state: FeedClient['state'] }).state = state
      for (const listener of [...stateListeners]) listener(state)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    push(event) {
      const delivered = { id: ++id, event }
      for (const listener of [...listeners]) listener(delivered)
    },
    get listeners() {
      return listeners.size + stateListeners.size
    },
  }
  return feed
}

/** ISO time of today at h:m:s local: flags say "since 14:02" for today, with the date otherwise. */
export function todayAt(hours: number, minutes: number, seconds = 0): string {
  const at = new Date()
  at.setHours(hours, minutes, seconds, 0)
  return at.toISOString()
}

export function presence(
  accession: string,
  user: { id: string; name: string; role: PresenceEntry['user']['role'] },
  change: Partial<PresenceEntry> = {},
): PresenceEntry {
  return {
    user,
    subject: { type: 'study', id: accession },
    doc: `study/${accession}`,
    clientId: 1,
    mode: 'reading',
    view: 'desktop',
    since: todayAt(14, 2),
    lastActiveAt: new Date().toISOString(),
    connection: 'live',
    focus: null,
    ...change,
  }
}

export interface Mounted {
  el: SsWorklist
  routes: Route[]
  toasts: { text: string; kind: string | undefined }[]
}

/** Mounts <ss-worklist> under providers of every context and waits for its rows. */
export async function mountWorklist(options: {
  api: StudySyncApi
  feed?: FeedClient | null
  session?: AppSession | null
}): Promise<Mounted> {
  const routes: Route[] = []
  const toasts: Mounted['toasts'] = []
  const navigator: Navigator = { route: { page: 'worklist' }, go: (route) => routes.push(route) }
  const notifier: Notifier = { show: () => {}, toast: (text, kind) => toasts.push({ text, kind }) }
  const host = await fixture<HTMLDivElement>(html`<div></div>`)
  new ContextProvider(host, { context: apiContext, initialValue: options.api })
  new ContextProvider(host, { context: feedContext, initialValue: options.feed ?? null })
  new ContextProvider(host, { context: navigatorContext, initialValue: navigator })
  new ContextProvider(host, { context: notifierContext, initialValue: notifier })
  new ContextProvider(host, {
    context: sessionContext,
    initialValue: options.session === undefined ? session(BOSE) : options.session,
  })
  const el = document.createElement('ss-worklist')
  host.append(el)
  await waitUntil(() => el.list.state === 'ready', 'worklist loaded')
  await el.updateComplete
  return { el, routes, toasts }
}

export function session(
  user: typeof BOSE | typeof ADMIN | typeof PERF | typeof HUYEN,
  privileges: AppSession['user']['privileges'] = ['assignReadingPhysician', 'assignOtherPersonnel'],
): AppSession {
  return { user: { ...user, username: user.name.toLowerCase(), privileges }, token: null }
}

export * from './worklist-queries.ts'
