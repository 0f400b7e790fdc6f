/**
 * docAccess: who may read and write which document, for every role and every
 * document family, against a small registry (API.md "Sync"; SCENARIOS S15, S21–S23).
 */
import { describe, expect, it } from 'vitest'
import { type DocAccess, docAccess } from '../../../server/access/policy.ts'
import {
  emptyRegistry,
  type PatientRecord,
  type RegistryData,
  type StudyRecord,
} from '../../../server/registry/types.ts'
import { ROLES, type Role, type UserIdentity } from '../../../shared/domain.ts'
import { type DocName, isServerOwned, parseDocName } from '../../../shared/protocol.ts'
import { testStudy } from '../../support/study-record.ts'

/** The time every check is made at (grants and unlocks are tested in grants.test.ts). */
const NOW = 1_000_000

const study = (accession: string, overrides: Partial<StudyRecord> = {}): StudyRecord =>
  testStudy(accession, { description: 'CT HEAD', ...overrides })

function patient(id: string, overrides: Partial<PatientRecord> = {}): PatientRecord {
  return {
    id,
    name: 'DOE^JANE',
    lifecycle: 'active',
    mergedInto: null,
    createdAt: 0,
    updatedBy: 'SYSTEM',
    updatedAt: 0,
    ...overrides,
  }
}

const registry: RegistryData = {
  ...emptyRegistry(),
  studies: [
    study('A1'), // nobody holds the reading claim
    study('CLAIMED', {
      claim: { holder: { id: 'u-bose', name: 'BOSE' }, since: 0, view: 'desktop' },
    }),
    study('DEL', { lifecycle: 'deleted' }),
    study('MRG', { lifecycle: 'merged', mergedInto: 'A1' }),
  ],
  patients: [
    patient('P1'),
    patient('PDEL', { lifecycle: 'deleted' }),
    patient('PMRG', { lifecycle: 'merged', mergedInto: 'P1' }),
  ],
}

const as = (role: Role, id = `u-${role}`): UserIdentity => ({ id, name: id.toUpperCase(), role })

function access(user: UserIdentity, name: string): DocAccess {
  const doc = parseDocName(name)
  if (!doc) throw new Error(`test uses a bad doc name ${name}`)
  return docAccess(user, doc, registry, NOW)
}

/** Short form of a verdict for the table: 'rw', 'r', 'forbidden', 'missing', 'gone'. */
function short(a: DocAccess): string {
  if (a.kind === 'allowed') return a.write ? 'rw' : 'r'
  return a.kind
}

const FAMILIES = [
  'study/A1',
  'study/A1/report',
  'study/A1/state',
  'patient/P1',
  'patient/P1/state',
  'worklist',
] as const

// One row per role, columns as FAMILIES (the report column is a study nobody has claimed).
const EXPECTED: Record<Role, readonly string[]> = {
  radiologist: ['rw', 'r', 'r', 'r', 'r', 'r'],
  performingPhysician: ['rw', 'r', 'r', 'r', 'r', 'r'],
  technologist: ['rw', 'r', 'r', 'rw', 'r', 'r'],
  transcriptionist: ['rw', 'r', 'r', 'r', 'r', 'r'],
  clerk: ['forbidden', 'forbidden', 'forbidden', 'rw', 'r', 'forbidden'],
  admin: ['rw', 'r', 'r', 'rw', 'r', 'r'],
  systemAdmin: ['rw', 'r', 'r', 'rw', 'r', 'r'],
  system: ['rw', 'r', 'r', 'rw', 'r', 'r'],
  patient: ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden'],
}

