/**
 * Shared by the HL7 appliers: the refusal that becomes an AE, the form diff
 * whose `from` is what the form held, and the "by SYSTEM" notice (S24).
 */
import type * as Y from 'yjs'
import type { Hl7ErrorDetail } from '../hl7/types.ts'
import type { PatientRecord, RegistryData } from '../registry/types.ts'
import { type Actor, clockTime, type DomainContext, iso } from './context.ts'
import { notifyViewers } from './notify.ts'

export type SystemActor = Actor & { kind: 'system' }

export type FieldChange = { field: string; from: unknown; to: unknown }

/** A refusal found while deciding: becomes the ACK's AE and changes nothing. */
export class Hl7Refusal extends Error {
  constructor(
    readonly detail: Hl7ErrorDetail,
    reason: string,
  ) {
    super(reason)
  }
}

export const unknownKey = (segment: string, field: number, reason: string) =>
  new Hl7Refusal({ segment, field, condition: '204' }, reason)

export function activePatient(
  data: RegistryData,
  patientId: string,
  segment: string,
  field: number,
): PatientRecord {
  const patient = data.patients.find((p) => p.id === patientId)
  if (!patient) throw unknownKey(segment, field, `unknown patient ${patientId}`)
  if (patient.lifecycle !== 'active') {
    const into = patient.mergedInto ? ` into ${patient.mergedInto}` : ''
    throw unknownKey(segment, field, `patient ${patientId} was ${patient.lifecycle}${into}`)
  }
  return patient
}

/** Plain-valued form fields whose value differs from what is wanted. */
export function diff(
  fields: Y.Map<unknown>,
  wanted: Partial<Record<string, string>>,
): FieldChange[] {
  return Object.entries(wanted)
    .filter(([field, to]) => to !== undefined && fields.get(field) !== to)
    .map(([field, to]) => ({ field, from: fields.get(field) ?? null, to }))
}

export function setAll(fields: Y.Map<unknown>, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) fields.set(key, value)
}

export function labelOf(form: Record<string, { label: string }>): (field: string) => string {
  const extra: Record<string, string> = { modality: 'Modality', studyDate: 'Study date' }
  return (field) => form[field]?.label ?? extra[field] ?? field
}

function shownValue(value: unknown): string {
  return value === null || value === undefined || value === '' ? '(empty)' : String(value)
}

/** "Priority ROUTINE → STAT by SYSTEM at 14:02:31 on study A10001" (S24); raised to STAT is a safety event. */
export function announceSystemChange(
  ctx: DomainContext,
  subject: { type: 'study' | 'patient'; id: string },
  changes: FieldChange[],
  now: number,
  label: (field: string) => string,
): void {
  if (changes.length === 0) return
  const what = changes
    .map((c) => `${label(c.field)} ${shownValue(c.from)} → ${shownValue(c.to)}`)
    .join(', ')
  const toStat = changes.some((c) => c.field === 'priority' && c.to === 'STAT')
  notifyViewers(ctx, {
    kind: 'system.update',
    tier: toStat ? 'blocking' : 'toast',
    subject,
    by: 'SYSTEM',
    at: iso(now),
    changes,
    text: `${what} by SYSTEM at ${clockTime(now)} on ${subject.type} ${subject.id}`,
  })
}
