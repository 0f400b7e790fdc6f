/**
 * Who may read and write which document. One place decides, so the sync
 * dispatcher, the access watcher and the HTTP layer cannot disagree: the role's
 * baseline (roles.ts), raised by per-study grants, bucket shares and
 * break-the-glass (S30, S31); a patient's reference-number session reads its one
 * study and nothing else (S32). Time-bound rules use `now` from the injected clock.
 */

import type { UserIdentity } from '../../shared/domain.ts'
import type { DocName } from '../../shared/protocol.ts'
import { grantsOn, groupIdsOf, studyByAccession, userById } from '../registry/lookup.ts'
import type {
  AccessGrant,
  BreakGlassRecord,
  ReferenceNumberRecord,
  RegistryData,
  StudyRecord,
} from '../registry/types.ts'
import { type Level, maxLevel, ROLE_POLICY } from './roles.ts'

export type DocAccess =
  | { kind: 'allowed'; write: boolean }
  | { kind: 'forbidden' }
  | { kind: 'missing' }
  | { kind: 'gone'; lifecycle: 'deleted' | 'merged'; mergedInto: string | null }

/** A patient session's user id is this prefix and the reference number's id. */
export const PATIENT_ID_PREFIX = 'patient:'

/**
 * May this signed-in user see a study or patient at all? For live events that
 * go to many users (presence, worklist rows): nobody learns of a study they
 * could not open.
 */
export function userMaySee(
  data: RegistryData,
  userId: string,
  subject: { type: 'study' | 'patient'; id: string },
  now: number,
): boolean {
  const user = userById(data, userId)
  if (!user) return false
  const identity = { id: user.id, name: user.name, role: user.role }
  const doc =
    subject.type === 'study'
      ? ({ kind: 'study', accession: subject.id } as DocName)
      : ({ kind: 'patient', patientId: subject.id } as DocName)
  return docAccess(identity, doc, data, now).kind === 'allowed'
}

export function docAccess(
  user: UserIdentity,
  doc: DocName,
  data: RegistryData,
  now: number,
): DocAccess {
  const role = ROLE_POLICY[user.role]
  switch (doc.kind) {
    case 'worklist':
      // The worklist document lists every study: only roles that see them all read it.
      return role.worklist === 'all' ? readOnly : forbidden
    case 'study':
    case 'studyReport':
    case 'studyState':
      return role.scoped
        ? patientStudyAccess(user, doc, data, now)
        : studyAccess(user, doc, data, now)
    case 'patient':
    case 'patientState': {
      // Role first: someone without access must not learn whether an id exists.
      if (role.patientForm === 'none') return forbidden
      const patient = data.patients.find((p) => p.id === doc.patientId)
      if (!patient) return missing
      if (patient.lifecycle !== 'active')
        return { kind: 'gone', lifecycle: patient.lifecycle, mergedInto: patient.mergedInto }
      return { kind: 'allowed', write: doc.kind === 'patient' && role.patientForm === 'edit' }
    }
  }
}

type StudyDoc = DocName & { kind: 'study' | 'studyReport' | 'studyState' }

function studyAccess(
  user: UserIdentity,
  doc: StudyDoc,
  data: RegistryData,
  now: number,
): DocAccess {
  // Role and grants first: someone without access must not learn whether an accession exists.
  const level = studyLevel(user, doc.accession, data, now)
  if (level === 'none') return forbidden
  const study = findStudy(data, doc.accession)
  if (!study) return missing
  if (study.lifecycle !== 'active') return goneOf(study)
  switch (doc.kind) {
    case 'study':
      return { kind: 'allowed', write: level === 'edit' }
    case 'studyReport':
      // Only the reading-claim holder writes the report (S15), whatever the client sends.
      return { kind: 'allowed', write: study.claim?.holder.id === user.id }
    case 'studyState':
      return readOnly
  }
}

/** A patient session: `study/<its accession>` read-only while its reference number is usable. */
function patientStudyAccess(
  user: UserIdentity,
  doc: StudyDoc,
  data: RegistryData,
  now: number,
): DocAccess {
  const ref = patientReference(user.id, data)
  if (!ref || !referenceUsable(ref, now)) return forbidden
  if (doc.kind !== 'study' || doc.accession !== ref.accession) return forbidden
  const study = findStudy(data, doc.accession)
  if (!study) return missing
  return study.lifecycle === 'active' ? readOnly : goneOf(study)
}

/**
 * A user's access to a study's info form: the role's baseline raised by valid grants
 * (view → read; edit and report → write), live bucket shares (read) and an active
 * break-the-glass (read). Scoped (patient) sessions get nothing here.
 */
export function studyLevel(
  user: UserIdentity,
  accession: string,
  data: RegistryData,
  now: number,
): Level {
  const role = ROLE_POLICY[user.role]
  if (role.scoped) return 'none'
  let level = role.study
  if (level === 'edit') return level
  const groups = groupIdsOf(data, user.id)
  const mine = (id: string | null) => id !== null && (id === user.id || groups.has(id))
  for (const g of grantsOn(data, accession)) {
    if (!grantValid(g, now)) continue
    if (mine(g.userId) || mine(g.groupId))
      level = maxLevel(level, g.type === 'view' ? 'view' : 'edit')
  }
  if (level !== 'none') return level
  const shared = data.buckets.some(
    (b) => b.revokedAt === null && b.accessions.includes(accession) && b.sharedWith.some(mine),
  )
  const unlocked = data.breakGlass.some(
    (b) => b.accession === accession && b.user.id === user.id && breakGlassActive(b, now),
  )
  return shared || unlocked ? 'view' : 'none'
}

export function grantValid(grant: AccessGrant, now: number): boolean {
  return grant.revokedAt === null && (grant.validUntil === null || grant.validUntil > now)
}

export function breakGlassActive(record: BreakGlassRecord, now: number): boolean {
  return record.at <= now && now < record.expiresAt
}

/** Whether sessions opened with this number may read its study now (lockout stops new logins only). */
export function referenceUsable(ref: ReferenceNumberRecord, now: number): boolean {
  return ref.withdrawnAt === null && ref.compliant && ref.validFrom <= now && now < ref.validTo
}

/** The reference number behind a patient session's user id, if any. */
export function patientReference(
  userId: string,
  data: RegistryData,
): ReferenceNumberRecord | undefined {
  if (!userId.startsWith(PATIENT_ID_PREFIX)) return undefined
  const id = userId.slice(PATIENT_ID_PREFIX.length)
  return data.referenceNumbers.find((r) => r.id === id)
}

export function findStudy(data: RegistryData, accession: string): StudyRecord | undefined {
  return studyByAccession(data, accession)
}

function goneOf(study: StudyRecord): DocAccess {
  return {
    kind: 'gone',
    lifecycle: study.lifecycle as 'deleted' | 'merged',
    mergedInto: study.mergedInto,
  }
}

const readOnly: DocAccess = { kind: 'allowed', write: false }
const forbidden: DocAccess = { kind: 'forbidden' }
const missing: DocAccess = { kind: 'missing' }
