/**
 * Tables behind the demo site (API.md "Running"). All names, numbers and
 * addresses are fictional; phone numbers use the reserved 555-01xx range.
 */
import {
  type Modality,
  PRIVILEGES,
  type Priority,
  type Privilege,
  type Role,
  type StudyStatus,
} from '../../shared/domain.ts'
import type { ACCOUNT_STATUSES } from '../../shared/schema.ts'

export type AccountStatus = (typeof ACCOUNT_STATUSES)[number]
export type Weights<T> = readonly (readonly [T, number])[]

/** Values written into a form's Y.Map `fields`; the form's text fields become Y.Text. */
export type FormValues = Readonly<Record<string, string>>

export const DAY_MS = 86_400_000

export const PATIENT_COUNT = 30
export const STUDY_COUNT = 200

export interface DemoUserSpec {
  username: string
  role: Role
  privileges: readonly Privilege[]
  groups: readonly string[]
}

const ASSIGN_ALL: readonly Privilege[] = ['assignReadingPhysician', 'assignOtherPersonnel']

/** Exactly the users and privileges API.md promises. */
export const DEMO_USERS: readonly DemoUserSpec[] = [
  { username: 'admin', role: 'systemAdmin', privileges: PRIVILEGES, groups: ['g-admin'] },
  { username: 'bose', role: 'radiologist', privileges: ASSIGN_ALL, groups: ['g-radiology'] },
  { username: 'huyen', role: 'radiologist', privileges: ASSIGN_ALL, groups: ['g-radiology'] },
  { username: 'perf', role: 'performingPhysician', privileges: [], groups: ['g-physicians'] },
  { username: 'tech', role: 'technologist', privileges: [], groups: ['g-technologists'] },
  {
    username: 'trans',
    role: 'transcriptionist',
    privileges: ['assignOtherPersonnel'],
    groups: ['g-transcription'],
  },
  { username: 'clerk', role: 'clerk', privileges: [], groups: ['g-registration'] },
  { username: 'system', role: 'system', privileges: [], groups: ['g-integrations'] },
]

// biome-ignore format: a packed table reads better
export const FAMILY_NAMES = [
  'SMITH', 'NGUYEN', 'GARCIA', 'JOHNSON', 'OKONKWO', 'MUELLER', 'ROSSI', 'KIM', 'HASSAN',
  'OLSEN', 'DUBOIS', 'SANTOS', 'WILLIAMS', 'CHEN', 'MURPHY', 'IVANOV', 'LOPEZ', 'BROWN',
  'SATO', 'COHEN', 'ANDERSSON', 'MENDES', 'PETERSEN', 'KHAN', 'NOVAK', 'FISCHER', 'SILVA',
  'WALKER', 'TANAKA', "O'BRIEN", 'MARTIN', 'SCHMIDT', 'PARK', 'HUGHES', 'DIAZ', 'ADEYEMI',
] as const

// biome-ignore format: a packed table reads better
export const GIVEN_NAMES: Readonly<Record<'F' | 'M', readonly string[]>> = {
  F: ['MARY', 'LINH', 'ELENA', 'AISHA', 'SOFIA', 'HANNA', 'GRACE', 'FATIMA', 'INGRID', 'YUKI',
      'CHLOE', 'ROSA', 'AMARA', 'PRIYA', 'OLGA', 'CLAIRE'],
  M: ['JOHN', 'MINH', 'CARLOS', 'DAVID', 'AHMED', 'LARS', 'MARCO', 'KENJI', 'THOMAS', 'PIOTR',
      'SAMUEL', 'RAFAEL', 'CHINEDU', 'OMAR', 'LUKAS', 'WEI'],
}

export const SEX_WEIGHTS: Weights<'F' | 'M'> = [
  ['F', 1],
  ['M', 1],
]
export const ACCOUNT_WEIGHTS: Weights<AccountStatus> = [
  ['NORMAL', 26],
  ['OVERDUE', 4],
]

