/** Registry records → the Access tab's REST shapes (shared/access-types.ts). Never a PIN hash. */
import type {
  BreakGlassView,
  BucketView,
  GrantView,
  GroupView,
  PrincipalView,
  ReferenceNumberView,
  StudyAccessView,
  TransferView,
} from '../../shared/access-types.ts'
import type { PersonRef } from '../../shared/domain.ts'
import type {
  AccessGrant,
  BreakGlassRecord,
  BucketRecord,
  ReferenceNumberRecord,
  RegistryData,
  TransferRecord,
  UserGroup,
} from '../registry/types.ts'
import { breakGlassActive, grantValid, referenceUsable } from './policy.ts'

const iso = (ms: number) => new Date(ms).toISOString()

/** Everything the Access tab shows for one study: live grants, unlocks, transfers, buckets, usable-or-not numbers. */
export function studyAccessView(
  data: RegistryData,
  accession: string,
  now: number,
): StudyAccessView {
  return {
    accession,
    grants: data.grants
      .filter((g) => g.accession === accession && grantValid(g, now))
      .map((g) => grantView(data, g)),
    breakGlass: data.breakGlass
      .filter((b) => b.accession === accession)
      .sort((a, b) => b.at - a.at)
      .map((b) => breakGlassView(b, now)),
    transfers: data.transfers
      .filter((t) => t.accession === accession)
      .sort((a, b) => b.at - a.at)
      .map(transferView),
    buckets: data.buckets
      .filter((b) => b.revokedAt === null && b.accessions.includes(accession))
      .map((b) => bucketView(data, b)),
    referenceNumbers: data.referenceNumbers
      .filter((r) => r.accession === accession && r.withdrawnAt === null)
      .map((r) => referenceNumberView(r, now)),
  }
}

export function grantView(data: RegistryData, g: AccessGrant): GrantView {
  const group = g.groupId ? data.groups.find((x) => x.id === g.groupId) : undefined
  return {
    id: g.id,
    ...(g.userId ? { user: personIn(data, g.userId) } : {}),
    ...(group ? { group: groupView(data, group) } : {}),
    type: g.type,
    validUntil: g.validUntil === null ? null : iso(g.validUntil),
    grantedBy: g.grantedBy,
    grantedAt: iso(g.grantedAt),
  }
}

export function groupView(data: RegistryData, group: UserGroup): GroupView {
  return {
    id: group.id,
    name: group.name,
    members: group.members.map((id) => personIn(data, id)),
    contact: { ...group.contact },
  }
}

export function breakGlassView(b: BreakGlassRecord, now: number): BreakGlassView {
  return {
    id: b.id,
    accession: b.accession,
    user: b.user,
    at: iso(b.at),
    reason: b.reason,
    expiresAt: iso(b.expiresAt),
    active: breakGlassActive(b, now),
    acknowledgedBy: b.acknowledgedBy,
    acknowledgedAt: b.acknowledgedAt === null ? null : iso(b.acknowledgedAt),
  }
}

function transferView(t: TransferRecord): TransferView {
  return { id: t.id, kind: t.kind, destination: t.destination, by: t.by, at: iso(t.at) }
}

export function bucketView(data: RegistryData, b: BucketRecord): BucketView {
  return {
    id: b.id,
    name: b.name,
    owner: b.owner,
    sharedWith: b.sharedWith.map((id) => principalIn(data, id)),
    accessions: [...b.accessions],
  }
}

export function referenceNumberView(r: ReferenceNumberRecord, now: number): ReferenceNumberView {
  return {
    id: r.id,
    number: r.number,
    validFrom: iso(r.validFrom),
    validTo: iso(r.validTo),
    hasPin: r.pinHash !== null,
    failedAttempts: r.failedAttempts,
    lockedOut: r.lockedOut,
    compliant: r.compliant,
    usable: referenceUsable(r, now) && !r.lockedOut,
    createdAt: iso(r.createdAt),
  }
}

function personIn(data: RegistryData, userId: string): PersonRef {
  const user = data.users.find((u) => u.id === userId)
  return { id: userId, name: user?.name ?? userId }
}

function principalIn(data: RegistryData, id: string): PrincipalView {
  const user = data.users.find((u) => u.id === id)
  if (user) return { kind: 'user', id, name: user.name }
  const group = data.groups.find((g) => g.id === id)
  if (group) return { kind: 'group', id, name: group.name }
  return { kind: 'unknown', id, name: id }
}
