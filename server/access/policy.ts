/**
 * Who may read and write which document. One place decides, so the sync
 * dispatcher and the HTTP layer cannot disagree (issue 6 extends it with
 * per-study grants and break-the-glass).
 */

import type { Role, UserIdentity } from '../../shared/domain.ts'
import type { DocName } from '../../shared/protocol.ts'
import type { RegistryData, StudyRecord } from '../registry/types.ts'

export type DocAccess =
  | { kind: 'allowed'; write: boolean }
  | { kind: 'forbidden' }
  | { kind: 'missing' }
  | { kind: 'gone'; lifecycle: 'deleted' | 'merged'; mergedInto: string | null }

const CLINICAL_STAFF: ReadonlySet<Role> = new Set([
  'radiologist',
  'performingPhysician',
  'technologist',
  'transcriptionist',
  'admin',
  'systemAdmin',
  'system',
])

const PATIENT_EDITORS: ReadonlySet<Role> = new Set([
  'clerk',
  'technologist',
  'admin',
  'systemAdmin',
  'system',
])

const PATIENT_READERS: ReadonlySet<Role> = new Set([...CLINICAL_STAFF, 'clerk'])

export function docAccess(user: UserIdentity, doc: DocName, data: RegistryData): DocAccess {
  switch (doc.kind) {
    case 'worklist':
      return CLINICAL_STAFF.has(user.role) ? { kind: 'allowed', write: false } : forbidden
    case 'study':
    case 'studyReport':
    case 'studyState':
      return studyAccess(user, doc, findStudy(data, doc.accession))
    case 'patient':
    case 'patientState': {
      // Role first: someone without access must not learn whether an id exists.
      if (!PATIENT_READERS.has(user.role)) return forbidden
      const patient = data.patients.find((p) => p.id === doc.patientId)
      if (!patient) return missing
      if (patient.lifecycle !== 'active')
        return { kind: 'gone', lifecycle: patient.lifecycle, mergedInto: patient.mergedInto }
      const write = doc.kind === 'patient' && PATIENT_EDITORS.has(user.role)
      return { kind: 'allowed', write }
    }
  }
}

function studyAccess(
  user: UserIdentity,
  doc: DocName & { kind: 'study' | 'studyReport' | 'studyState' },
  study: StudyRecord | undefined,
): DocAccess {
  // Role first: someone without access must not learn whether an accession exists.
  if (!CLINICAL_STAFF.has(user.role)) return forbidden
  if (!study) return missing
  if (study.lifecycle !== 'active')
    return { kind: 'gone', lifecycle: study.lifecycle, mergedInto: study.mergedInto }
  switch (doc.kind) {
    case 'study':
      return { kind: 'allowed', write: true }
    case 'studyReport':
      // Only the reading-claim holder writes the report (S15), whatever the client sends.
      return { kind: 'allowed', write: study.claim?.holder.id === user.id }
    case 'studyState':
      return { kind: 'allowed', write: false }
  }
}

export function findStudy(data: RegistryData, accession: string): StudyRecord | undefined {
  return data.studies.find((s) => s.accession === accession)
}

const forbidden: DocAccess = { kind: 'forbidden' }
const missing: DocAccess = { kind: 'missing' }
