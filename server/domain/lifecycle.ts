/**
 * Merge and delete of studies and patients (S21–S23, DESIGN §4). The source
 * becomes a tombstone in one registry update; every sync connection to its
 * documents is closed at once with 4410 and the reason (so no edit slips in
 * as a mere 4409 while we project and audit); it leaves every worklist; and
 * everyone who had it open is told with a blocking notice. A patient's
 * studies follow a merge and go with a delete.
 */
import type { PersonRef } from '../../shared/domain.ts'
import type { GoneReason } from '../../shared/protocol.ts'
import { badRequest } from '../http/errors.ts'
import type { PatientRecord, RegistryData, StudyRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import { auditWho, requireMergeDelete } from './command-support.ts'
import { type Actor, actorRef, type DomainContext, findStudyIn, iso } from './context.ts'
import { conflict, gone, patientNotFound } from './errors.ts'
import {
  announceGone,
  announceMergedIn,
  announceMove,
  closeSubject,
  patientSubject,
  type Subject,
  studySubject,
} from './lifecycle-notices.ts'
import { usableStudy } from './open-close.ts'
import { type StudyState, studyStateOf } from './projector.ts'

export { goneReasonText } from './lifecycle-notices.ts'

type By = PersonRef | 'SYSTEM'

export interface GoneResult {
  lifecycle: 'deleted' | 'merged'
  mergedInto?: string
  by: By
  at: string
}

export async function deleteStudy(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
): Promise<GoneResult & { accession: string }> {
  requireMergeDelete(actor, 'Deleting a study')
  const now = ctx.clock.now()
  const by = actorRef(actor)
  const study = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    entombStudy(study, 'deleted', null, by, now)
    return structuredClone(study)
  })
  const reason = goneReason('deleted', by, now, null)
  const subject = studySubject(accession)
  const users = closeSubject(ctx, subject, reason)
  await ctx.projector.study(accession)
  await ctx.audit.append({
    ...auditWho(actor),
    action: 'study.delete',
    subject,
    patientId: study.patientId,
    outcome: 'success',
    details: { forcedClose: [...users] },
  })
  announceGone(ctx, actor, subject, reason, users, now)
  return { accession, ...resultOf(reason) }
}

export async function mergeStudy(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  into: string,
): Promise<GoneResult & { accession: string; target: StudyState }> {
  requireMergeDelete(actor, 'Merging a study')
  if (into === accession)
    throw badRequest('A study cannot be merged into itself.', { into: 'is the study being merged' })
  const now = ctx.clock.now()
  const by = actorRef(actor)
  const decision = await ctx.registry.update((data) => {
    const source = usableStudy(findStudyIn(data, accession), accession)
    const target = mergeTarget(findStudyIn(data, into), 'study', into)
    const before = { imageCount: target.imageCount, srCount: target.srCount }
    addMedia(target, source)
    bump(target, by, now)
    entombStudy(source, 'merged', into, by, now)
    return { source: structuredClone(source), target: structuredClone(target), before }
  })
  const { source, target, before } = decision
  const reason = goneReason('merged', by, now, into)
  const subject = studySubject(accession)
  const users = closeSubject(ctx, subject, reason)
  await ctx.projector.study(accession)
  await ctx.projector.study(into)
  const counts = {
    imageCount: { from: before.imageCount, to: target.imageCount },
    srCount: { from: before.srCount, to: target.srCount },
  }
  await ctx.audit.append({
    ...auditWho(actor),
    action: 'study.merge',
    subject,
    patientId: source.patientId,
    outcome: 'success',
    details: { into, targetPatientId: target.patientId, ...counts, forcedClose: [...users] },
  })
  announceGone(ctx, actor, subject, reason, users, now)
  announceMergedIn(ctx, actor, accession, into, counts, now)
  return { accession, ...resultOf(reason), target: studyStateOf(target) }
}

export async function deletePatient(
  ctx: DomainContext,
  actor: Actor,
  patientId: string,
): Promise<GoneResult & { patientId: string; deletedStudies: string[] }> {
  requireMergeDelete(actor, 'Deleting a patient')
  const now = ctx.clock.now()
  const by = actorRef(actor)
  const deletedStudies = await ctx.registry.update((data) => {
    entombPatient(usablePatient(data, patientId), 'deleted', null, by, now)
    const studies = activeStudiesOf(data, patientId)
    for (const study of studies) entombStudy(study, 'deleted', null, by, now)
    return studies.map((s) => s.accession)
  })
  const reason = goneReason('deleted', by, now, null)
  const subject = patientSubject(patientId)
  const closed = [subject, ...deletedStudies.map(studySubject)].map((s) => ({
    subject: s,
    users: closeSubject(ctx, s, reason),
  }))
  await ctx.projector.patient(patientId)
  for (const accession of deletedStudies) await ctx.projector.study(accession)
  for (const { subject: s, users } of closed) {
    await ctx.audit.append({
      ...auditWho(actor),
      action: `${s.type}.delete`,
      subject: s,
      patientId,
      outcome: 'success',
      details:
        s.type === 'patient'
          ? { studies: deletedStudies, forcedClose: [...users] }
          : { cascadeFrom: patientId, forcedClose: [...users] },
    })
  }
  for (const { subject: s, users } of closed) {
    announceGone(
      ctx,
      actor,
      s,
      reason,
      users,
      now,
      s.type === 'study' ? ` (patient ${patientId} deleted)` : '',
    )
  }
  return { patientId, ...resultOf(reason), deletedStudies }
}

