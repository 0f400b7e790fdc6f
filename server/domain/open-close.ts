/**
 * Opening and closing a study (S12, S13, S15, S16, S18): the reading claim for
 * the first reading physician on the desktop, first-opener-wins assignment,
 * and the warnings the second opener sees. Decided in one registry update.
 */
import type { View } from '../../shared/domain.ts'
import { docAccess } from '../access/policy.ts'
import type { StudyRecord } from '../registry/types.ts'
import { bump, type ClaimTracker, releaseClaim } from './claims.ts'
import {
  type Actor,
  auditStudy,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
  personOf,
} from './context.ts'
import { gone, notAllowed, studyNotFound } from './errors.ts'
import { notifyViewers } from './notify.ts'
import { studyStateOf } from './projector.ts'
import { type AssignmentRole, autoAssign, ROLE_LABEL } from './rules.ts'

type UserActor = Actor & { kind: 'user' }

export interface OpenNotice {
  kind: string
  text: string
}

export interface OpenResult {
  readOnly: boolean
  claim: ReturnType<typeof studyStateOf>['claim']
  assigned: boolean
  assignedRoles: AssignmentRole[]
  canTakeOver: boolean
  notices: OpenNotice[]
  state: ReturnType<typeof studyStateOf>
  /** The caller's active break-the-glass unlock of this study, if that is how they see it (S31). */
  breakGlass: { expiresAt: string; reason: string } | null
}

const READING_VIEWS: ReadonlySet<View> = new Set(['desktop', 'documents'])

export async function openStudy(
  ctx: DomainContext,
  claims: ClaimTracker,
  actor: UserActor,
  accession: string,
  view: View,
): Promise<OpenResult> {
  const now = ctx.clock.now()
  const me = personOf(actor.user)
  const decision = await ctx.registry.update((data) => {
    // Access before existence: someone without access must not learn whether it exists.
    const doc = { kind: 'study', accession: accession as never } as const
    const access = docAccess(actor.identity, doc, data, now)
    if (access.kind === 'forbidden') {
      throw notAllowed(`You have no access to study ${accession}.`)
    }
    const study = usableStudy(findStudyIn(data, accession), accession)
    const notices: OpenNotice[] = []
    let claimed = false
    // View-only access (a view grant, a bucket share, break-the-glass) reads, never writes or claims.
    const viewOnly = !(access.kind === 'allowed' && access.write)
    let readOnly = viewOnly
    const unlock = data.breakGlass.find(
      (b) => b.accession === accession && b.user.id === me.id && b.expiresAt > now,
    )
    const breakGlass = unlock ? { expiresAt: iso(unlock.expiresAt), reason: unlock.reason } : null
    if (!viewOnly && READING_VIEWS.has(view) && actor.user.role === 'radiologist') {
      if (study.claim === null) {
        study.claim = { holder: me, since: now, view: view as 'desktop' | 'documents' }
        claimed = true
      } else if (study.claim.holder.id !== me.id) {
        readOnly = true
        notices.push({
          kind: 'claim.held',
          text: `${study.claim.holder.name} is reading this study`,
        })
      }
    }
    const won = viewOnly ? [] : autoAssign(study, actor.user, me)
    notices.push(...assignmentWarnings(study, actor, won))
    if (claimed || won.length > 0) bump(study, me, now)
    const canTakeOver =
      actor.user.role === 'transcriptionist' &&
      study.transcriptionist?.id !== me.id &&
      actor.user.privileges.includes('assignOtherPersonnel')
    return {
      study: structuredClone(study),
      claimed,
      readOnly,
      won,
      notices,
      canTakeOver,
      breakGlass,
    }
  })
  const { study, claimed, readOnly, won, notices, canTakeOver, breakGlass } = decision
  ctx.viewers.open(accession, {
    user: actor.identity,
    sessionId: actor.sessionId,
    view,
    since: now,
  })
  if (claimed) claims.holderMayHaveVanished(accession, me.id)
  await auditStudy(ctx, actor, {
    action: 'study.open',
    accession,
    patientId: study.patientId,
    details: { view, readOnly, claimed, autoAssigned: won },
  })
  if (claimed || won.length > 0) {
    await ctx.projector.study(accession)
    announceAutoAssignment(ctx, actor, accession, won, now)
  }
  const state = studyStateOf(study)
  const assignedRoles = (
    ['readingPhysician', 'performingPhysician', 'technologist', 'transcriptionist'] as const
  ).filter((role) => study[role]?.id === me.id)
  return {
    breakGlass,
    readOnly,
    claim: state.claim,
    assigned: assignedRoles.length > 0,
    assignedRoles,
    canTakeOver,
    notices,
    state,
  }
}