describe('docAccess', () => {
  it('the table covers every role in ROLES', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ROLES].sort())
  })

  it.each(ROLES.map((role) => [role]))('%s: access to every document family', (role) => {
    const got = FAMILIES.map((name) => short(access(as(role), name)))
    expect(got).toEqual(EXPECTED[role])
  })

  it('a registration clerk may write patient forms but has no access to study documents', () => {
    const clerk = as('clerk')
    expect(access(clerk, 'patient/P1')).toEqual({ kind: 'allowed', write: true })
    for (const name of ['study/A1', 'study/A1/report', 'study/A1/state', 'worklist']) {
      expect(access(clerk, name), name).toEqual({ kind: 'forbidden' })
    }
  })

  it('patients are forbidden every document', () => {
    for (const name of FAMILIES)
      expect(access(as('patient'), name), name).toEqual({ kind: 'forbidden' })
  })

  it('state documents and the worklist are never writable, by any role, even the claim holder', () => {
    for (const role of ROLES) {
      for (const name of [
        'study/A1/state',
        'study/CLAIMED/state',
        'patient/P1/state',
        'worklist',
      ]) {
        for (const user of [as(role), as(role, 'u-bose')]) {
          const a = access(user, name)
          expect(a.kind === 'allowed' && a.write, `${role} ${user.id} ${name}`).toBe(false)
        }
      }
    }
  })

  it('[S15] the report is writable only by the reading-claim holder, whatever their role', () => {
    expect(access(as('radiologist', 'u-bose'), 'study/CLAIMED/report')).toEqual({
      kind: 'allowed',
      write: true,
    })
    expect(access(as('radiologist', 'u-huyen'), 'study/CLAIMED/report')).toEqual({
      kind: 'allowed',
      write: false,
    })
    expect(access(as('systemAdmin', 'u-admin'), 'study/CLAIMED/report')).toEqual({
      kind: 'allowed',
      write: false,
    })
    expect(access(as('system', 'u-system'), 'study/CLAIMED/report')).toEqual({
      kind: 'allowed',
      write: false,
    })
    // Unclaimed: nobody writes it.
    for (const role of ROLES) {
      const a = access(as(role), 'study/A1/report')
      expect(a.kind === 'allowed' && a.write, role).toBe(false)
    }
    // The holder's id alone is not enough without a clinical role.
    expect(access(as('clerk', 'u-bose'), 'study/CLAIMED/report')).toEqual({ kind: 'forbidden' })
  })

  it('nothing server-owned is writable: a write grant always goes to a client-written family', () => {
    const names = [...FAMILIES, 'study/CLAIMED', 'study/CLAIMED/report', 'study/CLAIMED/state']
    for (const role of ROLES) {
      for (const id of [`u-${role}`, 'u-bose']) {
        for (const name of names) {
          const doc = parseDocName(name) as DocName
          const a = docAccess(as(role, id), doc, registry, NOW)
          if (a.kind === 'allowed' && a.write)
            expect(isServerOwned(doc), `${role} ${name}`).toBe(false)
        }
      }
    }
  })

  it('an unknown study or patient is missing, for every clinical role and every sub-document', () => {
    const clinical: Role[] = [
      'radiologist',
      'performingPhysician',
      'technologist',
      'transcriptionist',
      'admin',
      'systemAdmin',
      'system',
    ]
    for (const role of clinical) {
      for (const name of [
        'study/NOPE',
        'study/NOPE/report',
        'study/NOPE/state',
        'patient/NOPE',
        'patient/NOPE/state',
      ]) {
        expect(access(as(role), name), `${role} ${name}`).toEqual({ kind: 'missing' })
      }
    }
  })

  it('[S21] [S22] a deleted or merged study is gone, with mergedInto for a merge, on every sub-document', () => {
    for (const sub of ['', '/report', '/state']) {
      expect(access(as('radiologist'), `study/DEL${sub}`)).toEqual({
        kind: 'gone',
        lifecycle: 'deleted',
        mergedInto: null,
      })
      expect(access(as('radiologist'), `study/MRG${sub}`)).toEqual({
        kind: 'gone',
        lifecycle: 'merged',
        mergedInto: 'A1',
      })
    }
  })

  it('[S23] a deleted or merged patient is gone, with mergedInto for a merge', () => {
    for (const sub of ['', '/state']) {
      expect(access(as('clerk'), `patient/PDEL${sub}`)).toEqual({
        kind: 'gone',
        lifecycle: 'deleted',
        mergedInto: null,
      })
      expect(access(as('clerk'), `patient/PMRG${sub}`)).toEqual({
        kind: 'gone',
        lifecycle: 'merged',
        mergedInto: 'P1',
      })
    }
  })

  it('the registry decides per call: a claim granted after connecting makes the report writable', () => {
    const user = as('radiologist', 'u-huyen')
    const before = docAccess(user, parseDocName('study/A1/report')!, registry, NOW)
    const claimed: RegistryData = {
      ...registry,
      studies: registry.studies.map((s) =>
        s.accession === 'A1'
          ? {
              ...s,
              claim: { holder: { id: 'u-huyen', name: 'HUYEN' }, since: 1, view: 'documents' },
            }
          : s,
      ),
    }
    const after = docAccess(user, parseDocName('study/A1/report')!, claimed, NOW)
    expect([short(before), short(after)]).toEqual(['r', 'rw'])
  })
})
