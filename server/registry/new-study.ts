/**
 * A study as it enters the registry (an HL7 order, the demo seed): nobody assigned, no
 * images, no claim, no group, revision 1. Callers give what the source knows; the rest
 * starts here, in one place, so a new StudyRecord field gets one default.
 */
import type { StudyRecord } from './types.ts'

export type NewStudyFields = Pick<
  StudyRecord,
  'accession' | 'patientId' | 'modality' | 'priority' | 'description' | 'studyDate' | 'status'
> &
  Partial<StudyRecord>

export function newStudyRecord(fields: NewStudyFields, now: number): StudyRecord {
  return {
    readingPhysician: null,
    performingPhysician: null,
    technologist: null,
    transcriptionist: null,
    imageCount: 0,
    srCount: 0,
    imageUids: [],
    srUids: [],
    group: null,
    claim: null,
    lifecycle: 'active',
    mergedInto: null,
    rev: 1,
    updatedBy: 'SYSTEM',
    updatedAt: now,
    ...fields,
  }
}