// biome-ignore format: a packed table reads better
export const STREETS = [
  'Maple Ave', 'Oak St', 'Lakeview Dr', 'Cedar Ln', 'Harbor Rd', 'Elm St', 'Ridge Rd',
  'Willow Ct', 'Mill St', 'Park Pl',
] as const

export const TOWNS: readonly { town: string; state: string; zip: string; area: string }[] = [
  { town: 'Springfield', state: 'IL', zip: '62704', area: '217' },
  { town: 'Riverton', state: 'WY', zip: '82501', area: '307' },
  { town: 'Fairview', state: 'OR', zip: '97024', area: '503' },
  { town: 'Greenville', state: 'SC', zip: '29601', area: '864' },
  { town: 'Madison', state: 'WI', zip: '53703', area: '608' },
]

// biome-ignore format: a packed table reads better
export const REFERRING_PHYSICIANS = [
  'OKAFOR^CHIDI', 'LINDQVIST^ANNA', 'RAMIREZ^JAVIER', 'NAKAMURA^KENJI', 'BRENNAN^SIOBHAN',
  'PATEL^ANJALI', 'MORRISON^DAVID', 'KOWALSKI^EWA',
] as const

export interface Procedure {
  description: string
  bodyPart: string
  /** Typical reasons for the exam; one is used as the clinical history. */
  histories: readonly string[]
}

// biome-ignore format: one procedure per line
export const PROCEDURES: Readonly<Record<Modality, readonly Procedure[]>> = {
  CR: [
    { description: 'CR CHEST 2 VIEWS', bodyPart: 'CHEST', histories: ['Cough and fever x3 days. r/o pneumonia.', 'Pre-op clearance.', 'SOB, hx CHF.'] },
    { description: 'CR CHEST 1 VIEW PORTABLE', bodyPart: 'CHEST', histories: ['Line placement check.', 'Post-intubation, ETT position.'] },
    { description: 'CR KNEE LEFT 3 VIEWS', bodyPart: 'KNEE', histories: ['Twisting injury playing soccer. Medial joint line tenderness.'] },
    { description: 'CR WRIST RIGHT 3 VIEWS', bodyPart: 'WRIST', histories: ['FOOSH. Snuffbox tenderness, r/o scaphoid fx.'] },
    { description: 'CR ANKLE LEFT 3 VIEWS', bodyPart: 'ANKLE', histories: ['Inversion injury, unable to bear weight.'] },
    { description: 'CR LUMBAR SPINE 2 VIEWS', bodyPart: 'LSPINE', histories: ['Chronic low back pain, no trauma.'] },
  ],
  CT: [
    { description: 'CT HEAD W/O CONTRAST', bodyPart: 'HEAD', histories: ['Fall from ladder, LOC. r/o bleed.', 'Sudden severe headache.', 'Acute confusion, on warfarin.'] },
    { description: 'CT CHEST W CONTRAST', bodyPart: 'CHEST', histories: ['Staging, known lung adenocarcinoma.', 'Pulmonary nodule follow-up.'] },
    { description: 'CT ABDOMEN PELVIS W CONTRAST', bodyPart: 'ABDOMEN', histories: ['RLQ pain, fever, WBC 14. r/o appendicitis.', 'Abdominal pain and vomiting.'] },
    { description: 'CT CERVICAL SPINE W/O CONTRAST', bodyPart: 'CSPINE', histories: ['MVC, midline neck tenderness.'] },
    { description: 'CTA CHEST PE PROTOCOL', bodyPart: 'CHEST', histories: ['Pleuritic chest pain, tachycardia, D-dimer elevated.'] },
  ],
  MR: [
    { description: 'MR BRAIN W/WO CONTRAST', bodyPart: 'BRAIN', histories: ['New-onset seizure.', 'MS follow-up.'] },
    { description: 'MR KNEE LEFT', bodyPart: 'KNEE', histories: ['Locking and giving way. r/o meniscal tear.'] },
    { description: 'MR KNEE RIGHT', bodyPart: 'KNEE', histories: ['Skiing injury, r/o ACL tear.'] },
    { description: 'MR LUMBAR SPINE W/O CONTRAST', bodyPart: 'LSPINE', histories: ['L5 radiculopathy, failed conservative tx.'] },
    { description: 'MR SHOULDER RIGHT', bodyPart: 'SHOULDER', histories: ['Weakness on abduction, r/o rotator cuff tear.'] },
  ],
  US: [
    { description: 'US ABDOMEN COMPLETE', bodyPart: 'ABDOMEN', histories: ['Elevated LFTs.', 'RUQ pain after fatty meals.'] },
    { description: 'US RENAL BILATERAL', bodyPart: 'KIDNEY', histories: ['Rising creatinine.'] },
    { description: 'US THYROID', bodyPart: 'THYROID', histories: ['Palpable thyroid nodule.'] },
    { description: 'US VENOUS DOPPLER LEFT LEG', bodyPart: 'LEG', histories: ['Left calf swelling, r/o DVT.'] },
  ],
  MG: [
    { description: 'MG SCREENING BILATERAL', bodyPart: 'BREAST', histories: ['Annual screening. No complaints.'] },
    { description: 'MG DIAGNOSTIC BILATERAL', bodyPart: 'BREAST', histories: ['Palpable lump L breast 2 o\'clock.'] },
    { description: 'MG DIAGNOSTIC LEFT', bodyPart: 'BREAST', histories: ['Screening callback, L breast asymmetry.'] },
    { description: 'MG DIAGNOSTIC RIGHT', bodyPart: 'BREAST', histories: ['Focal pain R breast, 2 weeks.'] },
  ],
}

