/**
 * Applies one parsed HL7 v2 command (server/hl7) as SYSTEM (S24, DESIGN §4):
 * patient updates write the patient form, A40 merges patients, orders create
 * or change studies (and create unknown patients), a cancelled order deletes
 * its study. Every refusal (AE) is decided before anything is written, so a
 * refused message changes nothing; every change is audited as SYSTEM and
 * announced to whoever has the form open.
 */
import { PATIENT_FORM } from '../../shared/schema.ts'
import type { Hl7Command, Hl7ErrorDetail, Hl7Header } from '../hl7/types.ts'
import { HttpError } from '../http/errors.ts'
import type { RegistryData, StudyRecord } from '../registry/types.ts'
import { auditWho, worklistChanged } from './command-support.ts'
import type { DomainContext } from './context.ts'
import {
  activePatient,
  announceSystemChange,
  diff,
  type FieldChange,
  Hl7Refusal,
  labelOf,
  type SystemActor,
} from './hl7-changes.ts'
import { applyOrder } from './hl7-orders.ts'
import { mergePatient } from './lifecycle.ts'

export type { SystemActor } from './hl7-changes.ts'

export type Hl7Outcome =
  | { code: 'AA'; text: string }
  | { code: 'AE'; text: string; error: Hl7ErrorDetail }

export async function applyHl7(
  ctx: DomainContext,
  actor: SystemActor,
  command: Hl7Command,
  header?: Hl7Header,
): Promise<Hl7Outcome> {
  try {
    const text = await dispatch(ctx, actor, command)
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'hl7.receive',
      subject: { type: 'system', id: 'hl7' },
      outcome: 'success',
      details: { result: text, ...messageOf(header ?? null) },
    })
    return { code: 'AA', text }
  } catch (error) {
    const refusal = asRefusal(error)
    if (!refusal) throw error
    await recordHl7Refusal(ctx, actor, header ?? null, 'AE', refusal.message)
    return { code: 'AE', text: refusal.message, error: refusal.detail }
  }
}

/** Audits a message we did not apply (parser AR/AE or an applier AE). */
export async function recordHl7Refusal(
  ctx: DomainContext,
  actor: SystemActor,
  header: Hl7Header | null,
  code: 'AR' | 'AE',
  reason: string,
): Promise<void> {
  await ctx.audit.append({
    ...auditWho(actor),
    action: 'hl7.receive',
    subject: { type: 'system', id: 'hl7' },
    outcome: 'refused',
    details: { code, reason, ...messageOf(header) },
  })
}

function dispatch(ctx: DomainContext, actor: SystemActor, command: Hl7Command): Promise<string> {
  switch (command.kind) {
    case 'patientUpdate':
      return updatePatient(ctx, actor, command.patientId, command.fields)
    case 'patientMerge':
      return mergePatients(ctx, actor, command.mergedPatientId, command.patientId)
    case 'orderUpsert':
      return applyOrder(ctx, actor, command)
  }
}

/** Domain refusals met on the way (a race with a user, mostly) are AEs too. */
function asRefusal(error: unknown): Hl7Refusal | null {
  if (error instanceof Hl7Refusal) return error
  if (error instanceof HttpError && error.status < 500) {
    const condition = error.status === 404 || error.status === 400 ? '204' : '207'
    return new Hl7Refusal({ condition }, error.message)
  }
  return null
}

// ---------------------------------------------------------------- patients

async function updatePatient(
  ctx: DomainContext,
  actor: SystemActor,
  patientId: string,
  wanted: Partial<Record<string, string>>,
): Promise<string> {
  activePatient(ctx.registry.read(), patientId, 'PID', 3)
  return ctx.rooms.with(`patient/${patientId}`, async (room) => {
    const fields = room.doc.getMap<unknown>('fields')
    if (diff(fields, wanted).length === 0) {
      await room.durable() // "unchanged" must mean "already stored", not just "in memory"
      return `patient ${patientId} unchanged`
    }
    const now = ctx.clock.now()
    await ctx.registry.update((data) => {
      const patient = activePatient(data, patientId, 'PID', 3)
      if (wanted.name !== undefined) patient.name = wanted.name
      patient.updatedBy = 'SYSTEM'
      patient.updatedAt = now
    })
    // Computed inside the write, so `from` is what the form held at that instant.
    let changes: FieldChange[] = []
    // Durable before the ACK: the sender will not resend what we acknowledged.
    await room.serverWrite(
      () => {
        changes = diff(fields, wanted)
        for (const c of changes) fields.set(c.field, c.to)
      },
      { announced: true },
    )
    await ctx.projector.patient(patientId)
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'hl7.patient-update',
      subject: { type: 'patient', id: patientId },
      patientId,
      outcome: 'success',
      details: { changes },
    })
    announceSystemChange(
      ctx,
      { type: 'patient', id: patientId },
      changes,
      now,
      labelOf(PATIENT_FORM),
    )
    if (wanted.name !== undefined) {
      for (const s of studiesOf(ctx.registry.read(), patientId))
        worklistChanged(ctx, s.accession, 'updated')
    }
    return `patient ${patientId} updated`
  })
}

async function mergePatients(
  ctx: DomainContext,
  actor: SystemActor,
  source: string,
  into: string,
): Promise<string> {
  const data = ctx.registry.read()
  activePatient(data, source, 'MRG', 1)
  activePatient(data, into, 'PID', 3)
  const result = await mergePatient(ctx, actor, source, into)
  return `patient ${source} merged into ${into} (${result.movedStudies.length} studies moved)`
}

function studiesOf(data: RegistryData, patientId: string): StudyRecord[] {
  return data.studies.filter((s) => s.patientId === patientId && s.lifecycle === 'active')
}

function messageOf(header: Hl7Header | null): Record<string, string> {
  if (!header) return {}
  return {
    messageType: `${header.messageCode}^${header.triggerEvent}`,
    controlId: header.controlId,
    sendingApplication: header.sendingApplication.namespaceId,
  }
}
