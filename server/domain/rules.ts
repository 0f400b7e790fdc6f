/** Pure rules: who is auto-assigned on open, who may assign, which status moves exist (S12–S16). */
import type { PersonRef, Privilege, Role, StudyStatus } from '../../shared/domain.ts'
import type { StudyRecord, UserRecord } from '../registry/types.ts'

export const ASSIGNMENT_ROLES = [
  'readingPhysician',
  'performingPhysician',
  'technologist',
  'transcriptionist',
] as const
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number]

export const ROLE_LABEL: Record<AssignmentRole, string> = {
  readingPhysician: 'Reading Physician',
  performingPhysician: 'Performing Physician',
  technologist: 'Technologist',
  transcriptionist: 'Transcriptionist',
}

/** Which user roles may hold each assignment (a systemwide admin can stand in for the others, S16). */
const ASSIGNABLE: Record<AssignmentRole, ReadonlySet<Role>> = {
  readingPhysician: new Set(['radiologist']),
  performingPhysician: new Set(['performingPhysician', 'systemAdmin']),
  technologist: new Set(['technologist', 'systemAdmin']),
  transcriptionist: new Set(['transcriptionist', 'systemAdmin']),
}

export function canHold(role: AssignmentRole, user: UserRecord): boolean {
  return ASSIGNABLE[role].has(user.role)
}

export function isAdmin(user: { role: Role }): boolean {
  return user.role === 'admin' || user.role === 'systemAdmin'
}

export function privilegeToAssign(role: AssignmentRole): Privilege {
  return role === 'readingPhysician' ? 'assignReadingPhysician' : 'assignOtherPersonnel'
}

export function hasPrivilege(user: UserRecord, privilege: Privilege): boolean {
  return user.privileges.includes(privilege)
}

/** The assignments a user gets by opening an unassigned study (first opener wins). */
export function autoAssignmentsFor(user: UserRecord): AssignmentRole[] {
  switch (user.role) {
    case 'radiologist':
      return ['readingPhysician']
    case 'performingPhysician':
      return ['performingPhysician']
    case 'technologist':
      return ['technologist']
    case 'transcriptionist':
      return ['transcriptionist']
    case 'systemAdmin':
      return ['performingPhysician', 'technologist', 'transcriptionist']
    default:
      return []
  }
}

/** Applies auto-assignment to a study in place; returns the roles the user won. */
export function autoAssign(
  study: StudyRecord,
  user: UserRecord,
  person: PersonRef,
): AssignmentRole[] {
  const won: AssignmentRole[] = []
  for (const role of autoAssignmentsFor(user)) {
    if (study[role] === null) {
      study[role] = person
      won.push(role)
    }
  }
  return won
}

export type Mover = 'staff' | 'reader' | 'transcriptionist'

/** The workflow (API.md): from → to, and who may move it. Reader moves need the reading claim. */
export const TRANSITIONS: Partial<Record<StudyStatus, Partial<Record<StudyStatus, Mover>>>> = {
  scheduled: { arrived: 'staff' },
  arrived: { 'in-progress': 'staff' },
  'in-progress': { 'ready-to-read': 'staff' },
  'ready-to-read': { read: 'reader' },
  read: { dictated: 'reader' },
  dictated: { transcribed: 'transcriptionist' },
  transcribed: { signed: 'reader' },
  signed: { amending: 'reader' },
  amending: { signed: 'reader' },
}

const STAFF_ROLES: ReadonlySet<Role> = new Set([
  'technologist',
  'performingPhysician',
  'admin',
  'systemAdmin',
  'system',
])

export function mayMove(mover: Mover, role: Role): boolean {
  switch (mover) {
    case 'staff':
      return STAFF_ROLES.has(role)
    case 'reader':
      return role === 'radiologist'
    case 'transcriptionist':
      return role === 'transcriptionist' || role === 'admin' || role === 'systemAdmin'
  }
}
