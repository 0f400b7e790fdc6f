/**
 * What the lifecycle, grouping, image and HL7 commands share: who may run
 * them, how their actor appears in the audit trail, and the worklist feed
 * event that tells every open worklist a row changed.
 */
import type { Role } from '../../shared/domain.ts'
import type { AuditEntryInput } from '../audit/types.ts'
import { type Actor, auditActor, auditSource, type DomainContext } from './context.ts'
import { notAllowed } from './errors.ts'
import { hasPrivilege } from './rules.ts'

/** The actor, on-behalf-of and source blocks of an audit entry. */
export function auditWho(actor: Actor): Pick<AuditEntryInput, 'actor' | 'onBehalfOf' | 'source'> {
  const onBehalfOf = actor.kind === 'system' ? actor.onBehalfOf : undefined
  return {
    actor: auditActor(actor),
    ...(onBehalfOf ? { onBehalfOf } : {}),
    source: auditSource(actor),
  }
}

/** Merge and delete need the mergeDelete privilege; SYSTEM (HL7) acts for the site. */
export function requireMergeDelete(actor: Actor, what: string): void {
  if (actor.kind === 'system' || hasPrivilege(actor.user, 'mergeDelete')) return
  throw notAllowed(`${what} needs the mergeDelete privilege.`)
}

/** Roles that may post what machines send (images, SR, HL7). */
export const SYSTEM_ROLES: ReadonlySet<Role> = new Set(['system', 'admin', 'systemAdmin'])

export function requireSystemOrAdmin(actor: Actor, what: string): void {
  if (actor.kind === 'system' || SYSTEM_ROLES.has(actor.user.role)) return
  throw notAllowed(`${what} is for integrations and admins only.`)
}

/** Live worklist event for everyone with a feed open (the worklist document itself is re-projected). */
export function worklistChanged(
  ctx: DomainContext,
  accession: string,
  change: 'updated' | 'removed' | 'added',
): void {
  ctx.hub.broadcastLive({ type: 'worklist', data: { accession, change } })
}

/** "1 image", "3 images". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
