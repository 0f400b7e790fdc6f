/**
 * The keyed registry lookups (server/registry/lookup.ts) that docAccess, sessions and
 * claims use on every write and connect: over a real registry store (frozen data, so
 * the indexes are used), after every kind of update — studies added, deleted, merged
 * and removed, grants added, revoked and expiring, group membership changed, sessions
 * revoked — they answer exactly what a scan of the same data answers.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { docAccess } from '../../../server/access/policy.ts'
import {
  grantsOn,
  groupIdsOf,
  sessionById,
  studyByAccession,
  userById,
} from '../../../server/registry/lookup.ts'
import {
  type AccessGrant,
  emptyRegistry,
  type RegistryData,
  type StudyRecord,
} from '../../../server/registry/types.ts'
import { MemoryRegistryStore } from '../../../server/storage/memory-registry.ts'
import type { Role, UserIdentity } from '../../../shared/domain.ts'
import { parseDocName } from '../../../shared/protocol.ts'
import { testStudy } from '../../support/study-record.ts'

const NOW = 1_000_000
const ACCESSIONS = ['A1', 'A2', 'A3', 'A4'] as const
const USER_IDS = ['u-clerk', 'u-rad', 'u-other'] as const
const GROUP_IDS = ['g1', 'g2'] as const
const ROLE_OF: Record<(typeof USER_IDS)[number], Role> = {
  'u-clerk': 'clerk',
  'u-rad': 'radiologist',
  'u-other': 'clerk',
}
const IDENTITIES: UserIdentity[] = USER_IDS.map((id) => ({ id, name: id, role: ROLE_OF[id] }))
const DOCS = ACCESSIONS.flatMap((a) => [`study/${a}`, `study/${a}/report`, `study/${a}/state`])

const study = (accession: string): StudyRecord => testStudy(accession)

function grant(id: string, overrides: Partial<AccessGrant>): AccessGrant {
  return {
    id,
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

function initial(): RegistryData {
  return {
    ...emptyRegistry(),
    users: USER_IDS.map((id) => ({
      id,
      username: id,
      name: id.toUpperCase(),
      role: ROLE_OF[id],
      privileges: [],
      passwordHash: '',
      groups: [],
      disabled: false,
    })),
    studies: ACCESSIONS.map(study),
    groups: GROUP_IDS.map((id) => ({
      id,
      name: id,
      members: [],
      contact: { address: '', phone: '', email: '' },
    })),
  }
}

/** Every access decision over the data, as one comparable list. */
function decisions(data: RegistryData, now: number): string[] {
  return IDENTITIES.flatMap((user) =>
    DOCS.map((name) => {
      const a = docAccess(user, parseDocName(name)!, data, now)
      return `${user.id} ${name} ${a.kind === 'allowed' ? (a.write ? 'rw' : 'r') : a.kind}`
    }),
  )
}

/** The same data, not frozen: every lookup scans (the behaviour before the indexes). */
function scanned(data: Readonly<RegistryData>): RegistryData {
  return structuredClone(data) as RegistryData
}

type Op = (data: RegistryData) => void

const accession = fc.constantFrom(...ACCESSIONS)
const userId = fc.constantFrom(...USER_IDS)
const groupId = fc.constantFrom(...GROUP_IDS)
const op: fc.Arbitrary<Op> = fc.oneof(
  fc
    .record({
      accession,
      userId: fc.option(userId, { nil: null }),
      groupId: fc.option(groupId, { nil: null }),
      type: fc.constantFrom('view', 'edit', 'report' as const),
      validUntil: fc.option(fc.integer({ min: NOW - 10, max: NOW + 10 }), { nil: null }),
    })
    .map(
      (g): Op =>
        (data) => {
          data.grants.push(grant(`g${data.grants.length}`, g))
        },
    ),
  fc.nat().map(
    (i): Op =>
      (data) => {
        const g = data.grants[i % Math.max(1, data.grants.length)]
        if (g) g.revokedAt = NOW - 1
      },
  ),
  fc.record({ groupId, userId, join: fc.boolean() }).map(
    ({ groupId, userId, join }): Op =>
      (data) => {
        const group = data.groups.find((g) => g.id === groupId)!
        group.members = join
          ? [...new Set([...group.members, userId])]
          : group.members.filter((m) => m !== userId)
      },
  ),
  fc.record({ accession, into: accession }).map(
    ({ accession, into }): Op =>
      (data) => {
        const s = data.studies.find((x) => x.accession === accession)
        if (!s) return
        s.lifecycle = accession === into ? 'deleted' : 'merged'
        s.mergedInto = accession === into ? null : into
      },
  ),
  accession.map(
    (accession): Op =>
      (data) => {
        data.studies = data.studies.filter((s) => s.accession !== accession)
      },
  ),
  accession.map(
    (accession): Op =>
      (data) => {
        if (!data.studies.some((s) => s.accession === accession))
          data.studies.push(study(accession))
      },
  ),
  fc.record({ accession, userId }).map(
    ({ accession, userId }): Op =>
      (data) => {
        const s = data.studies.find((x) => x.accession === accession)
        if (s) s.claim = { holder: { id: userId, name: userId }, since: 0, view: 'desktop' }
      },
  ),
)

