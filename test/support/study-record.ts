/** A complete, plausible study record for unit tests that build registries by hand. */
import { newStudyRecord } from '../../server/registry/new-study.ts'
import type { StudyRecord } from '../../server/registry/types.ts'

export function testStudy(accession: string, overrides: Partial<StudyRecord> = {}): StudyRecord {
  const base = {
    accession,
    patientId: 'P1',
    modality: 'CT',
    priority: 'ROUTINE',
    description: '',
    studyDate: '2026-11-20',
    status: 'ready-to-read',
  } as const
  return newStudyRecord({ ...base, ...overrides }, 0)
}
