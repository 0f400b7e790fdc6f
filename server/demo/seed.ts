/**
 * The demo site (API.md "Running", STUDYSYNC_DEMO=1): the promised users, ~30
 * patients and ~200 studies in every workflow status, plus the initial Yjs form
 * document of every study and patient. Pure and deterministic: the same options
 * (seed and `now`) build the same site, byte for byte, so tests and screenshots
 * can rely on it. Report and state documents are not seeded; the server derives
 * state from the registry records.
 */
import * as Y from 'yjs'
import type { PersonRef } from '../../shared/domain.ts'
import { type FormSchema, PATIENT_FORM, STUDY_FORM } from '../../shared/schema.ts'
import type { PatientRecord, StudyRecord, UserRecord } from '../registry/types.ts'
import { createRng } from './prng.ts'
import { buildAccessDemo, type DemoAccess } from './seed-access.ts'
import { DEMO_USERS, type FormValues } from './seed-data.ts'
import { buildPatients } from './seed-patients.ts'
import { buildStudies, type Staff } from './seed-studies.ts'

export interface DemoSite {
  users: UserRecord[]
  patients: PatientRecord[]
  studies: StudyRecord[]
  /** Initial Yjs update per document name (`study/<accession>`, `patient/<patientId>`). */
  docs: Map<string, Uint8Array>
  /** Groups, grants, transfers, buckets and reference numbers for the Access tab (seed 002). */
  access: DemoAccess
}

export interface DemoSiteOptions {
  /** Called once; the hash is shared by every demo user (hashing is deliberately slow). */
  hashPassword: (pw: string) => string
  password: string
  /** Epoch ms that "today" is measured from. */
  now: number
  seed?: number
}

export const DEFAULT_DEMO_SEED = 20_240_601

/** Builds the demo site; see the module comment. Call only on an empty data dir. */
export function buildDemoSite(opts: DemoSiteOptions): DemoSite {
  const rng = createRng(opts.seed ?? DEFAULT_DEMO_SEED)
  const users = buildUsers(opts.hashPassword(opts.password))
  const patients = buildPatients(rng, opts.now)
  const studies = buildStudies(rng, patients, staffOf(users), opts.now)
  const docs = new Map<string, Uint8Array>()
  for (const p of patients) {
    docs.set(`patient/${p.record.id}`, encodeForm(PATIENT_FORM, p.fields, rng.uint32()))
  }
  for (const s of studies) {
    docs.set(`study/${s.record.accession}`, encodeForm(STUDY_FORM, s.fields, rng.uint32()))
  }
  return {
    users,
    patients: patients.map((p) => p.record),
    studies: studies.map((s) => s.record),
    docs,
    access: buildAccessDemo(
      studies.map((s) => s.record),
      users,
      opts.now,
    ),
  }
}

function buildUsers(passwordHash: string): UserRecord[] {
  return DEMO_USERS.map((spec) => ({
    id: `u-${spec.username}`,
    username: spec.username,
    name: spec.username.toUpperCase(),
    role: spec.role,
    privileges: [...spec.privileges],
    passwordHash,
    groups: [...spec.groups],
    disabled: false,
  }))
}

function staffOf(users: readonly UserRecord[]): Staff {
  const ref = (username: string): PersonRef => {
    const user = users.find((u) => u.username === username)
    if (!user) throw new Error(`demo user ${username} missing from DEMO_USERS`)
    return { id: user.id, name: user.name }
  }
  return {
    readers: [ref('bose'), ref('huyen')],
    perf: ref('perf'),
    tech: ref('tech'),
    trans: ref('trans'),
  }
}

/**
 * One fresh Y.Doc per form, with a seeded client id so the bytes are reproducible.
 * Text fields are Y.Text even when empty: clients bind editors to them and must
 * not race to create them.
 */
function encodeForm(form: FormSchema, values: FormValues, clientID: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const fields = doc.getMap<unknown>('fields')
  doc.transact(() => {
    for (const [key, value] of Object.entries(values)) {
      fields.set(key, form[key]?.kind === 'text' ? new Y.Text(value) : value)
    }
  })
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}
