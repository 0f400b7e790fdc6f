/** Sending notices: to named users, or to everyone who has a study or patient open. */
import type { Notice } from '../events/types.ts'
import type { DomainContext } from './context.ts'

export function notifyUsers(ctx: DomainContext, userIds: Iterable<string>, notice: Notice): void {
  ctx.hub.publishMany(new Set(userIds), { type: 'notice', data: notice })
}

/** Everyone with the subject open, except `exceptUserId` (usually the author). */
export function notifyViewers(ctx: DomainContext, notice: Notice, exceptUserId?: string): void {
  const users = ctx.viewers.usersWith(notice.subject)
  if (exceptUserId) users.delete(exceptUserId)
  notifyUsers(ctx, users, notice)
}
