/**
 * Demo studies: visits (a patient's studies on one day) dealt across the last
 * two weeks, with assignments, image and SR counts that fit each study's status.
 */
import {
  type Modality,
  type PersonRef,
  type Priority,
  STUDY_STATUSES,
  type StudyStatus,
} from '../../shared/domain.ts'
import { newStudyRecord } from '../registry/new-study.ts'
import type { StudyRecord } from '../registry/types.ts'
import { deal, type Rng } from './prng.ts'
import {
  DAY_MS,
  type FormValues,
  IMAGE_RANGES,
  MG_MIN_AGE,
  MODALITY_WEIGHTS,
  MULTI_STUDY_VISITS,
  NOTES,
  PHYSICIAN_PERFORMED,
  PRIORITY_WEIGHTS,
  PROCEDURES,
  REFERRING_PHYSICIANS,
  SR_MODALITIES,
  STATUS_DAYS_AGO,
  STATUS_WEIGHTS,
  STUDY_COUNT,
} from './seed-data.ts'
import type { SeedPatient } from './seed-patients.ts'

export interface SeedStudy {
  record: StudyRecord
  /** The `fields` of `study/<accession>` (STUDY_FORM). */
  fields: FormValues
}

/** Who the seeded assignments point at. */
export interface Staff {
  readers: readonly PersonRef[]
  perf: PersonRef
  tech: PersonRef
  trans: PersonRef
}

/** A patient's studies on one day: they share a date and a status (grouping candidates). */
interface Visit {
  patient: SeedPatient
  status: StudyStatus
  daysAgo: number
  modalities: Modality[]
}

export function buildStudies(
  rng: Rng,
  patients: readonly SeedPatient[],
  staff: Staff,
  now: number,
): SeedStudy[] {
  const multi = MULTI_STUDY_VISITS.reduce((a, b) => a + b, 0)
  const sizes = rng.shuffle([...MULTI_STUDY_VISITS, ...Array<number>(STUDY_COUNT - multi).fill(1)])
  const statuses = deal(rng, STATUS_WEIGHTS, sizes.length)
  const modalities = deal(rng, MODALITY_WEIGHTS, STUDY_COUNT)
  const priorities = deal(rng, PRIORITY_WEIGHTS, STUDY_COUNT)
  const visits = sizes.map((size, i) =>
    planVisit(rng, patients, statuses[i]!, modalities.splice(0, size)),
  )
  // Oldest first, so accession numbers rise with time as they would at a real site.
  visits.sort((a, b) => b.daysAgo - a.daysAgo)
  const studies: SeedStudy[] = []
  for (const visit of visits) {
    const used = new Set<string>()
    for (const modality of visit.modalities) {
      const accession = `A${10001 + studies.length}`
      const fields = studyFields(rng, modality, used, priorities[studies.length]!)
      const record = studyRecord(rng, { accession, visit, modality, staff, now })
      record.priority = fields.priority as Priority
      record.description = String(fields.description)
      studies.push({ record, fields })
    }
  }
  return studies
}

function planVisit(
  rng: Rng,
  patients: readonly SeedPatient[],
  status: StudyStatus,
  modalities: Modality[],
): Visit {
  const [minDays, maxDays] = STATUS_DAYS_AGO[status]
  const pool = modalities.includes('MG') ? mammographyPool(patients) : patients
  return { patient: rng.pick(pool), status, daysAgo: rng.int(minDays, maxDays), modalities }
}

function mammographyPool(patients: readonly SeedPatient[]): readonly SeedPatient[] {
  const women = patients.filter((p) => p.sex === 'F')
  const ofAge = women.filter((p) => p.age >= MG_MIN_AGE)
  return ofAge.length > 0 ? ofAge : women.length > 0 ? women : patients
}

/** A procedure not yet used in this visit (each modality has more procedures than a visit has studies). */
function studyFields(
  rng: Rng,
  modality: Modality,
  used: Set<string>,
  priority: Priority,
): FormValues {
  const choices = PROCEDURES[modality].filter((p) => !used.has(p.description))
  const procedure = rng.pick(choices.length > 0 ? choices : PROCEDURES[modality])
  used.add(procedure.description)
  return {
    priority,
    description: procedure.description,
    referringPhysician: rng.pick(REFERRING_PHYSICIANS),
    bodyPart: procedure.bodyPart,
    clinicalHistory: rng.chance(0.8) ? rng.pick(procedure.histories) : '',
    notes: rng.chance(0.15) ? rng.pick(NOTES) : '',
  }
}

function studyRecord(
  rng: Rng,
  s: { accession: string; visit: Visit; modality: Modality; staff: Staff; now: number },
): StudyRecord {
  const { status } = s.visit
  return newStudyRecord(
    {
      accession: s.accession,
      patientId: s.visit.patient.record.id,
      modality: s.modality,
      priority: 'ROUTINE',
      description: '',
      studyDate: isoDate(s.now - s.visit.daysAgo * DAY_MS),
      status,
      ...assignments(rng, status, s.modality, s.staff),
      imageCount: imageCount(rng, status, s.modality),
      srCount:
        reached(status, 'ready-to-read') && SR_MODALITIES.includes(s.modality) && rng.chance(0.4)
          ? 1
          : 0,
    },
    s.now,
  )
}

/** Who is on the study follows from how far along the workflow it is. */
function assignments(rng: Rng, status: StudyStatus, modality: Modality, staff: Staff) {
  const acquired = reached(status, 'in-progress')
  return {
    technologist: acquired ? staff.tech : null,
    performingPhysician: acquired && PHYSICIAN_PERFORMED.includes(modality) ? staff.perf : null,
    readingPhysician: readingPhysician(rng, status, staff),
    transcriptionist: reached(status, 'transcribed') ? staff.trans : null,
  }
}

/** Ready-to-read studies are half pre-assigned, half waiting in the unassigned pool. */
function readingPhysician(rng: Rng, status: StudyStatus, staff: Staff): PersonRef | null {
  if (!reached(status, 'ready-to-read')) return null
  if (status === 'ready-to-read' && rng.chance(0.5)) return null
  return rng.pick(staff.readers)
}

/** No images before acquisition starts; a partial set while it is in progress. */
function imageCount(rng: Rng, status: StudyStatus, modality: Modality): number {
  if (!reached(status, 'in-progress')) return 0
  const [min, max] = IMAGE_RANGES[modality]
  const complete = rng.int(min, max)
  return status === 'in-progress' ? rng.int(1, complete) : complete
}

/** True when `status` is `milestone` or later in the workflow (amending counts as after signed). */
function reached(status: StudyStatus, milestone: StudyStatus): boolean {
  return STUDY_STATUSES.indexOf(status) >= STUDY_STATUSES.indexOf(milestone)
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}
