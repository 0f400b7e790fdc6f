/**
 * HL7 orders (ORM^O01, OMI^O23) as SYSTEM: a new accession creates its study
 * (and its patient when unknown), a known one gets the changed fields, and a
 * cancelled order deletes its study. Refusals are decided before any write.
 */
import * as Y from 'yjs'
import type { Modality } from '../../shared/domain.ts'
import { STUDY_FORM } from '../../shared/schema.ts'
import type { Hl7Command } from '../hl7/types.ts'
import { newStudyRecord } from '../registry/new-study.ts'
import type { PatientRecord, RegistryData, StudyRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import { auditWho, worklistChanged } from './command-support.ts'
import { type DomainContext, findStudyIn, iso } from './context.ts'
import {
  activePatient,
  announceSystemChange,
  diff,
  type FieldChange,
  Hl7Refusal,
  labelOf,
  type SystemActor,
  setAll,
  unknownKey,
} from './hl7-changes.ts'
import { deleteStudy } from './lifecycle.ts'

type OrderUpsert = Extract<Hl7Command, { kind: 'orderUpsert' }>

/** ORC-1 values that withdraw an order: CA (cancel request), OC (order cancelled by the filler). */
const CANCELS: ReadonlySet<string> = new Set(['CA', 'OC'])

/** Applies one order command; resolves with the ACK's summary text. */
export function applyOrder(
  ctx: DomainContext,
  actor: SystemActor,
  order: OrderUpsert,
): Promise<string> {
  return CANCELS.has(order.orderControl)
    ? cancelOrder(ctx, actor, order)
    : upsertOrder(ctx, actor, order)
}

async function cancelOrder(
  ctx: DomainContext,
  actor: SystemActor,
  order: OrderUpsert,
): Promise<string> {
  existingStudy(ctx.registry.read(), order)
  await deleteStudy(ctx, actor, order.accession)
  return `order ${order.accession} cancelled: study deleted`
}

async function upsertOrder(
  ctx: DomainContext,
  actor: SystemActor,
  order: OrderUpsert,
): Promise<string> {
  const data = ctx.registry.read()
  const known = findStudyIn(data, order.accession)
  if (!known) return createOrder(ctx, actor, order)
  existingStudy(data, order)
  return changeOrder(ctx, actor, order)
}

/** The study an order names: it must exist, be active and belong to the order's patient. */
function existingStudy(data: RegistryData, order: OrderUpsert): StudyRecord {
  const study = findStudyIn(data, order.accession)
  if (!study) throw unknownKey('OBR', 18, `unknown order ${order.accession}`)
  if (study.lifecycle !== 'active') {
    const into = study.mergedInto ? ` into ${study.mergedInto}` : ''
    throw unknownKey('OBR', 18, `study ${order.accession} was ${study.lifecycle}${into}`)
  }
  if (study.patientId !== order.patientId) {
    throw unknownKey(
      'PID',
      3,
      `study ${order.accession} belongs to patient ${study.patientId}, not ${order.patientId}`,
    )
  }
  return study
}

async function createOrder(
  ctx: DomainContext,
  actor: SystemActor,
  order: OrderUpsert,
): Promise<string> {
  const modality = order.modality
  if (!modality)
    throw new Hl7Refusal(
      { segment: 'OBR', field: 24, condition: '101' },
      `OBR-24 modality is needed to create study ${order.accession}`,
    )
  const now = ctx.clock.now()
  const patientCreated = await ctx.registry.update((data) => {
    if (findStudyIn(data, order.accession))
      throw new Hl7Refusal(
        { condition: '207' },
        `study ${order.accession} was created meanwhile; resend`,
      )
    const patient = data.patients.find((p) => p.id === order.patientId)
    if (patient) activePatient(data, order.patientId, 'PID', 3)
    else data.patients.push(newPatient(order, now))
    data.studies.push(newStudy(order, modality, now))
    return !patient
  })
  if (patientCreated) {
    await ctx.rooms.with(`patient/${order.patientId}`, (room) =>
      room.serverWrite((doc) => setAll(doc.getMap('fields'), { ...order.patient }), {
        announced: true,
      }),
    )
  }
  await ctx.rooms.with(`study/${order.accession}`, (room) =>
    room.serverWrite(
      (doc) => {
        const fields = doc.getMap<unknown>('fields')
        setAll(fields, {
          priority: order.priority ?? 'ROUTINE',
          description: order.description ?? '',
          referringPhysician: order.referringPhysician ?? '',
        })
        fields.set('clinicalHistory', new Y.Text())
        fields.set('notes', new Y.Text())
      },
      { announced: true },
    ),
  )
  await ctx.projector.study(order.accession)
  if (patientCreated)
    await recordCreation(ctx, actor, 'patient', order.patientId, order.patientId, {
      ...order.patient,
    })
  await recordCreation(ctx, actor, 'study', order.accession, order.patientId, {
    modality,
    priority: order.priority ?? 'ROUTINE',
    description: order.description ?? '',
    orderControl: order.orderControl,
  })
  worklistChanged(ctx, order.accession, 'added')
  return `study ${order.accession} created${patientCreated ? ` with new patient ${order.patientId}` : ''}`
}

/** A known order: the changed form fields are written into the study form, summaries into the registry. */
async function changeOrder(
  ctx: DomainContext,
  actor: SystemActor,
  order: OrderUpsert,
): Promise<string> {
  const wanted = formValuesOf(order)
  return ctx.rooms.with(`study/${order.accession}`, async (room) => {
    const fields = room.doc.getMap<unknown>('fields')
    const before = findStudyIn(ctx.registry.read(), order.accession)!
    if (diff(fields, wanted).length === 0 && recordChanges(before, order).length === 0) {
      await room.durable() // "unchanged" must mean "already stored", not just "in memory"
      return `study ${order.accession} unchanged`
    }
    const now = ctx.clock.now()
    const { recordChanged, study } = await ctx.registry.update((data) => {
      const study = existingStudy(data, order)
      const recordChanged = recordChanges(study, order)
      if (order.modality) study.modality = order.modality
      if (order.scheduledAt) study.studyDate = order.scheduledAt.slice(0, 10)
      if (order.priority) study.priority = order.priority
      if (order.description !== undefined) study.description = order.description
      bump(study, 'SYSTEM', now)
      return { recordChanged, study: structuredClone(study) }
    })
    let changes: FieldChange[] = []
    // Durable before the ACK: the sender will not resend what we acknowledged.
    await room.serverWrite(
      () => {
        changes = diff(fields, wanted)
        for (const c of changes) fields.set(c.field, c.to)
      },
      { announced: true },
    )
    changes = [...changes, ...recordChanged]
    await ctx.projector.study(order.accession)
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'hl7.order-update',
      subject: { type: 'study', id: order.accession },
      patientId: study.patientId,
      outcome: 'success',
      details: { orderControl: order.orderControl, changes },
    })
    announceSystemChange(
      ctx,
      { type: 'study', id: order.accession },
      changes,
      now,
      labelOf(STUDY_FORM),
    )
    worklistChanged(ctx, order.accession, 'updated')
    return `study ${order.accession} updated`
  })
}

