import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type {
  BucketView,
  GrantView,
  ReferenceNumberView,
  StudyAccessView,
} from '../../shared/access-types.ts'
import type { FeedClient, GrantRequest, StudySyncApi } from '../app/contexts.ts'
import { failureText, statusOf, who } from './format.ts'

export type AccessLoad =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'loaded'; view: StudyAccessView }
  | { kind: 'failed'; status: number | null; message: string }

export interface Principal {
  id: string
  name: string
}

/** Someone who can be given access: from GET /users, with role for the picker. */
export interface Grantee extends Principal {
  role: string
}

/** What the Access tab's sections may ask for; each resolves when the server agreed. */
export interface AccessActions {
  addGrant(request: GrantRequest): Promise<GrantView>
  withdrawGrant(grant: GrantView): Promise<void>
  removeFromBucket(bucket: BucketView): Promise<void>
  revokeBucket(bucket: BucketView): Promise<void>
  withdrawReference(ref: ReferenceNumberView): Promise<void>
  regenerateReferences(): Promise<void>
  /** Throws the server's refusal (ApiError) for the PIN dialog to show. */
  setPin(ref: ReferenceNumberView, pin: string): Promise<void>
}

interface Target {
  api: StudySyncApi
  accession: string
  /** Load the people picker too (only managers can use it). */
  manage: boolean
}

/**
 * The Access tab's state (STYLE 14): the study's access list from
 * GET /studies/:acc/access, the people and groups that can be granted access,
 * and the outcome of the last change. Every change is made on the server first;
 * the list then changes locally to match the server's answer, and notices about
 * this study's access from the live feed reload it.
 */
export class AccessController implements ReactiveController, AccessActions {
  load: AccessLoad = { kind: 'idle' }
  /** GET /users; empty until loaded or when the picker is not needed. */
  users: Grantee[] = []
  /** The last change that worked, for the live region. */
  message = ''
  /** The last change that failed, for the alert. */
  error = ''

  readonly #host: ReactiveControllerHost
  #target: Target | null = null
  #feed: FeedClient | null = null
  #unsubscribe: (() => void) | null = null
  #connected = false
  /** Ignores answers to requests made for an earlier target. */
  #generation = 0

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  get view(): StudyAccessView | null {
    return this.load.kind === 'loaded' ? this.load.view : null
  }

