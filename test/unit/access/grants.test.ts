/**
 * docAccess with per-study grants, groups, buckets, break-the-glass and patient
 * sessions, at fixed times [S30–S32]; the reference-number and PIN rules; the
 * watcher's next expiry.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type DocAccess, docAccess } from '../../../server/access/policy.ts'
import {
  generateReferenceNumber,
  isCompliant,
  pinProblem,
  REFERENCE_ALPHABET,
} from '../../../server/access/reference-numbers.ts'
import { may, ROLE_POLICY } from '../../../server/access/roles.ts'
import { nextExpiry } from '../../../server/access/watcher.ts'
import {
  type AccessGrant,
  emptyRegistry,
  type ReferenceNumberRecord,
  type RegistryData,
  type StudyRecord,
} from '../../../server/registry/types.ts'
import { ROLES, type Role, type UserIdentity } from '../../../shared/domain.ts'
import { parseDocName } from '../../../shared/protocol.ts'
import { testStudy } from '../../support/study-record.ts'

const NOW = 1_000_000
const clerk: UserIdentity = { id: 'u-clerk', name: 'CLERK', role: 'clerk' }

const study = (accession: string): StudyRecord => testStudy(accession)

function grant(overrides: Partial<AccessGrant>): AccessGrant {
  return {
    id: 'g1',
    accession: 'A1',
    userId: 'u-clerk',
    groupId: null,
    type: 'view',
    validUntil: null,
    grantedBy: { id: 'u-admin', name: 'ADMIN' },
    grantedAt: 0,
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  }
}

function ref(overrides: Partial<ReferenceNumberRecord> = {}): ReferenceNumberRecord {
  return {
    id: 'r1',
    accession: 'A1',
    number: 'CT-7KQ4M9PRT2',
    validFrom: 0,
    validTo: NOW * 2,
    pinHash: null,
    failedAttempts: 0,
    lockedOut: false,
    compliant: true,
    createdAt: 0,
    withdrawnAt: null,
    ...overrides,
  }
}

function registry(overrides: Partial<RegistryData> = {}): RegistryData {
  return { ...emptyRegistry(), studies: [study('A1'), study('A2')], ...overrides }
}

function short(a: DocAccess): string {
  return a.kind === 'allowed' ? (a.write ? 'rw' : 'r') : a.kind
}

function access(user: UserIdentity, name: string, data: RegistryData, now = NOW): string {
  return short(docAccess(user, parseDocName(name)!, data, now))
}

describe('docAccess with grants [S30]', () => {
  it('[S30] a view grant reads the study, its report and state; edit and report grants write the form', () => {
    const view = registry({ grants: [grant({ type: 'view' })] })
    expect(
      ['study/A1', 'study/A1/report', 'study/A1/state'].map((n) => access(clerk, n, view)),
    ).toEqual(['r', 'r', 'r'])
    for (const type of ['edit', 'report'] as const) {
      expect(access(clerk, 'study/A1', registry({ grants: [grant({ type })] }))).toBe('rw')
    }
    // Never the report body: that is the reading claim's (S15).
    expect(access(clerk, 'study/A1/report', registry({ grants: [grant({ type: 'edit' })] }))).toBe(
      'r',
    )
    expect(access(clerk, 'study/A2', view)).toBe('forbidden')
    expect(access(clerk, 'worklist', view)).toBe('forbidden')
  })

  it('[S30] a grant stops at validUntil and when revoked', () => {
    const timed = registry({ grants: [grant({ validUntil: NOW + 10 })] })
    expect(access(clerk, 'study/A1', timed, NOW + 9)).toBe('r')
    expect(access(clerk, 'study/A1', timed, NOW + 10)).toBe('forbidden')
    const revoked = registry({ grants: [grant({ revokedAt: NOW - 1 })] })
    expect(access(clerk, 'study/A1', revoked)).toBe('forbidden')
  })

  it('[S30] a group grant counts for members only', () => {
    const data = registry({
      grants: [grant({ userId: null, groupId: 'g-reg', type: 'edit' })],
      groups: [
        {
          id: 'g-reg',
          name: 'Reg',
          members: ['u-clerk'],
          contact: { address: '', phone: '', email: '' },
        },
      ],
    })
    expect(access(clerk, 'study/A1', data)).toBe('rw')
    expect(access({ ...clerk, id: 'u-other' }, 'study/A1', data)).toBe('forbidden')
  })

  it('without access the answer is forbidden whether or not the study exists (no probing)', () => {
    const data = registry({ grants: [grant({ accession: 'NOPE' })] })
    expect(access(clerk, 'study/NOPE', data)).toBe('missing')
    expect(access(clerk, 'study/NOPE2', data)).toBe('forbidden')
  })

  it('a live bucket share reads its studies; a revoked bucket does not', () => {
    const bucket = {
      id: 'b1',
      name: 'Board',
      accessions: ['A1'],
      owner: { id: 'u-bose', name: 'BOSE' },
      sharedWith: ['u-clerk'],
      revokedAt: null,
    }
    expect(access(clerk, 'study/A1', registry({ buckets: [bucket] }))).toBe('r')
    expect(access(clerk, 'study/A1', registry({ buckets: [{ ...bucket, revokedAt: 1 }] }))).toBe(
      'forbidden',
    )
  })
})

describe('docAccess with break-the-glass [S31]', () => {
  it('[S31] an active unlock reads the study until it expires, for its user only', () => {
    const data = registry({
      breakGlass: [
        {
          id: 'bg1',
          accession: 'A1',
          user: { id: 'u-clerk', name: 'CLERK' },
          at: NOW - 5,
          reason: 'a sufficiently long reason',
          expiresAt: NOW + 5,
          acknowledgedBy: null,
          acknowledgedAt: null,
        },
      ],
    })
    expect(access(clerk, 'study/A1', data)).toBe('r')
    expect(access(clerk, 'study/A1', data, NOW + 5)).toBe('forbidden')
    expect(access({ ...clerk, id: 'u-x' }, 'study/A1', data)).toBe('forbidden')
  })
})

describe('docAccess for patient sessions [S32]', () => {
  const patient: UserIdentity = { id: 'patient:r1', name: 'PATIENT', role: 'patient' }

  it('[S32] reads its own study form only, read-only, while the number is usable', () => {
    const data = registry({ referenceNumbers: [ref()] })
    const names = [
      'study/A1',
      'study/A1/report',
      'study/A1/state',
      'study/A2',
      'patient/P1',
      'worklist',
    ]
    expect(names.map((n) => access(patient, n, data))).toEqual([
      'r',
      'forbidden',
      'forbidden',
      'forbidden',
      'forbidden',
      'forbidden',
    ])
    for (const broken of [
      ref({ withdrawnAt: 1 }),
      ref({ compliant: false }),
      ref({ validTo: NOW }),
      ref({ validFrom: NOW + 1 }),
    ]) {
      expect(access(patient, 'study/A1', registry({ referenceNumbers: [broken] }))).toBe(
        'forbidden',
      )
    }
    // A lockout stops new logins, not a session already opened with the right PIN.
    expect(
      access(patient, 'study/A1', registry({ referenceNumbers: [ref({ lockedOut: true })] })),
    ).toBe('r')
    // Grants never apply to a patient identity.
    expect(
      access(
        patient,
        'study/A2',
        registry({ grants: [grant({ userId: 'patient:r1', accession: 'A2' })] }),
      ),
    ).toBe('forbidden')
  })
})

describe('roles as data', () => {
  it('admin roles imply manageAccess and readAudit; others need them granted', () => {
    expect(may({ role: 'systemAdmin', privileges: [] }, 'readAudit')).toBe(true)
    expect(may({ role: 'admin', privileges: [] }, 'manageAccess')).toBe(true)
    expect(may({ role: 'radiologist', privileges: [] }, 'readAudit')).toBe(false)
    expect(may({ role: 'radiologist', privileges: ['readAudit'] }, 'readAudit')).toBe(true)
  })

  it('every role has a row; only the patient role is scoped', () => {
    for (const role of ROLES) expect(ROLE_POLICY[role as Role], role).toBeDefined()
    expect(ROLES.filter((r) => ROLE_POLICY[r].scoped)).toEqual(['patient'])
  })
})

describe('reference numbers and PINs [S32]', () => {
  it('[S32] generated numbers are always compliant: <MODALITY>- and 10 unambiguous characters', () => {
    fc.assert(
      fc.property(fc.constantFrom('CT', 'MR', 'US', 'CR', 'MG'), fc.integer(), (modality, seed) => {
        let x = seed
        const random = (n: number) => {
          x = (x * 1103515245 + 12345) | 0
          return Math.abs(x) % n
        }
        const number = generateReferenceNumber(modality, random)
        return (
          isCompliant(number) &&
          new RegExp(`^${modality}-[${REFERENCE_ALPHABET}]{10}$`).test(number)
        )
      }),
    )
  })

  it('[S32] legacy numbers that are short, digits-only or use ambiguous characters are not compliant', () => {
    for (const n of ['12345', 'CT-1234567890', 'CT-ABCDEFGHJK', 'CT-0OIL1ABC23', 'CT-7KQ4M9PR'])
      expect(isCompliant(n), n).toBe(false)
    expect(isCompliant('CT-7KQ4M9PRT2')).toBe(true)
  })

  it('[S32] PINs: 4–8 digits, not one repeated digit, not a simple run', () => {
    for (const pin of [
      '123',
      '123456789',
      '12a4',
      '',
      '0000',
      '55555555',
      '1234',
      '4321',
      '3456789',
      '9876',
    ])
      expect(pinProblem(pin), pin).not.toBeNull()
    for (const pin of ['4827', '73915826', '1357', '2468', '1123'])
      expect(pinProblem(pin), pin).toBeNull()
  })
})

describe('the watcher’s next expiry [S30]', () => {
  it('is the earliest future validUntil, unlock expiry or number validTo; past, revoked and withdrawn ones do not count', () => {
    const data = registry({
      grants: [
        grant({ validUntil: NOW + 50 }),
        grant({ validUntil: NOW + 10, revokedAt: 1 }),
        grant({ validUntil: NOW - 10 }),
        grant({ validUntil: null }),
      ],
      referenceNumbers: [ref({ validTo: NOW + 30 }), ref({ validTo: NOW + 20, withdrawnAt: 1 })],
    })
    expect(nextExpiry(data, NOW)).toBe(NOW + 30)
    expect(nextExpiry(registry(), NOW)).toBeNull()
  })
})
