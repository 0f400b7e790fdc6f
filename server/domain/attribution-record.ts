/**
 * What one attributed field change does once its burst ends (S8, S9): an
 * audit entry, a notice to everyone else with the form open, and the
 * registry's worklist summaries brought in line with the form.
 */
import type { PersonRef } from '../../shared/domain.ts'
import { PRIORITIES } from '../../shared/domain.ts'
import type { FieldSpec } from '../../shared/schema.ts'
import { userMaySee } from '../access/policy.ts'
import type { FieldChange, Notice, NoticeTier } from '../events/types.ts'
import { clockTime, type DomainContext, iso } from './context.ts'
import { notifyViewers } from './notify.ts'

/** Longest value kept in audit details and notice changes; long texts are cut here. */
export const MAX_VALUE_LENGTH = 500
/** Longest value shown inline in a notice's text. */
const MAX_TEXT_VALUE_LENGTH = 80

export interface ChangeRecord {
  subject: { type: 'study' | 'patient'; id: string }
  doc: string
  field: string
  label: string
  spec: FieldSpec | undefined
  author: { ref: PersonRef | 'SYSTEM'; sessionId: string | null }
  from: unknown
  to: unknown
  /** The field's value in the document now (the summary follows it, not the burst). */
  current(): unknown
}

export async function recordChange(ctx: DomainContext, record: ChangeRecord): Promise<void> {
  const at = ctx.clock.now()
  const change: FieldChange = { field: record.field, from: clip(record.from), to: clip(record.to) }
  try {
    await ctx.audit.append({
      actor: record.author.ref,
      action: `${record.subject.type}.field-change`,
      subject: record.subject,
      ...patientOf(ctx, record.subject),
      outcome: 'success',
      source: { ip: 'sync', session: record.author.sessionId },
      details: { doc: record.doc, changes: [change] },
    })
  } catch (error) {
    // The change is in the document already; still tell the others.
    ctx.logger.error('field change not audited', { doc: record.doc, error: String(error) })
  }
  const by = record.author.ref
  notifyViewers(ctx, fieldNotice(record, change, at), by === 'SYSTEM' ? undefined : by.id)
  await updateSummary(ctx, record)
}

export function fieldNotice(record: ChangeRecord, change: FieldChange, at: number): Notice {
  const by = record.author.ref
  return {
    kind: 'field.change',
    tier: tierOf(record),
    subject: record.subject,
    by,
    at: iso(at),
    changes: [change],
    text: noticeText(record, at),
  }
}

/** "Priority CRITFIND → STAT by BOSE at 14:02:31 on study A10001"; texts only say they were edited. */
export function noticeText(record: ChangeRecord, at: number): string {
  const who = record.author.ref === 'SYSTEM' ? 'SYSTEM' : record.author.ref.name
  const what =
    record.spec?.kind === 'text'
      ? `${record.label} edited`
      : `${record.label} ${shown(record.from)} → ${shown(record.to)}`
  return `${what} by ${who} at ${clockTime(at)} on ${record.subject.type} ${record.subject.id}`
}

/** DESIGN §5: priority raised to STAT is a safety event; other priority changes a toast. */
function tierOf(record: ChangeRecord): NoticeTier {
  if (record.subject.type !== 'study' || record.field !== 'priority') return 'routine'
  return record.to === 'STAT' && record.from !== 'STAT' ? 'blocking' : 'toast'
}

function patientOf(ctx: DomainContext, subject: ChangeRecord['subject']): { patientId?: string } {
  if (subject.type === 'patient') return { patientId: subject.id }
  const study = ctx.registry.read().studies.find((s) => s.accession === subject.id)
  return study ? { patientId: study.patientId } : {}
}

/** StudyRecord.priority/description and PatientRecord.name mirror the forms for worklists. */
async function updateSummary(ctx: DomainContext, record: ChangeRecord): Promise<void> {
  const { subject, field } = record
  const value = record.current()
  if (typeof value !== 'string') return
  if (subject.type === 'study' && (field === 'priority' || field === 'description')) {
    if (field === 'priority' && !PRIORITIES.some((p) => p === value)) return
    const changed = await ctx.registry.update((data) => {
      const study = data.studies.find((s) => s.accession === subject.id)
      if (!study || study[field] === value) return false
      if (field === 'priority') study.priority = value as (typeof PRIORITIES)[number]
      else study.description = value
      return true
    })
    if (!changed) return
    await ctx.projector.study(subject.id)
    announceRows(ctx, [subject.id])
  } else if (subject.type === 'patient' && field === 'name') {
    const changed = await ctx.registry.update((data) => {
      const patient = data.patients.find((p) => p.id === subject.id)
      if (!patient || patient.name === value) return false
      patient.name = value
      return true
    })
    if (!changed) return
    await ctx.projector.patient(subject.id)
    const studies = ctx.registry.read().studies.filter((s) => s.patientId === subject.id)
    announceRows(
      ctx,
      studies.filter((s) => s.lifecycle === 'active').map((s) => s.accession),
    )
  }
}

/** A live `worklist` event per changed row, to the users who may see that study. */
function announceRows(ctx: DomainContext, accessions: string[]): void {
  const now = ctx.clock.now()
  for (const accession of accessions) {
    ctx.hub.broadcastLive({ type: 'worklist', data: { accession, change: 'updated' } }, (userId) =>
      userMaySee(ctx.registry.read(), userId, { type: 'study', id: accession }, now),
    )
  }
}

function clip(value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_VALUE_LENGTH
    ? `${value.slice(0, MAX_VALUE_LENGTH)}…`
    : value
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_TEXT_VALUE_LENGTH ? `${text.slice(0, MAX_TEXT_VALUE_LENGTH)}…` : text
}