  /** Groups that can be picked: those with a grant on this study or a share of one of its buckets. */
  get groups(): Principal[] {
    const view = this.view
    if (view === null) return []
    const found = new Map<string, string>()
    for (const g of view.grants) if (g.group) found.set(g.group.id, g.group.name)
    for (const b of view.buckets)
      for (const p of b.sharedWith) if (p.kind === 'group') found.set(p.id, p.name)
    return [...found]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Follows the study shown; the same target again changes nothing. */
  open(api: StudySyncApi | null, accession: string, manage: boolean): void {
    const target = api === null || accession === '' ? null : { api, accession, manage }
    const same =
      this.#target?.api === target?.api &&
      this.#target?.accession === target?.accession &&
      this.#target?.manage === target?.manage
    if (same) return
    this.#target = target
    if (this.#connected) void this.reload()
  }

  setFeed(feed: FeedClient | null): void {
    if (feed === this.#feed) return
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.#feed = feed
    if (this.#connected) this.#subscribe()
  }

  hostConnected(): void {
    this.#connected = true
    this.#subscribe()
    if (this.load.kind !== 'loaded') void this.reload()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.#generation += 1
  }

  async reload(): Promise<void> {
    const target = this.#target
    const generation = ++this.#generation
    if (target === null) {
      this.#set({ kind: 'idle' })
      return
    }
    if (this.load.kind !== 'loaded') this.#set({ kind: 'loading' })
    try {
      const view = await target.api.studyAccess(target.accession)
      if (generation === this.#generation) this.#set({ kind: 'loaded', view })
    } catch (error) {
      if (generation !== this.#generation) return
      this.#set({ kind: 'failed', status: statusOf(error), message: failureText(error) })
    }
    if (target.manage && this.users.length === 0 && generation === this.#generation) {
      const answer = await target.api.users().catch(() => ({ users: [] }))
      if (generation === this.#generation) this.users = answer.users
      this.#host.requestUpdate()
    }
  }

  addGrant(request: GrantRequest): Promise<GrantView> {
    return this.#change('add access', async ({ api, accession }) => {
      const { grant } = await api.addGrant(accession, request)
      this.#edit((v) => ({ ...v, grants: [...v.grants, grant] }))
      this.message = `Access added for ${grantee(grant)}.`
      return grant
    })
  }

  withdrawGrant(grant: GrantView): Promise<void> {
    return this.#change(`withdraw access for ${grantee(grant)}`, async ({ api, accession }) => {
      await api.withdrawGrant(accession, grant.id)
      this.#edit((v) => ({ ...v, grants: v.grants.filter((g) => g.id !== grant.id) }))
      this.message = `Access withdrawn for ${grantee(grant)}.`
    })
  }

  removeFromBucket(bucket: BucketView): Promise<void> {
    return this.#change(`remove the study from ${bucket.name}`, async ({ api, accession }) => {
      await api.removeFromBucket(bucket.id, accession)
      this.#dropBucket(bucket)
      this.message = `Study ${accession} removed from bucket ${bucket.name}.`
    })
  }

  revokeBucket(bucket: BucketView): Promise<void> {
    return this.#change(`revoke bucket ${bucket.name}`, async ({ api }) => {
      await api.revokeBucket(bucket.id)
      this.#dropBucket(bucket)
      this.message = `Bucket ${bucket.name} revoked: nobody has access through it any more.`
    })
  }

  withdrawReference(ref: ReferenceNumberView): Promise<void> {
    return this.#change(`withdraw reference number ${ref.number}`, async ({ api, accession }) => {
      await api.withdrawReferenceNumber(accession, ref.id)
      this.#edit((v) => ({
        ...v,
        referenceNumbers: v.referenceNumbers.filter((r) => r.id !== ref.id),
      }))
      this.message = `Reference number ${ref.number} withdrawn.`
    })
  }

  regenerateReferences(): Promise<void> {
    return this.#change('regenerate the reference numbers', async ({ api, accession }) => {
      const { referenceNumber, withdrawn } = await api.regenerateReferenceNumbers(accession)
      this.#edit((v) => ({
        ...v,
        referenceNumbers: [
          ...v.referenceNumbers.filter((r) => !withdrawn.includes(r.id)),
          referenceNumber,
        ],
      }))
      this.message = `New reference number ${referenceNumber.number}${
        withdrawn.length > 0 ? `; ${withdrawn.length} earlier number(s) withdrawn` : ''
      }.`
    })
  }

  async setPin(ref: ReferenceNumberView, pin: string): Promise<void> {
    const target = this.#target
    if (target === null) throw new Error('The study is not loaded yet.')
    // Not through #change: the PIN dialog shows the refusal next to the field.
    const { referenceNumber } = await target.api.setReferencePin(target.accession, ref.id, pin)
    this.#edit((v) => ({
      ...v,
      referenceNumbers: v.referenceNumbers.map((r) => (r.id === ref.id ? referenceNumber : r)),
    }))
    this.error = ''
    this.message = `PIN set for reference number ${ref.number}.`
    this.#host.requestUpdate()
  }

  /** Runs a change; a failure is kept in `error` and thrown on, for forms that show it. */
  async #change<T>(what: string, run: (target: Target) => Promise<T>): Promise<T> {
    const target = this.#target
    if (target === null) throw new Error('The study is not loaded yet.')
    this.message = ''
    this.error = ''
    try {
      return await run(target)
    } catch (error) {
      this.error = `Could not ${what}: ${failureText(error)}`
      // Someone else may have changed it first (404, 409): show what is true now.
      if (statusOf(error) === 404 || statusOf(error) === 409) void this.reload()
      throw error
    } finally {
      this.#host.requestUpdate()
    }
  }

  #dropBucket(bucket: BucketView): void {
    this.#edit((v) => ({ ...v, buckets: v.buckets.filter((b) => b.id !== bucket.id) }))
  }

  #edit(change: (view: StudyAccessView) => StudyAccessView): void {
    if (this.load.kind === 'loaded') this.load = { kind: 'loaded', view: change(this.load.view) }
  }

  #set(load: AccessLoad): void {
    this.load = load
    this.#host.requestUpdate()
  }

  #subscribe(): void {
    if (this.#feed === null || this.#unsubscribe !== null) return
    this.#unsubscribe = this.#feed.subscribe(({ event }) => {
      if (event.type !== 'notice') return
      const { kind, subject } = event.data
      const accession = this.#target?.accession
      if (kind.startsWith('access.') && subject.type === 'study' && subject.id === accession)
        void this.reload()
    })
  }
}

/** "CLERK", or "group Registration desk". */
export function grantee(grant: GrantView): string {
  if (grant.user) return who(grant.user)
  if (grant.group) return `group ${grant.group.name}`
  return 'an unknown user'
}