describe('registry lookups', () => {
  it('answer what a scan answers, through every kind of registry update', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 25 }),
        fc.integer({ min: NOW - 12, max: NOW + 12 }),
        async (ops, now) => {
          const store = new MemoryRegistryStore(initial())
          for (const mutate of ops) {
            // Read (and so index) the version before the update, as the server would.
            decisions(store.read() as RegistryData, now)
            await store.update(mutate)
            const data = store.read() as RegistryData
            expect(Object.isFrozen(data.studies)).toBe(true) // the indexed path
            expect(decisions(data, now)).toEqual(decisions(scanned(data), now))
            for (const a of ACCESSIONS) {
              expect(studyByAccession(data, a)).toEqual(data.studies.find((s) => s.accession === a))
              expect(grantsOn(data, a)).toEqual(data.grants.filter((g) => g.accession === a))
            }
            for (const u of USER_IDS) {
              expect([...groupIdsOf(data, u)].sort()).toEqual(
                data.groups
                  .filter((g) => g.members.includes(u))
                  .map((g) => g.id)
                  .sort(),
              )
            }
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('[S30] a revoked grant and an expired one take effect on the very next check', async () => {
    const clerk = IDENTITIES[0]!
    const store = new MemoryRegistryStore({
      ...initial(),
      grants: [
        grant('g-edit', { type: 'edit' }),
        grant('g-timed', { accession: 'A2', validUntil: NOW + 5 }),
      ],
    })
    const check = (name: string, now = NOW) => {
      const a = docAccess(clerk, parseDocName(name)!, store.read() as RegistryData, now)
      return a.kind === 'allowed' ? (a.write ? 'rw' : 'r') : a.kind
    }
    expect(check('study/A1')).toBe('rw')
    expect(check('study/A2')).toBe('r')
    await store.update((data) => {
      data.grants[0]!.revokedAt = NOW
    })
    expect(check('study/A1')).toBe('forbidden')
    expect(check('study/A2', NOW + 4)).toBe('r')
    expect(check('study/A2', NOW + 5)).toBe('forbidden')
  })

  it('finds users and sessions, and sees a study removed or a session added at once', async () => {
    const store = new MemoryRegistryStore(initial())
    expect(userById(store.read(), 'u-rad')?.name).toBe('U-RAD')
    expect(userById(store.read(), 'nobody')).toBeUndefined()
    expect(sessionById(store.read(), 's1')).toBeUndefined()
    await store.update((data) => {
      data.sessions.push({
        id: 's1',
        userId: 'u-rad',
        createdAt: 0,
        lastSeenAt: 0,
        revokedAt: null,
        ip: '',
      })
      data.studies = data.studies.filter((s) => s.accession !== 'A1')
    })
    expect(sessionById(store.read(), 's1')?.userId).toBe('u-rad')
    expect(studyByAccession(store.read(), 'A1')).toBeUndefined()
    expect(studyByAccession(store.read(), 'A2')?.accession).toBe('A2')
  })

  it('scans data that is not frozen, so a changed record is never answered from an old index', () => {
    const data = initial()
    const frozenList = Object.freeze([...data.studies])
    // A frozen array of records that may still change: not indexed.
    const mixed = { ...data, studies: frozenList as StudyRecord[] }
    expect(studyByAccession(mixed, 'A1')?.accession).toBe('A1')
    data.studies[0]!.accession = 'A9'
    expect(studyByAccession(mixed, 'A1')).toBeUndefined()
    expect(studyByAccession(mixed, 'A9')?.accession).toBe('A9')
    // A plain draft: a push is seen at once.
    data.studies.push(study('A5'))
    expect(studyByAccession(data, 'A5')?.accession).toBe('A5')
  })

  it('answers the first of duplicate keys, as find does', async () => {
    const first = { ...study('A1'), description: 'first' }
    const store = new MemoryRegistryStore({
      ...initial(),
      studies: [first, { ...study('A1'), description: 'second' }],
    })
    expect(studyByAccession(store.read(), 'A1')?.description).toBe('first')
  })
})
