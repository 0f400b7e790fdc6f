/**
 * Images and structured reports arriving from (or withdrawn by) DICOM systems
 * (S25): counts follow the SOP instance UIDs we were sent, so a resent
 * instance is not counted twice, and whoever has the study open is told.
 * Integrations and admins only.
 */
import { notFound } from '../http/errors.ts'
import type { StudyRecord } from '../registry/types.ts'
import { bump } from './claims.ts'
import { auditWho, plural, requireSystemOrAdmin, worklistChanged } from './command-support.ts'
import {
  type Actor,
  actorName,
  actorRef,
  clockTime,
  type DomainContext,
  findStudyIn,
  iso,
} from './context.ts'
import { notifyViewers } from './notify.ts'
import { usableStudy } from './open-close.ts'

type Kind = 'image' | 'sr'

const FIELDS = {
  image: { uids: 'imageUids', count: 'imageCount', label: 'Image' },
  sr: { uids: 'srUids', count: 'srCount', label: 'SR' },
} as const

interface Outcome {
  accession: string
  patientId: string
  /** The UIDs actually added or removed (duplicates and unknowns left out). */
  changed: string[]
  from: number
  to: number
  /** When the registry decided (epoch ms). */
  at: number
}

export async function addImages(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  sopInstanceUids: string[],
): Promise<{ accession: string; added: number; duplicates: number; imageCount: number }> {
  const outcome = await add(ctx, actor, accession, 'image', sopInstanceUids)
  const { changed, to } = outcome
  if (changed.length > 0) {
    const text = `${plural(changed.length, 'new image')} on study ${accession} (now ${to}) from ${actorName(actor)} at ${clockTime(outcome.at)}`
    announce(ctx, actor, 'study.images-added', outcome, 'imageCount', text)
  }
  return {
    accession,
    added: changed.length,
    duplicates: sopInstanceUids.length - changed.length,
    imageCount: to,
  }
}

export async function deleteImage(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  sopInstanceUid: string,
): Promise<{ accession: string; imageCount: number }> {
  const outcome = await remove(ctx, actor, accession, 'image', sopInstanceUid)
  const text = `Image ${sopInstanceUid} deleted from study ${accession} (now ${outcome.to}) by ${actorName(actor)} at ${clockTime(outcome.at)}`
  announce(ctx, actor, 'study.image-deleted', outcome, 'imageCount', text)
  return { accession, imageCount: outcome.to }
}

export async function addSr(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  sopInstanceUid: string,
): Promise<{ accession: string; added: boolean; srCount: number }> {
  const outcome = await add(ctx, actor, accession, 'sr', [sopInstanceUid])
  if (outcome.changed.length > 0) {
    const text = `SR ${sopInstanceUid} added to study ${accession} (now ${outcome.to}) by ${actorName(actor)} at ${clockTime(outcome.at)}`
    announce(ctx, actor, 'study.sr-added', outcome, 'srCount', text)
  }
  return { accession, added: outcome.changed.length > 0, srCount: outcome.to }
}

export async function deleteSr(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  sopInstanceUid: string,
): Promise<{ accession: string; srCount: number }> {
  const outcome = await remove(ctx, actor, accession, 'sr', sopInstanceUid)
  const text = `SR ${sopInstanceUid} removed from study ${accession} (now ${outcome.to}) by ${actorName(actor)} at ${clockTime(outcome.at)}`
  announce(ctx, actor, 'study.sr-removed', outcome, 'srCount', text)
  return { accession, srCount: outcome.to }
}

async function add(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  kind: Kind,
  uids: string[],
): Promise<Outcome> {
  requireSystemOrAdmin(actor, kind === 'image' ? 'Adding images' : 'Adding structured reports')
  const now = ctx.clock.now()
  const outcome = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    const known = new Set(study[FIELDS[kind].uids])
    const fresh = [...new Set(uids)].filter((u) => !known.has(u))
    return apply(study, kind, fresh, 1, actor, now)
  })
  await record(ctx, actor, `study.${kind}.add`, outcome, { sent: uids.length })
  return outcome
}

async function remove(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  kind: Kind,
  uid: string,
): Promise<Outcome> {
  requireSystemOrAdmin(actor, kind === 'image' ? 'Deleting images' : 'Removing structured reports')
  const now = ctx.clock.now()
  const outcome = await ctx.registry.update((data) => {
    const study = usableStudy(findStudyIn(data, accession), accession)
    // Instances that came with the seed or before UIDs were kept have no UID here: 404, not a guess.
    if (!study[FIELDS[kind].uids].includes(uid)) {
      throw notFound(`Study ${accession} has no ${FIELDS[kind].label} ${uid}.`)
    }
    return apply(study, kind, [uid], -1, actor, now)
  })
  await record(ctx, actor, `study.${kind}.delete`, outcome, {})
  return outcome
}

/** Adds (sign 1) or removes (sign -1) the given UIDs; bumps rev only when something changed. */
function apply(
  study: StudyRecord,
  kind: Kind,
  uids: string[],
  sign: 1 | -1,
  actor: Actor,
  now: number,
): Outcome {
  const { uids: uidField, count } = FIELDS[kind]
  const from = study[count]
  if (uids.length > 0) {
    const gone = new Set(uids)
    study[uidField] =
      sign === 1 ? [...study[uidField], ...uids] : study[uidField].filter((u) => !gone.has(u))
    study[count] = Math.max(0, from + sign * uids.length)
    bump(study, actorRef(actor), now)
  }
  return {
    accession: study.accession,
    patientId: study.patientId,
    changed: uids,
    from,
    to: study[count],
    at: now,
  }
}

async function record(
  ctx: DomainContext,
  actor: Actor,
  action: string,
  outcome: Outcome,
  extra: Record<string, unknown>,
): Promise<void> {
  await ctx.audit.append({
    ...auditWho(actor),
    action,
    subject: { type: 'study', id: outcome.accession },
    patientId: outcome.patientId,
    outcome: 'success',
    details: { uids: outcome.changed, from: outcome.from, to: outcome.to, ...extra },
  })
  if (outcome.changed.length > 0) await ctx.projector.study(outcome.accession)
}

function announce(
  ctx: DomainContext,
  actor: Actor,
  kind: string,
  outcome: Outcome,
  field: 'imageCount' | 'srCount',
  text: string,
): void {
  notifyViewers(
    ctx,
    {
      kind,
      tier: 'toast',
      subject: { type: 'study', id: outcome.accession },
      by: actorRef(actor),
      at: iso(outcome.at),
      changes: [{ field, from: outcome.from, to: outcome.to }],
      text,
      details: { sopInstanceUids: outcome.changed },
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, outcome.accession, 'updated')
}