function formValuesOf(order: OrderUpsert): Partial<Record<string, string>> {
  return {
    ...(order.priority ? { priority: order.priority } : {}),
    ...(order.description !== undefined ? { description: order.description } : {}),
    ...(order.referringPhysician !== undefined
      ? { referringPhysician: order.referringPhysician }
      : {}),
  }
}

/** Changes to what only the registry keeps (not form fields): modality and study date. */
function recordChanges(study: StudyRecord, order: OrderUpsert): FieldChange[] {
  const changes: FieldChange[] = []
  if (order.modality && order.modality !== study.modality)
    changes.push({ field: 'modality', from: study.modality, to: order.modality })
  const date = order.scheduledAt?.slice(0, 10)
  if (date && date !== study.studyDate)
    changes.push({ field: 'studyDate', from: study.studyDate, to: date })
  return changes
}

function newPatient(order: OrderUpsert, now: number): PatientRecord {
  return {
    id: order.patientId,
    name: order.patient?.name ?? '',
    lifecycle: 'active',
    mergedInto: null,
    createdAt: now,
    updatedBy: 'SYSTEM',
    updatedAt: now,
  }
}

function newStudy(order: OrderUpsert, modality: Modality, now: number): StudyRecord {
  return newStudyRecord(
    {
      accession: order.accession,
      patientId: order.patientId,
      modality,
      priority: order.priority ?? 'ROUTINE',
      description: order.description ?? '',
      studyDate: order.scheduledAt?.slice(0, 10) ?? iso(now).slice(0, 10),
      status: 'scheduled',
    },
    now,
  )
}

async function recordCreation(
  ctx: DomainContext,
  actor: SystemActor,
  type: 'study' | 'patient',
  id: string,
  patientId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await ctx.audit.append({
    ...auditWho(actor),
    action: `hl7.${type}-create`,
    subject: { type, id },
    patientId,
    outcome: 'success',
    details,
  })
}
