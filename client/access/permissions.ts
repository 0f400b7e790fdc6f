/**
 * What the web app offers whom. Shown or hidden only: the server decides every
 * request again (server/access/roles.ts, where admins imply both privileges).
 */
import type { SignedInUser } from '../app/contexts.ts'

type User = Pick<SignedInUser, 'role' | 'privileges'> | null | undefined

const ADMIN_ROLES = new Set(['admin', 'systemAdmin'])

/** Grant and withdraw access, reference numbers, buckets; the break-the-glass review queue. */
export function canManageAccess(user: User): boolean {
  return user != null && (ADMIN_ROLES.has(user.role) || user.privileges.includes('manageAccess'))
}

/** The audit trail: query, verify, export. */
export function canReadAudit(user: User): boolean {
  return user != null && (ADMIN_ROLES.has(user.role) || user.privileges.includes('readAudit'))
}

/**
 * Whether the user's access to a study may come from their own break-the-glass: only
 * roles without access to studies by default (API.md: the registration clerk), or a
 * study opened read-only. Everyone else already has access and cannot break the glass.
 */
export function mayBeUnlocked(user: User, openedReadOnly: boolean): boolean {
  return user != null && (openedReadOnly || user.role === 'clerk')
}