/** Occasional technologist or front-desk notes; most studies have none. */
export const NOTES = [
  'Prior outside study on CD, requested for comparison.',
  'Creatinine 1.4, contrast discussed with referring.',
  'Interpreter needed (Spanish).',
  'Wheelchair; limited positioning.',
  'Patient anxious, prefers the door open.',
] as const

export const MODALITY_WEIGHTS: Weights<Modality> = [
  ['CR', 60],
  ['CT', 50],
  ['MR', 35],
  ['US', 35],
  ['MG', 20],
]
export const PRIORITY_WEIGHTS: Weights<Priority> = [
  ['ROUTINE', 150],
  ['URGENT', 35],
  ['STAT', 10],
  ['CRITFIND', 5],
]

// biome-ignore format: a packed table reads better
/** Per visit (a patient's studies on one day share a status). */
export const STATUS_WEIGHTS: Weights<StudyStatus> = [
  ['scheduled', 12], ['arrived', 10], ['in-progress', 8], ['ready-to-read', 20], ['read', 10],
  ['dictated', 10], ['transcribed', 10], ['signed', 18], ['amending', 2],
]

/** How many days ago a study in each status can plausibly have been done. */
export const STATUS_DAYS_AGO: Readonly<Record<StudyStatus, readonly [number, number]>> = {
  scheduled: [0, 0],
  arrived: [0, 0],
  'in-progress': [0, 0],
  'ready-to-read': [0, 2],
  read: [0, 4],
  dictated: [1, 6],
  transcribed: [1, 8],
  signed: [2, 13],
  amending: [3, 13],
}

/** Multi-study visits (grouping candidates); the rest of STUDY_COUNT are single studies. */
export const MULTI_STUDY_VISITS = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3] as const

/** Images per complete study. */
export const IMAGE_RANGES: Readonly<Record<Modality, readonly [number, number]>> = {
  CR: [1, 4],
  CT: [120, 640],
  MR: [180, 900],
  US: [12, 60],
  MG: [4, 8],
}

/** Modalities where a physician performs the exam, and ones that usually carry an SR. */
export const PHYSICIAN_PERFORMED: readonly Modality[] = ['US', 'MR']
export const SR_MODALITIES: readonly Modality[] = ['CT', 'US']

/** Mammography goes to women of screening age (when the cohort has any). */
export const MG_MIN_AGE = 40
