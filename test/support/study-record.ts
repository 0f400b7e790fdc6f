/** A complete, plausible study record for unit tests that build registries by hand. */
import type { StudyRecord } from '../../server/registry/types.ts'

export function testStudy(accession: string, overrides: Partial<StudyRecord> = {}): StudyRecord {
  return {
    accession,
    patientId: 'P1',
    modality: 'CT',
    priority: 'ROUTINE',
    description: '',
    studyDate: '2026-11-20',
    status: 'ready-to-read',
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
    updatedAt: 0,
    ...overrides,
  }
}