/** The patient's active studies move to the surviving patient; the source becomes a tombstone. */
export async function mergePatient(
  ctx: DomainContext,
  actor: Actor,
  patientId: string,
  into: string,
): Promise<GoneResult & { patientId: string; movedStudies: string[] }> {
  requireMergeDelete(actor, 'Merging a patient')
  if (into === patientId)
    throw badRequest('A patient cannot be merged into itself.', {
      into: 'is the patient being merged',
    })
  const now = ctx.clock.now()
  const by = actorRef(actor)
  const movedStudies = await ctx.registry.update((data) => {
    const source = usablePatient(data, patientId)
    mergeTarget(
      data.patients.find((p) => p.id === into),
      'patient',
      into,
    )
    entombPatient(source, 'merged', into, by, now)
    const studies = activeStudiesOf(data, patientId)
    for (const study of studies) {
      study.patientId = into
      bump(study, by, now)
    }
    return studies.map((s) => s.accession)
  })
  const reason = goneReason('merged', by, now, into)
  const subject = patientSubject(patientId)
  const users = closeSubject(ctx, subject, reason)
  await ctx.projector.patient(patientId)
  // Re-projects the worklist rows of every study the target now has, the moved ones included.
  await ctx.projector.patient(into)
  for (const accession of movedStudies) await ctx.projector.study(accession)
  await ctx.audit.append({
    ...auditWho(actor),
    action: 'patient.merge',
    subject,
    patientId,
    outcome: 'success',
    details: { into, movedStudies, forcedClose: [...users] },
  })
  for (const accession of movedStudies) {
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'study.move',
      subject: studySubject(accession),
      patientId: into,
      outcome: 'success',
      details: { from: patientId, to: into, cause: 'patient.merge' },
    })
  }
  announceGone(ctx, actor, subject, reason, users, now)
  for (const accession of movedStudies) announceMove(ctx, actor, accession, patientId, into, now)
  return { patientId, ...resultOf(reason), movedStudies }
}

function goneReason(
  reason: 'deleted' | 'merged',
  by: By,
  now: number,
  mergedInto: string | null,
): GoneReason {
  return { reason, by, at: iso(now), ...(mergedInto ? { mergedInto } : {}) }
}

function resultOf(reason: GoneReason): GoneResult {
  return {
    lifecycle: reason.reason,
    by: reason.by,
    at: reason.at,
    ...(reason.mergedInto ? { mergedInto: reason.mergedInto } : {}),
  }
}

function entombStudy(
  study: StudyRecord,
  lifecycle: 'deleted' | 'merged',
  mergedInto: string | null,
  by: By,
  now: number,
): void {
  study.lifecycle = lifecycle
  study.mergedInto = mergedInto
  study.claim = null
  bump(study, by, now)
}

function entombPatient(
  patient: PatientRecord,
  lifecycle: 'deleted' | 'merged',
  mergedInto: string | null,
  by: By,
  now: number,
): void {
  patient.lifecycle = lifecycle
  patient.mergedInto = mergedInto
  patient.updatedBy = by
  patient.updatedAt = now
}

function usablePatient(data: RegistryData, patientId: string): PatientRecord {
  const patient = data.patients.find((p) => p.id === patientId)
  if (!patient) throw patientNotFound(patientId)
  if (patient.lifecycle !== 'active')
    throw gone(`Patient ${patientId}`, patient.lifecycle, patient.mergedInto)
  return patient
}

/** A merge target must exist (400: the request names nothing) and be active (409: it is in the wrong state). */
function mergeTarget<T extends StudyRecord | PatientRecord>(
  record: T | undefined,
  type: Subject['type'],
  id: string,
): T {
  if (!record)
    throw badRequest(`There is no ${type} ${id} to merge into.`, { into: `unknown ${type}` })
  if (record.lifecycle !== 'active') {
    throw conflict(`The ${type} ${id} was ${record.lifecycle}; merge into an active ${type}.`, {
      lifecycle: record.lifecycle,
      ...(record.mergedInto ? { mergedInto: record.mergedInto } : {}),
    })
  }
  return record
}

function activeStudiesOf(data: RegistryData, patientId: string): StudyRecord[] {
  return data.studies.filter((s) => s.patientId === patientId && s.lifecycle === 'active')
}

/** Images and SR of the source join the target; an instance both hold is counted once. */
function addMedia(target: StudyRecord, source: StudyRecord): void {
  const images = new Set(target.imageUids)
  const srs = new Set(target.srUids)
  target.imageCount += source.imageCount - source.imageUids.filter((u) => images.has(u)).length
  target.srCount += source.srCount - source.srUids.filter((u) => srs.has(u)).length
  target.imageUids = [...new Set([...target.imageUids, ...source.imageUids])]
  target.srUids = [...new Set([...target.srUids, ...source.srUids])]
}
