import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { failureText } from '../access/format.ts'
import type { StudySyncApi } from '../app/contexts.ts'
import type { SaveFile } from './download.ts'
import type { AuditEntry, AuditFilters, AuditVerifyResult } from './types.ts'

export type VerifyState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'done'; result: AuditVerifyResult; at: string }
  | { kind: 'failed'; message: string }

/** Entries per page: enough to fill a screen, few enough to come back fast. */
export const AUDIT_PAGE_SIZE = 50

/**
 * The audit viewer's state (S33): the applied filters, the entries loaded so far
 * (newest first, pages appended by cursor), the last chain verification and the
 * FHIR export. Every read is itself audited by the server, so nothing here polls.
 */
export class AuditController implements ReactiveController {
  filters: AuditFilters = {}
  entries: AuditEntry[] = []
  nextCursor: string | null = null
  loading = false
  /** Whether a search has answered yet. */
  searched = false
  error = ''
  verify: VerifyState = { kind: 'idle' }
  exporting = false
  exportMessage = ''
  exportError = ''
  /** People for the user filter (GET /users); empty if that failed. */
  users: { id: string; name: string; role: string }[] = []

  readonly #host: ReactiveControllerHost
  #api: StudySyncApi | null = null
  #generation = 0

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  /** Sets the API; the first one starts the newest-first listing and loads the people. */
  setApi(api: StudySyncApi | null): void {
    if (api === this.#api) return
    this.#api = api
    if (api === null) return
    void this.search(this.filters)
    api.users().then(
      ({ users }) => {
        this.users = users
        this.#host.requestUpdate()
      },
      () => {}, // the filter falls back to a text field
    )
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.#generation += 1
  }

  /** A new search: replaces what is shown. */
  async search(filters: AuditFilters): Promise<void> {
    this.filters = filters
    this.entries = []
    this.nextCursor = null
    await this.#page(undefined)
  }

  /** The next (older) page, appended. */
  async loadMore(): Promise<void> {
    if (this.nextCursor === null || this.loading) return
    await this.#page(this.nextCursor)
  }

  async verifyChain(): Promise<void> {
    const api = this.#api
    if (api === null || this.verify.kind === 'checking') return
    this.verify = { kind: 'checking' }
    this.#host.requestUpdate()
    try {
      const result = await api.verifyAudit()
      this.verify = { kind: 'done', result, at: new Date().toISOString() }
    } catch (error) {
      this.verify = { kind: 'failed', message: failureText(error) }
    }
    this.#host.requestUpdate()
  }

  /** Downloads the FHIR R4 Bundle of AuditEvent for the applied filters. */
  async exportFhir(save: SaveFile): Promise<void> {
    const api = this.#api
    if (api === null || this.exporting) return
    this.exporting = true
    this.exportMessage = ''
    this.exportError = ''
    this.#host.requestUpdate()
    try {
      const bundle = await api.exportAudit(this.filters)
      const json = JSON.stringify(bundle, null, 2)
      const day = new Date().toISOString().slice(0, 10)
      save(`studysync-audit-${day}.fhir.json`, new Blob([json], { type: 'application/fhir+json' }))
      const count = bundleSize(bundle)
      this.exportMessage = `Exported ${count} AuditEvent resource${count === 1 ? '' : 's'} as a FHIR Bundle.`
    } catch (error) {
      this.exportError = `Could not export: ${failureText(error)}`
    } finally {
      this.exporting = false
      this.#host.requestUpdate()
    }
  }

  async #page(cursor: string | undefined): Promise<void> {
    const api = this.#api
    if (api === null) return
    const generation = ++this.#generation
    this.loading = true
    this.error = ''
    this.#host.requestUpdate()
    try {
      const page = await api.audit({
        ...this.filters,
        ...(cursor === undefined ? {} : { cursor }),
        limit: AUDIT_PAGE_SIZE,
      })
      if (generation !== this.#generation) return
      // A page boundary never repeats an entry, but a retried page could: keep ids unique.
      const seen = new Set(this.entries.map((e) => e.id))
      this.entries = [...this.entries, ...page.entries.filter((e) => !seen.has(e.id))]
      this.nextCursor = page.nextCursor
      this.searched = true
    } catch (error) {
      if (generation !== this.#generation) return
      this.error = `Could not load the audit trail: ${failureText(error)}`
    } finally {
      if (generation === this.#generation) {
        this.loading = false
        this.#host.requestUpdate()
      }
    }
  }
}

function bundleSize(bundle: unknown): number {
  const b = bundle as { total?: unknown; entry?: unknown } | null
  if (typeof b?.total === 'number') return b.total
  return Array.isArray(b?.entry) ? b.entry.length : 0
}
