/**
 * What a merge or delete tells the world (S21–S23): the 4410 close of every
 * connection to the gone subject, the forced-close feed event and blocking
 * notice to whoever had it open, and the worklist change.
 */
import { CloseCode, type GoneReason } from '../../shared/protocol.ts'
import { plural, worklistChanged } from './command-support.ts'
import { type Actor, actorName, actorRef, clockTime, type DomainContext, iso } from './context.ts'
import { notifyUsers, notifyViewers } from './notify.ts'

export type Subject = { type: 'study' | 'patient'; id: string }

export const studySubject = (accession: string): Subject => ({ type: 'study', id: accession })
export const patientSubject = (patientId: string): Subject => ({ type: 'patient', id: patientId })

/** A WebSocket close reason holds at most 123 bytes (RFC 6455 §5.5). */
const CLOSE_REASON_MAX_BYTES = 123

/**
 * The 4410 close reason JSON (API.md "Sync"), cut to fit a close frame (ws
 * throws on a longer one) without breaking the JSON: names are shortened
 * first; only pathological ids lose `by`, then `at` — never the reason.
 */
export function goneReasonText(reason: GoneReason): string {
  const { by, at, ...rest } = reason
  const shortBy = by === 'SYSTEM' ? by : { id: by.id.slice(0, 16), name: by.name.slice(0, 16) }
  const candidates = [
    reason,
    { ...rest, by: shortBy, at },
    { ...rest, at },
    rest,
    { reason: reason.reason },
  ]
  const texts = candidates.map((c) => JSON.stringify(c))
  return texts.find((t) => Buffer.byteLength(t) <= CLOSE_REASON_MAX_BYTES) ?? texts.at(-1)!
}

/**
 * Closes every sync connection to the subject's documents with 4410 and forgets
 * its REST opens. Returns who had it open: those `usersWith` saw before the
 * close plus those the close reached.
 */
export function closeSubject(
  ctx: DomainContext,
  subject: Subject,
  reason: GoneReason,
): Set<string> {
  const users = ctx.viewers.usersWith(subject)
  const prefix = `${subject.type}/${subject.id}`
  for (const id of ctx.closeDocuments(prefix, CloseCode.gone, goneReasonText(reason))) users.add(id)
  if (subject.type === 'study') ctx.viewers.forget(subject.id)
  return users
}

/** forced-close to every tab that had it open; a blocking notice to everyone but the author. */
export function announceGone(
  ctx: DomainContext,
  actor: Actor,
  subject: Subject,
  reason: GoneReason,
  users: Set<string>,
  now: number,
  suffix = '',
): void {
  const mergedInto = reason.mergedInto ? { mergedInto: reason.mergedInto } : {}
  ctx.hub.publishMany(users, {
    type: 'forced-close',
    data: { subject, reason: reason.reason, by: reason.by, at: reason.at, ...mergedInto },
  })
  const what = reason.reason === 'merged' ? `merged into ${reason.mergedInto}` : 'deleted'
  const others = new Set(users)
  if (actor.kind === 'user') others.delete(actor.identity.id)
  notifyUsers(ctx, others, {
    kind: `${subject.type}.${reason.reason}`,
    tier: 'blocking',
    subject,
    by: reason.by,
    at: reason.at,
    text: `${subject.type} ${subject.id} ${what} by ${actorName(actor)} at ${clockTime(now)}${suffix}`,
    details: { ...mergedInto },
  })
  if (subject.type === 'study') worklistChanged(ctx, subject.id, 'removed')
}

export type Counts = Record<'imageCount' | 'srCount', { from: number; to: number }>

/** Viewers of the target see what the merge brought (toast). */
export function announceMergedIn(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  into: string,
  counts: Counts,
  now: number,
): void {
  const added = counts.imageCount.to - counts.imageCount.from
  notifyViewers(
    ctx,
    {
      kind: 'study.merged-in',
      tier: 'toast',
      subject: studySubject(into),
      by: actorRef(actor),
      at: iso(now),
      changes: [
        { field: 'imageCount', ...counts.imageCount },
        { field: 'srCount', ...counts.srCount },
      ],
      text: `study ${accession} merged into study ${into} by ${actorName(actor)} at ${clockTime(now)}: ${plural(added, 'image')} added (now ${counts.imageCount.to})`,
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, into, 'updated')
}

export function announceMove(
  ctx: DomainContext,
  actor: Actor,
  accession: string,
  from: string,
  to: string,
  now: number,
): void {
  notifyViewers(
    ctx,
    {
      kind: 'study.patient-changed',
      tier: 'toast',
      subject: studySubject(accession),
      by: actorRef(actor),
      at: iso(now),
      changes: [{ field: 'patientId', from, to }],
      text: `Patient ${from} → ${to} by ${actorName(actor)} at ${clockTime(now)} on study ${accession} (patient ${from} merged into ${to})`,
    },
    actor.kind === 'user' ? actor.identity.id : undefined,
  )
  worklistChanged(ctx, accession, 'updated')
}