/** What the second opener is told (S12, S16). */
function assignmentWarnings(
  study: StudyRecord,
  actor: UserActor,
  won: AssignmentRole[],
): OpenNotice[] {
  const notices: OpenNotice[] = []
  const me = actor.user.id
  if (
    actor.user.role === 'radiologist' &&
    !won.includes('readingPhysician') &&
    study.readingPhysician &&
    study.readingPhysician.id !== me
  ) {
    notices.push({
      kind: 'assignment.taken',
      text: `Study belongs to ${study.readingPhysician.name}`,
    })
  }
  for (const role of ['performingPhysician', 'technologist', 'transcriptionist'] as const) {
    const holder = study[role]
    if (actor.user.role === role && holder && holder.id !== me && !won.includes(role)) {
      notices.push({
        kind: 'assignment.taken',
        text: `You are opening a Study that is assigned to ${holder.name} for (${ROLE_LABEL[role]})`,
      })
    }
  }
  return notices
}

/** S13: others with the study open are told who took it over. */
function announceAutoAssignment(
  ctx: DomainContext,
  actor: UserActor,
  accession: string,
  won: AssignmentRole[],
  now: number,
): void {
  if (won.length === 0) return
  const roles = won.map((r) => ROLE_LABEL[r]).join(', ')
  notifyViewers(
    ctx,
    {
      kind: 'assignment.auto',
      tier: 'toast',
      subject: { type: 'study', id: accession },
      by: { id: actor.identity.id, name: actor.identity.name },
      at: iso(now),
      changes: won.map((role) => ({ field: role, from: null, to: actor.identity.name })),
      text: `Study ${accession} taken over by ${actor.identity.name} at ${clockTime(now)} (${roles})`,
    },
    actor.identity.id,
  )
}

export async function closeStudy(
  ctx: DomainContext,
  claims: ClaimTracker,
  actor: UserActor,
  accession: string,
  view: View,
): Promise<{ released: boolean }> {
  const now = ctx.clock.now()
  ctx.viewers.close(accession, actor.sessionId, view)
  const stillReading = ctx.viewers
    .opensOf(accession)
    .some((o) => o.user.id === actor.identity.id && READING_VIEWS.has(o.view))
  const released = await ctx.registry.update((data) => {
    const study = findStudyIn(data, accession)
    if (!study) throw studyNotFound(accession)
    if (stillReading || study.claim?.holder.id !== actor.identity.id || !READING_VIEWS.has(view))
      return false
    releaseClaim(study, personOf(actor.user), now)
    return true
  })
  if (released) claims.cancel(accession)
  await auditStudy(ctx, actor, {
    action: 'study.close',
    accession,
    details: { view, claimReleased: released },
  })
  if (released) {
    await ctx.projector.study(accession)
    notifyViewers(
      ctx,
      {
        kind: 'claim.released',
        tier: 'routine',
        subject: { type: 'study', id: accession },
        by: { id: actor.identity.id, name: actor.identity.name },
        at: iso(now),
        text: `${actor.identity.name} stopped reading study ${accession} at ${clockTime(now)}`,
      },
      actor.identity.id,
    )
  }
  return { released }
}

/** The study, or the 404/410 that explains why not. */
export function usableStudy(study: StudyRecord | undefined, accession: string): StudyRecord {
  if (!study) throw studyNotFound(accession)
  if (study.lifecycle !== 'active')
    throw gone(`Study ${accession}`, study.lifecycle, study.mergedInto)
  return study
}
