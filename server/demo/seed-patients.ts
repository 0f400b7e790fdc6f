/** Demo patients: DICOM-style names, plausible demographics, mostly NORMAL accounts. */
import type { PatientRecord } from '../registry/types.ts'
import { deal, type Rng } from './prng.ts'
import {
  ACCOUNT_WEIGHTS,
  type AccountStatus,
  DAY_MS,
  FAMILY_NAMES,
  type FormValues,
  GIVEN_NAMES,
  PATIENT_COUNT,
  SEX_WEIGHTS,
  STREETS,
  TOWNS,
} from './seed-data.ts'

export interface SeedPatient {
  record: PatientRecord
  /** The `fields` of `patient/<id>` (PATIENT_FORM). */
  fields: FormValues
  sex: 'F' | 'M'
  age: number
}

export function buildPatients(rng: Rng, now: number): SeedPatient[] {
  const families = rng.shuffle(FAMILY_NAMES).slice(0, PATIENT_COUNT)
  const sexes = deal(rng, SEX_WEIGHTS, PATIENT_COUNT)
  const accounts = deal(rng, ACCOUNT_WEIGHTS, PATIENT_COUNT)
  return families.map((family, i) =>
    buildPatient(rng, now, { id: `P${1001 + i}`, family, sex: sexes[i]!, account: accounts[i]! }),
  )
}

function buildPatient(
  rng: Rng,
  now: number,
  p: { id: string; family: string; sex: 'F' | 'M'; account: AccountStatus },
): SeedPatient {
  const age = rng.int(18, 92)
  const birthYear = new Date(now).getUTCFullYear() - age
  const town = rng.pick(TOWNS)
  const fields: FormValues = {
    name: `${p.family}^${rng.pick(GIVEN_NAMES[p.sex])}`,
    birthDate: `${birthYear}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`,
    sex: p.sex,
    accountStatus: p.account,
    phone: `(${town.area}) 555-01${pad(rng.int(0, 99))}`,
    address: `${rng.int(2, 980)} ${rng.pick(STREETS)}, ${town.town}, ${town.state} ${town.zip}`,
  }
  const createdAt = now - rng.int(30, 3650) * DAY_MS
  const record: PatientRecord = {
    id: p.id,
    name: String(fields.name),
    lifecycle: 'active',
    mergedInto: null,
    createdAt,
    updatedBy: 'SYSTEM',
    updatedAt: createdAt,
  }
  return { record, fields, sex: p.sex, age }
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
