/**
 * Assignments from the worklist (S11, S14, S17): compare-and-set on `rev`,
 * refused while another reading physician has the study open (admins
 * excepted), and everyone concerned told at once.
 */
import type { PersonRef } from '../../shared/domain.ts'
import { badRequest } from '../http/errors.ts'
import type { StudyRecord, UserRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import {
  type Actor,
  auditStudy,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
  personOf,
} from './context.ts'
import { locked, notAllowed, staleFor } from './errors.ts'
import { notifyUsers, notifyViewers } from './notify.ts'
import { usableStudy } from './open-close.ts'
import { studyStateOf } from './projector.ts'
import {
  type AssignmentRole,
  canHold,
  hasPrivilege,
  isAdmin,
  privilegeToAssign,
  ROLE_LABEL,
} from './rules.ts'

type UserActor = Actor & { kind: 'user' }

export const OPENED_BY_READER = 'One or more studies have been opened by another reading physician'

interface Change {
  accession: string
  role: AssignmentRole
  from: PersonRef | null
  to: PersonRef | null
  claimLost: PersonRef | null
  patientId: string
}

export async function assign(
  ctx: DomainContext,
  actor: UserActor,
  accession: string,
  request: { role: AssignmentRole; userId: string | null; expectedRev: number },
): Promise<{ state: ReturnType<typeof studyStateOf> }> {
  checkPrivilege(actor.user, request.role)
  const target = resolveTarget(ctx, request.role, request.userId)
  const now = ctx.clock.now()
  const { change, study } = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    if (request.expectedRev !== study.rev) throw staleFor(study, now)
    const reader = ctx.viewers.otherReader(accession, actor.identity.id)
    if (reader && !isAdmin(actor.user)) {
      throw locked(
        { id: reader.user.id, name: reader.user.name },
        `${reader.user.name} has this study open for reading.`,
      )
    }
    const change = applyAssignment(study, request.role, target, actor, now)
    return { change, study: structuredClone(study) }
  })
  await record(ctx, actor, [change], now)
  return { state: studyStateOf(study) }
}

export async function bulkAssign(
  ctx: DomainContext,
  actor: UserActor,
  request: { accessions: string[]; role: AssignmentRole; userId: string | null },
): Promise<{ results: { accession: string; ok: boolean; error?: string }[] }> {
  checkPrivilege(actor.user, request.role)
  const target = resolveTarget(ctx, request.role, request.userId)
  const now = ctx.clock.now()
  const { results, changes } = await ctx.registry.update((data) => {
    const results: { accession: string; ok: boolean; error?: string }[] = []
    const changes: Change[] = []
    for (const accession of new Set(request.accessions)) {
      const study = findStudyIn(data, accession)
      if (!study) results.push({ accession, ok: false, error: `There is no study ${accession}.` })
      else if (study.lifecycle !== 'active')
        results.push({ accession, ok: false, error: `Study ${accession} was ${study.lifecycle}.` })
      else if (ctx.viewers.otherReader(accession, actor.identity.id))
        results.push({ accession, ok: false, error: OPENED_BY_READER })
      else {
        changes.push(applyAssignment(study, request.role, target, actor, now))
        results.push({ accession, ok: true })
      }
    }
    return { results, changes }
  })
  await record(ctx, actor, changes, now)
  return { results }
}

function checkPrivilege(user: UserRecord, role: AssignmentRole): void {
  const privilege = privilegeToAssign(role)
  if (!hasPrivilege(user, privilege)) {
    throw notAllowed(`Assigning the ${ROLE_LABEL[role]} needs the ${privilege} privilege.`)
  }
}

function resolveTarget(
  ctx: DomainContext,
  role: AssignmentRole,
  userId: string | null,
): UserRecord | null {
  if (userId === null) return null
  const user = ctx.registry.read().users.find((u) => u.id === userId && !u.disabled)
  if (!user) throw badRequest('No such user.', { userId: `unknown user ${userId}` })
  if (!canHold(role, user))
    throw badRequest(`${user.name} cannot be the ${ROLE_LABEL[role]}.`, { userId: 'wrong role' })
  return user
}

function applyAssignment(
  study: StudyRecord,
  role: AssignmentRole,
  target: UserRecord | null,
  actor: UserActor,
  now: number,
): Change {
  const from = study[role]
  const to = target ? personOf(target) : null
  study[role] = to
  // A new reading physician ends the old one's claim (S14): they are told at once.
  let claimLost: PersonRef | null = null
  if (role === 'readingPhysician' && study.claim && study.claim.holder.id !== to?.id) {
    claimLost = study.claim.holder
    study.claim = null
  }
  bump(study, personOf(actor.user), now)
  return { accession: study.accession, role, from, to, claimLost, patientId: study.patientId }
}

async function record(
  ctx: DomainContext,
  actor: UserActor,
  changes: Change[],
  now: number,
): Promise<void> {
  const by = personOf(actor.user)
  for (const change of changes) {
    await auditStudy(ctx, actor, {
      action: 'study.assign',
      accession: change.accession,
      patientId: change.patientId,
      details: { role: change.role, from: change.from, to: change.to, claimLost: change.claimLost },
    })
    await ctx.projector.study(change.accession)
    announce(ctx, by, change, now)
  }
}

function announce(ctx: DomainContext, by: PersonRef, change: Change, now: number): void {
  const label = ROLE_LABEL[change.role]
  const text = `${label} ${change.from?.name ?? '(none)'} → ${change.to?.name ?? '(none)'} by ${by.name} at ${clockTime(now)} on study ${change.accession}`
  const base = { subject: { type: 'study' as const, id: change.accession }, by, at: iso(now) }
  const changes = [
    { field: change.role, from: change.from?.name ?? null, to: change.to?.name ?? null },
  ]
  notifyViewers(ctx, { ...base, kind: 'assignment.changed', tier: 'toast', changes, text }, by.id)
  const concerned = [change.from?.id, change.to?.id].filter(
    (id): id is string => !!id && id !== by.id,
  )
  notifyUsers(ctx, concerned, { ...base, kind: 'assignment.changed', tier: 'toast', changes, text })
  if (change.claimLost && change.claimLost.id !== by.id) {
    notifyUsers(ctx, [change.claimLost.id], {
      ...base,
      kind: 'claim.lost',
      tier: 'blocking',
      text: `Study ${change.accession} was assigned to ${change.to?.name ?? 'nobody'} by ${by.name} at ${clockTime(now)}; you are no longer reading it`,
    })
  }
}
