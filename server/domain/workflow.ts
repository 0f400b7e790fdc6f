/**
 * Advancing the workflow, creating and amending reports, and the privileged
 * take-over of a reading claim (S15, S19). Reader actions need the claim:
 * the server refuses them from anyone else, whatever the client sends.
 */
import type { StudyStatus } from '../../shared/domain.ts'
import { formatDocName } from '../../shared/protocol.ts'
import { HttpError } from '../http/errors.ts'
import type { StudyRecord } from '../registry/types.ts'
import { bump, type ClaimTracker } from './claims.ts'
import {
  type Actor,
  auditStudy,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
  personOf,
} from './context.ts'
import { conflict, locked, notAllowed, staleFor } from './errors.ts'
import { notifyUsers, notifyViewers } from './notify.ts'
import { usableStudy } from './open-close.ts'
import { studyStateOf } from './projector.ts'
import { hasPrivilege, mayMove, TRANSITIONS } from './rules.ts'

type UserActor = Actor & { kind: 'user' }

export const TAKEOVER_REASON_MIN = 10

/** The claim check for reader actions: 423 naming the holder, or 409 when nobody reads it. */
export function requireClaim(study: StudyRecord, actor: UserActor): void {
  if (study.claim?.holder.id === actor.identity.id) return
  if (study.claim)
    throw locked(study.claim.holder, `${study.claim.holder.name} is reading this study`)
  throw conflict('Open the study on the desktop to read it first.')
}

export async function advanceStatus(
  ctx: DomainContext,
  actor: UserActor,
  accession: string,
  request: { to: StudyStatus; expectedRev: number },
): Promise<{ state: ReturnType<typeof studyStateOf> }> {
  const now = ctx.clock.now()
  const { study, from } = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    if (request.expectedRev !== study.rev) throw staleFor(study, now)
    const mover = TRANSITIONS[study.status]?.[request.to]
    if (!mover)
      throw conflict(`A study cannot go from ${study.status} to ${request.to}.`, {
        from: study.status,
      })
    if (!mayMove(mover, actor.user.role))
      throw notAllowed(`Your role cannot move a study to ${request.to}.`)
    if (mover === 'reader') requireClaim(study, actor)
    const from = study.status
    study.status = request.to
    bump(study, personOf(actor.user), now)
    return { study: structuredClone(study), from }
  })
  await auditStudy(ctx, actor, {
    action: 'study.status',
    accession,
    patientId: study.patientId,
    details: { from, to: request.to },
  })
  await ctx.projector.study(accession)
  notifyViewers(
    ctx,
    {
      kind: 'study.status',
      tier: 'toast',
      subject: { type: 'study', id: accession },
      by: { id: actor.identity.id, name: actor.identity.name },
      at: iso(now),
      changes: [{ field: 'status', from, to: request.to }],
      text: `Status ${from} → ${request.to} by ${actor.identity.name} at ${clockTime(now)} on study ${accession}`,
    },
    actor.identity.id,
  )
  return { state: studyStateOf(study) }
}

const TEMPLATES: Record<string, string> = {
  CT: 'TECHNIQUE:\n\nCOMPARISON:\n\nFINDINGS:\n\nIMPRESSION:\n',
  MR: 'TECHNIQUE:\n\nCOMPARISON:\n\nFINDINGS:\n\nIMPRESSION:\n',
  US: 'FINDINGS:\n\nIMPRESSION:\n',
  CR: 'VIEWS:\n\nFINDINGS:\n\nIMPRESSION:\n',
  MG: 'BREAST COMPOSITION:\n\nFINDINGS:\n\nBI-RADS:\n\nIMPRESSION:\n',
}

/** Create (optionally from the modality's template) or amend the report: claim holder only (S15). */
export async function reportAction(
  ctx: DomainContext,
  actor: UserActor,
  accession: string,
  request: { action: 'create' | 'amend'; autoTemplate: boolean },
): Promise<{ state: ReturnType<typeof studyStateOf> }> {
  const now = ctx.clock.now()
  const study = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    requireClaim(study, actor)
    if (request.action === 'amend') {
      if (study.status !== 'signed')
        throw conflict('Only a signed report can be amended.', { status: study.status })
      study.status = 'amending'
      bump(study, personOf(actor.user), now)
    }
    return structuredClone(study)
  })
  if (request.action === 'create' && request.autoTemplate) {
    await ctx.rooms.with(
      formatDocName({ kind: 'studyReport', accession: accession as never }),
      (room) => {
        const body = room.doc.getText('body')
        if (body.length === 0)
          room.serverWrite(() => body.insert(0, TEMPLATES[study.modality] ?? ''))
      },
    )
  }
  await auditStudy(ctx, actor, {
    action: `report.${request.action}`,
    accession,
    patientId: study.patientId,
    details: { autoTemplate: request.autoTemplate },
  })
  await ctx.projector.study(accession)
  return { state: studyStateOf(study) }
}

/**
 * Privileged take-over (S19): needs a reason, is audited, and hands the
 * draft over — the report document is untouched, only who may write it
 * changes. The previous holder is told and gets a copy of the draft.
 */
export async function takeOver(
  ctx: DomainContext,
  claims: ClaimTracker,
  actor: UserActor,
  accession: string,
  reason: string,
): Promise<{
  state: ReturnType<typeof studyStateOf>
  previousHolder: { id: string; name: string }
}> {
  if (!hasPrivilege(actor.user, 'takeOver'))
    throw notAllowed('Taking over a reading claim needs the takeOver privilege.')
  const trimmed = reason.trim()
  if (trimmed.length < TAKEOVER_REASON_MIN) {
    throw new HttpError(400, 'invalid_input', 'Give a reason for the take-over.', {
      reason: `at least ${TAKEOVER_REASON_MIN} characters`,
    })
  }
  const now = ctx.clock.now()
  const me = personOf(actor.user)
  const { study, previous } = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    if (!study.claim)
      throw conflict('Nobody is reading this study: open it on the desktop instead.')
    if (study.claim.holder.id === me.id) throw conflict('You already hold the reading claim.')
    const previous = study.claim.holder
    study.claim = { holder: me, since: now, view: 'desktop' }
    bump(study, me, now)
    return { study: structuredClone(study), previous }
  })
  claims.cancel(accession)
  claims.holderMayHaveVanished(accession, me.id)
  const draft = await ctx.rooms.with(
    formatDocName({ kind: 'studyReport', accession: accession as never }),
    (room) => room.doc.getText('body').toString(),
  )
  await auditStudy(ctx, actor, {
    action: 'claim.takeover',
    accession,
    patientId: study.patientId,
    details: { reason: trimmed, previousHolder: previous, draftLength: draft.length },
  })
  await ctx.projector.study(accession)
  const base = { subject: { type: 'study' as const, id: accession }, by: me, at: iso(now) }
  notifyUsers(ctx, [previous.id], {
    ...base,
    kind: 'claim.lost',
    tier: 'blocking',
    text: `Study ${accession} taken over by ${me.name} at ${clockTime(now)}: "${trimmed}". Your draft was handed over; a copy is attached.`,
    details: { draftCopy: draft, reason: trimmed },
  })
  notifyViewers(
    ctx,
    {
      ...base,
      kind: 'claim.takeover',
      tier: 'toast',
      text: `${me.name} took over reading study ${accession} from ${previous.name} at ${clockTime(now)}`,
    },
    previous.id,
  )
  return { state: studyStateOf(study), previousHolder: previous }
}
