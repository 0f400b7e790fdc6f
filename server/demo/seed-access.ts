/**
 * The demo site's Access tab data (seed 002): two groups with members and contact
 * details, grants to the clerk and to groups, transfers to PACS, two buckets, and
 * one compliant and one legacy non-compliant patient reference number. Pure and
 * deterministic, like the rest of the demo: fixed ids, times relative to `now`.
 */
import type { PersonRef } from '../../shared/domain.ts'
import type { RegistryData, StudyRecord, UserRecord } from '../registry/types.ts'
import { DAY_MS } from './seed-data.ts'

export type DemoAccess = Pick<
  RegistryData,
  'groups' | 'grants' | 'breakGlass' | 'referenceNumbers' | 'transfers' | 'buckets'
>

/** Uses the five newest studies, which no other demo table singles out. */
export function buildAccessDemo(
  studies: readonly StudyRecord[],
  users: readonly UserRecord[],
  now: number,
): DemoAccess {
  const [s1, s2, s3, s4, s5] = studies.slice(-5).reverse()
  if (!s1 || !s2 || !s3 || !s4 || !s5) throw new Error('the access demo needs five studies')
  const ref = (username: string): PersonRef => {
    const user = users.find((u) => u.username === username)
    if (!user) throw new Error(`demo user ${username} missing`)
    return { id: user.id, name: user.name }
  }
  const admin = ref('admin')
  const grant = (id: string, accession: string, to: { userId?: string; groupId?: string }) => ({
    id,
    accession,
    userId: to.userId ?? null,
    groupId: to.groupId ?? null,
    grantedBy: admin,
    grantedAt: now - DAY_MS,
    revokedAt: null,
    revokedBy: null,
  })
  return {
    groups: [
      {
        id: 'g-registration',
        name: 'Registration desk',
        members: [ref('clerk').id],
        contact: {
          address: '1 Hospital Way, Springfield',
          phone: '555-0140',
          email: 'registration@hospital.example',
        },
      },
      {
        id: 'g-northside',
        name: 'Northside Referring Clinic',
        members: [ref('perf').id],
        contact: {
          address: '220 Lakeview Dr, Springfield',
          phone: '555-0177',
          email: 'imaging@northside.example',
        },
      },
    ],
    grants: [
      {
        ...grant('grant-demo-1', s1.accession, { userId: ref('clerk').id }),
        type: 'view',
        validUntil: now + 7 * DAY_MS,
      },
      {
        ...grant('grant-demo-2', s2.accession, { groupId: 'g-registration' }),
        type: 'view',
        validUntil: null,
      },
      {
        ...grant('grant-demo-3', s3.accession, { groupId: 'g-northside' }),
        type: 'edit',
        validUntil: now + 30 * DAY_MS,
      },
    ],
    breakGlass: [],
    referenceNumbers: [
      {
        id: 'ref-demo-1',
        accession: s1.accession,
        number: `${s1.modality}-7KQ4M9PRT2`,
        validFrom: now - DAY_MS,
        validTo: now + 29 * DAY_MS,
        pinHash: null,
        failedAttempts: 0,
        lockedOut: false,
        compliant: true,
        createdAt: now - DAY_MS,
        withdrawnAt: null,
      },
      {
        // Imported from the legacy RIS: too short and digits only, so flagged and unusable.
        id: 'ref-demo-2',
        accession: s2.accession,
        number: '12345',
        validFrom: now - 90 * DAY_MS,
        validTo: now + 275 * DAY_MS,
        pinHash: null,
        failedAttempts: 0,
        lockedOut: false,
        compliant: false,
        createdAt: now - 90 * DAY_MS,
        withdrawnAt: null,
      },
    ],
    transfers: [
      {
        id: 'tx-demo-1',
        accession: s1.accession,
        kind: 'forwarded',
        destination: 'NORTHSIDE-PACS (AE NSPACS01)',
        by: 'SYSTEM',
        at: now - 20 * 3600_000,
      },
      {
        id: 'tx-demo-2',
        accession: s1.accession,
        kind: 'downloaded',
        destination: 'Workstation RAD-WS-03',
        by: ref('bose'),
        at: now - 6 * 3600_000,
      },
      {
        id: 'tx-demo-3',
        accession: s2.accession,
        kind: 'forwarded',
        destination: 'TELERAD-PARTNER (AE TRPACS)',
        by: admin,
        at: now - 2 * DAY_MS,
      },
    ],
    buckets: [
      {
        id: 'bucket-demo-1',
        name: 'Tumour board, week 23',
        accessions: [s1.accession, s4.accession],
        owner: ref('bose'),
        sharedWith: ['g-northside'],
        revokedAt: null,
      },
      {
        id: 'bucket-demo-2',
        name: 'Teaching file: chest',
        accessions: [s5.accession, s1.accession],
        owner: ref('huyen'),
        sharedWith: [ref('trans').id],
        revokedAt: null,
      },
    ],
  }
}
