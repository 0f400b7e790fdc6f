/**
 * Merge and delete of studies and patients (S21–S23, DESIGN §4). The source
 * becomes a tombstone in one registry update; every sync connection to its
 * documents is closed at once with 4410 and the reason (so no edit slips in
 * as a mere 4409 while we project and audit); it leaves every worklist; and
 * everyone who had it open is told with a blocking notice. A patient's
 * studies follow a merge and go with a delete.
 */
import type { PersonRef } from '../../shared/domain.ts'
import { CloseCode, type GoneReason } from '../../shared/protocol.ts'
import { badRequest } from '../http/errors.ts'
import type { PatientRecord, RegistryData, StudyRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import { auditWho, plural, requireMergeDelete, worklistChanged } from './command-support.ts'
import {
  type Actor,
  actorName,
  actorRef,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
} from './context.ts'
import { conflict, gone, patientNotFound } from './errors.ts'
import { notifyUsers, notifyViewers } from './notify.ts'
import { usableStudy } from './open-close.ts'
import { type StudyState, studyStateOf } from './projector.ts'

type By = PersonRef | 'SYSTEM'
type Subject = { type: 'study' | 'patient'; id: string }

export interface GoneResult {
  lifecycle: 'deleted' | 'merged'
  mergedInto?: string
  by: By
  at: string
}

/** A WebSocket close reason holds at most 123 bytes (RFC 6455 §5.5). */
const CLOSE_REASON_MAX_BYTES = 123

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

/** The 4410 close reason JSON (API.md "Sync"), cut to fit a close frame without breaking the JSON. */
export function goneReasonText(reason: GoneReason): string {
  const fits = (text: string) => Buffer.byteLength(text) <= CLOSE_REASON_MAX_BYTES
  const full = JSON.stringify(reason)
  if (fits(full) || reason.by === 'SYSTEM') return full
  const { id, name } = reason.by
  const short = JSON.stringify({ ...reason, by: { id: id.slice(0, 16), name: name.slice(0, 16) } })
  if (fits(short)) return short
  // Only pathological ids get here: the client still learns what happened and to what.
  const { by: _by, ...rest } = reason
  return JSON.stringify(rest)
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

const studySubject = (accession: string): Subject => ({ type: 'study', id: accession })
const patientSubject = (patientId: string): Subject => ({ type: 'patient', id: patientId })

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

/**
 * Closes every sync connection to the subject's documents with 4410 and forgets
 * its REST opens. Returns who had it open: those `usersWith` saw before the
 * close plus those the close reached.
 */
function closeSubject(ctx: DomainContext, subject: Subject, reason: GoneReason): Set<string> {
  const users = ctx.viewers.usersWith(subject)
  const prefix = `${subject.type}/${subject.id}`
  for (const id of ctx.closeDocuments(prefix, CloseCode.gone, goneReasonText(reason))) users.add(id)
  if (subject.type === 'study') ctx.viewers.forget(subject.id)
  return users
}

/** forced-close to every tab that had it open; a blocking notice to everyone but the author. */
function announceGone(
  ctx: DomainContext,
  actor: Actor,
  subject: Subject,
  reason: GoneReason,
  users: Set<string>,
  now: number,
  suffix = '',
): void {
  const mergedInto = reason.mergedInto ? { mergedInto: reason.mergedInto } : {}
  ctx.hub.publishMany(users, {
    type: 'forced-close',
    data: { subject, reason: reason.reason, by: reason.by, at: reason.at, ...mergedInto },
  })
  const what = reason.reason === 'merged' ? `merged into ${reason.mergedInto}` : 'deleted'
  const others = new Set(users)
  if (actor.kind === 'user') others.delete(actor.identity.id)
  notifyUsers(ctx, others, {
    kind: `${subject.type}.${reason.reason}`,
    tier: 'blocking',
    subject,
    by: reason.by,
    at: reason.at,
    text: `${subject.type} ${subject.id} ${what} by ${actorName(actor)} at ${clockTime(now)}${suffix}`,
    details: { ...mergedInto },
  })
  if (subject.type === 'study') worklistChanged(ctx, subject.id, 'removed')
}

type Counts = Record<'imageCount' | 'srCount', { from: number; to: number }>

/** Viewers of the target see what the merge brought (toast). */
function announceMergedIn(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  into: string,
  counts: Counts,
  now: number,
): void {
  const added = counts.imageCount.to - counts.imageCount.from
  notifyViewers(
    ctx,
    {
      kind: 'study.merged-in',
      tier: 'toast',
      subject: studySubject(into),
      by: actorRef(actor),
      at: iso(now),
      changes: [
        { field: 'imageCount', ...counts.imageCount },
        { field: 'srCount', ...counts.srCount },
      ],
      text: `study ${accession} merged into study ${into} by ${actorName(actor)} at ${clockTime(now)}: ${plural(added, 'image')} added (now ${counts.imageCount.to})`,
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, into, 'updated')
}

function announceMove(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  from: string,
  to: string,
  now: number,
): void {
  notifyViewers(
    ctx,
    {
      kind: 'study.patient-changed',
      tier: 'toast',
      subject: studySubject(accession),
      by: actorRef(actor),
      at: iso(now),
      changes: [{ field: 'patientId', from, to }],
      text: `Patient ${from} → ${to} by ${actorName(actor)} at ${clockTime(now)} on study ${accession} (patient ${from} merged into ${to})`,
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, accession, 'updated')
}
