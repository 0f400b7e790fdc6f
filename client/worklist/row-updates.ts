/** Pure updates of worklist rows from what the feed and the API say. */
import type { AccessEntry, StudyDetail, StudyState, WorklistRow } from '../../shared/api-types.ts'
import { PRIORITIES, type Priority } from '../../shared/domain.ts'
import type { PresenceEntry } from '../../shared/events.ts'

const MODE_RANK: Record<string, number> = { reading: 3, editing: 2, viewing: 1 }

/**
 * Presence entries → the row's `access`, one per user and view as the server's
 * worklist does: a user is in several docs of a study at once (form, state,
 * report), so entries repeat. Live beats lost, the strongest mode and the earliest
 * `since` win.
 */
export function accessFromPresence(entries: readonly PresenceEntry[]): AccessEntry[] {
  const byKey = new Map<string, AccessEntry>()
  for (const p of entries) {
    const key = `${p.user.id}|${p.view ?? ''}`
    const next: AccessEntry = {
      id: p.user.id,
      name: p.user.name,
      role: p.user.role,
      mode: p.mode,
      view: p.view,
      since: p.since,
      connection: p.connection,
    }
    const seen = byKey.get(key)
    byKey.set(key, seen === undefined ? next : merge(seen, next))
  }
  return [...byKey.values()].sort((a, b) => a.since.localeCompare(b.since))
}

function merge(a: AccessEntry, b: AccessEntry): AccessEntry {
  const mode = (MODE_RANK[b.mode] ?? 0) > (MODE_RANK[a.mode] ?? 0) ? b.mode : a.mode
  const connection = a.connection === 'live' || b.connection === 'live' ? 'live' : a.connection
  const since = a.since <= b.since ? a.since : b.since
  return { ...a, mode, connection, since }
}

/** The row with the server-owned state of a study (an assignment's answer, say). */
export function withState(row: WorklistRow, state: StudyState): WorklistRow {
  return {
    ...row,
    status: state.status,
    readingPhysician: state.readingPhysician,
    performingPhysician: state.performingPhysician,
    technologist: state.technologist,
    transcriptionist: state.transcriptionist,
    imageCount: state.imageCount,
    srCount: state.srCount,
    group: state.group,
    rev: state.rev,
  }
}

const isPriority = (value: unknown): value is Priority =>
  (PRIORITIES as readonly unknown[]).includes(value)

/** The row as GET /studies/:accession sees it; form fields only when they have the expected type. */
export function withDetail(row: WorklistRow, detail: StudyDetail): WorklistRow {
  const { priority, description } = detail.fields
  return {
    ...withState(row, detail.state),
    modality: detail.modality,
    access: detail.access,
    priority: isPriority(priority) ? priority : row.priority,
    description: typeof description === 'string' ? description : row.description,
  }
}

/** A study that is no longer on anyone's worklist. */
export const isGone = (detail: StudyDetail) => detail.state.lifecycle !== 'active'
