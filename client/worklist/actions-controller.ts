/**
 * Server-arbitrated worklist actions: quick edits with the row's `rev` (S11), bulk
 * assign/unassign with per-study results (S17) and grouping with exclusions (S20).
 * The server decides; this keeps what it answered for the elements to show.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { StudyState, WorklistRow } from '../../shared/api-types.ts'
import type { Notifier, StudySyncApi } from '../app/contexts.ts'
import { refusal } from './messages.ts'
import type { BulkOutcome, GroupOutcome, QuickEditRole, RowMessage, UserOption } from './types.ts'

export interface ActionsDeps {
  api(): StudySyncApi | undefined
  notifier(): Notifier | null | undefined
  /** Fetch a fresh copy of a study whose rev turned out stale. */
  refreshRow(accession: string): void
  /** Fetch the whole list (after bulk changes). */
  refresh(): void
  applyState(accession: string, state: StudyState): void
}

/** Who may fill each role (API.md users: radiologists read; performing physicians or system admins perform). */
export const ELIGIBLE_ROLES: Record<QuickEditRole, readonly string[]> = {
  readingPhysician: ['radiologist'],
  performingPhysician: ['performingPhysician', 'systemAdmin'],
}

export class WorklistActionsController implements ReactiveController {
  users: UserOption[] | null = null
  usersError = ''
  /** Studies with a quick edit in flight. */
  busy: ReadonlySet<string> = new Set()
  bulkBusy = false
  message: RowMessage | null = null
  bulk: BulkOutcome | null = null
  group: GroupOutcome | null = null

  readonly #host: ReactiveControllerHost
  readonly #deps: ActionsDeps
  #usersLoad: Promise<void> | null = null

  constructor(host: ReactiveControllerHost, deps: ActionsDeps) {
    this.#host = host
    this.#deps = deps
    host.addController(this)
  }

  hostConnected(): void {}

  /** Users eligible for `role`, once loaded (null while loading). */
  eligible(role: QuickEditRole): UserOption[] | null {
    return this.users?.filter((u) => ELIGIBLE_ROLES[role].includes(u.role)) ?? null
  }

  /** Loads GET /users once; a failure can be retried by calling again. */
  loadUsers(): Promise<void> {
    const api = this.#deps.api()
    if (!api || this.users) return Promise.resolve()
    this.#usersLoad ??= api.users().then(
      ({ users }) => {
        this.users = users
        this.usersError = ''
        this.#host.requestUpdate()
      },
      (error: unknown) => {
        this.usersError = `Could not load users: ${refusal(error).text}`
        this.#usersLoad = null
        this.#host.requestUpdate()
      },
    )
    return this.#usersLoad
  }

  /** Assigns (userId) or unassigns (null) one role of one study, as of the row's rev (S11). */
  async assign(row: WorklistRow, role: QuickEditRole, userId: string | null): Promise<boolean> {
    const api = this.#deps.api()
    if (!api || this.busy.has(row.accession)) return false
    this.#setBusy(row.accession, true)
    try {
      const { state } = await api.assign(row.accession, { role, userId, expectedRev: row.rev })
      this.#deps.applyState(row.accession, state)
      this.#say({
        accession: row.accession,
        kind: 'info',
        text: doneText(row, role, userId, this.users),
      })
      return true
    } catch (error) {
      const { text, stale } = refusal(error)
      this.#say({ accession: row.accession, kind: 'error', text }, true)
      if (stale) this.#deps.refreshRow(row.accession)
      return false
    } finally {
      this.#setBusy(row.accession, false)
    }
  }

  /** Bulk assign/unassign of the reading physician; the server answers study by study (S17). */
  async bulkAssign(accessions: string[], userId: string | null): Promise<void> {
    const api = this.#deps.api()
    if (!api || this.bulkBusy || accessions.length === 0) return
    const action = userId ? 'assign' : 'unassign'
    const userName = this.users?.find((u) => u.id === userId)?.name ?? null
    await this.#bulkCall(
      async () => {
        const { results } = await api.bulkAssign({ accessions, role: 'readingPhysician', userId })
        this.bulk = { kind: 'results', action, userName, results }
      },
      (message) => {
        this.bulk = { kind: 'failed', action, message }
      },
    )
  }

  /** Groups the studies as the user saw them: each one's rev goes along (S20). */
  async groupRows(rows: readonly WorklistRow[]): Promise<void> {
    const api = this.#deps.api()
    if (!api || this.bulkBusy || rows.length === 0) return
    const accessions = rows.map((r) => r.accession)
    const expectedRevs = Object.fromEntries(rows.map((r) => [r.accession, r.rev]))
    await this.#bulkCall(
      async () => {
        const answer = await api.group({ accessions, expectedRevs })
        this.group = {
          kind: 'results',
          grouped: answer.grouped,
          group: answer.group,
          excluded: answer.excluded.map((e) => ({ ...e, by: e.by ?? null, at: e.at ?? null })),
        }
      },
      (message) => {
        this.group = { kind: 'failed', message }
      },
    )
  }

  dismissResults(): void {
    this.bulk = null
    this.group = null
    this.#host.requestUpdate()
  }

  dismissMessage(): void {
    this.message = null
    this.#host.requestUpdate()
  }

  async #bulkCall(run: () => Promise<void>, failed: (message: string) => void): Promise<void> {
    this.bulkBusy = true
    this.bulk = null
    this.group = null
    this.#host.requestUpdate()
    try {
      await run()
    } catch (error) {
      failed(refusal(error).text)
    } finally {
      this.bulkBusy = false
      // Whatever went through changed revs; the feed says so too, this covers a feed gap.
      this.#deps.refresh()
      this.#host.requestUpdate()
    }
  }

  #say(message: RowMessage, toast = false): void {
    this.message = message
    if (toast) this.#deps.notifier()?.toast(`${message.accession}: ${message.text}`, 'error')
    this.#host.requestUpdate()
  }

  #setBusy(accession: string, on: boolean): void {
    const next = new Set(this.busy)
    if (on) next.add(accession)
    else next.delete(accession)
    this.busy = next
    this.#host.requestUpdate()
  }
}

const ROLE_WORDS: Record<QuickEditRole, string> = {
  readingPhysician: 'Reading physician',
  performingPhysician: 'Performing physician',
}

function doneText(
  row: WorklistRow,
  role: QuickEditRole,
  userId: string | null,
  users: UserOption[] | null,
): string {
  if (userId === null) return `${ROLE_WORDS[role]} unassigned from ${row.accession}.`
  const name = users?.find((u) => u.id === userId)?.name ?? userId
  return `${ROLE_WORDS[role]} of ${row.accession} is now ${name}.`
}
