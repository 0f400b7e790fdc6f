/**
 * Grouping studies (S20, seed 001 scenario 13): the request carries the `rev`
 * of every study as the user saw it; a study changed since is left out, and
 * the user is told who changed it and when. Decided in one registry update,
 * so nothing can change between the check and the grouping.
 */
import { badRequest } from '../http/errors.ts'
import type { RegistryData, StudyRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import { auditWho, worklistChanged } from './command-support.ts'
import {
  type Actor,
  actorName,
  actorRef,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
} from './context.ts'
import { notAllowed } from './errors.ts'
import { notifyViewers } from './notify.ts'
import { hasPrivilege, isAdmin } from './rules.ts'

export interface Exclusion {
  accession: string
  reason: string
  /** Who last changed the study ('SYSTEM' for machines), or null when there is no such study. */
  by: string | null
  /** When (ISO), or null when there is no such study. */
  at: string | null
}

export interface GroupResult {
  grouped: string[]
  group: string | null
  excluded: Exclusion[]
}

export interface GroupRequest {
  accessions: string[]
  expectedRevs: Record<string, number>
}

/** The smallest group worth making. */
const MIN_GROUP = 2

export async function groupStudies(
  ctx: DomainContext,
  actor: Actor,
  request: GroupRequest,
): Promise<GroupResult> {
  if (
    actor.kind === 'user' &&
    !isAdmin(actor.user) &&
    !hasPrivilege(actor.user, 'assignOtherPersonnel')
  ) {
    throw notAllowed('Grouping studies needs the assignOtherPersonnel privilege.')
  }
  const accessions = [...new Set(request.accessions)]
  const missing = accessions.filter((a) => typeof request.expectedRevs[a] !== 'number')
  if (missing.length > 0) {
    throw badRequest(
      'Send the rev you saw for every study.',
      Object.fromEntries(missing.map((a) => [`expectedRevs.${a}`, 'missing'])),
    )
  }
  const now = ctx.clock.now()
  const { result, previous } = await ctx.registry.update((data) =>
    decide(data, accessions, request.expectedRevs, actor, now),
  )
  await record(ctx, actor, result, previous, now)
  return result
}

/** Each grouped study's group before this one (for the notice's from → to). */
type Previous = Record<string, string | null>

function decide(
  data: RegistryData,
  accessions: string[],
  expectedRevs: Record<string, number>,
  actor: Actor,
  now: number,
): { result: GroupResult; previous: Previous } {
  const excluded: Exclusion[] = []
  const candidates: StudyRecord[] = []
  for (const accession of accessions) {
    const study = findStudyIn(data, accession)
    const why = study ? exclusionOf(study, expectedRevs[accession]!) : null
    if (!study)
      excluded.push({ accession, reason: `There is no study ${accession}.`, by: null, at: null })
    else if (why) excluded.push({ accession, reason: why, ...lastChange(study) })
    else candidates.push(study)
  }
  const patientId = candidates[0]?.patientId
  const members = candidates.filter((s) => s.patientId === patientId)
  for (const study of candidates.filter((s) => s.patientId !== patientId)) {
    excluded.push({
      accession: study.accession,
      reason: `belongs to another patient (${study.patientId}, not ${patientId})`,
      ...lastChange(study),
    })
  }
  if (members.length < MIN_GROUP)
    return { result: { grouped: [], group: null, excluded }, previous: {} }
  const group = `G-${members[0]!.accession}`
  const previous: Previous = {}
  for (const study of members) {
    previous[study.accession] = study.group
    study.group = group
    bump(study, actorRef(actor), now)
  }
  return { result: { grouped: members.map((s) => s.accession), group, excluded }, previous }
}

/** Why a study that exists cannot join, or null. */
function exclusionOf(study: StudyRecord, expectedRev: number): string | null {
  if (study.lifecycle !== 'active') {
    return `was ${study.lifecycle}${study.mergedInto ? ` into ${study.mergedInto}` : ''} by ${lastChange(study).by} at ${timeOf(study)}`
  }
  if (study.rev !== expectedRev)
    return `changed by ${lastChange(study).by} at ${timeOf(study)} since you looked`
  return null
}

function lastChange(study: StudyRecord): { by: string; at: string } {
  const by = study.updatedBy && study.updatedBy !== 'SYSTEM' ? study.updatedBy.name : 'SYSTEM'
  return { by, at: iso(study.updatedAt ?? 0) }
}

function timeOf(study: StudyRecord): string {
  return clockTime(study.updatedAt ?? 0)
}

async function record(
  ctx: DomainContext,
  actor: Actor,
  result: GroupResult,
  previous: Previous,
  now: number,
): Promise<void> {
  const data = ctx.registry.read()
  for (const accession of result.grouped) {
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'study.group',
      subject: { type: 'study', id: accession },
      patientId: findStudyIn(data, accession)?.patientId,
      outcome: 'success',
      details: {
        group: result.group,
        previousGroup: previous[accession] ?? null,
        members: result.grouped,
        excluded: result.excluded,
      },
    })
  }
  if (result.grouped.length === 0) {
    await ctx.audit.append({
      ...auditWho(actor),
      action: 'study.group',
      subject: { type: 'study', id: result.excluded[0]?.accession ?? '' },
      outcome: 'refused',
      details: { reason: 'fewer than two studies could be grouped', excluded: result.excluded },
    })
    return
  }
  for (const accession of result.grouped) {
    await ctx.projector.study(accession)
    announce(ctx, actor, accession, result, previous[accession] ?? null, now)
  }
}

function announce(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  result: GroupResult,
  from: string | null,
  now: number,
): void {
  const others = result.grouped.filter((a) => a !== accession).join(', ')
  notifyViewers(
    ctx,
    {
      kind: 'study.grouped',
      tier: 'toast',
      subject: { type: 'study', id: accession },
      by: actorRef(actor),
      at: iso(now),
      changes: [{ field: 'group', from, to: result.group }],
      text: `Study ${accession} grouped with ${others} (${result.group}) by ${actorName(actor)} at ${clockTime(now)}`,
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, accession, 'updated')
}
