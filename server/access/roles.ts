/**
 * Roles and privileges as data (issue 6, DESIGN §7). What a role may do without
 * any per-study grant lives in one table; per-study grants, break-the-glass,
 * buckets and patient reference numbers add to it in policy.ts. Privileges are
 * held per user (UserRecord.privileges); a role may imply some of them.
 */
import type { Privilege, Role } from '../../shared/domain.ts'

/** Access to documents of a kind: none, read-only, or read and write. */
export type Level = 'none' | 'view' | 'edit'

export interface RolePolicy {
  label: string
  /** Baseline access to every study's info form, before any grant. */
  study: Level
  /** Access to patient registration forms. */
  patientForm: Level
  /**
   * `all`: the site worklist (REST and the `worklist` document); `granted`: only a
   * REST worklist of studies granted to them (403 when there is none); `none`: no worklist.
   */
  worklist: 'all' | 'granted' | 'none'
  /** May unlock a study they have no access to by giving a reason (S31). */
  breakGlass: boolean
  /** Privileges every holder of the role has, whatever their own list says. */
  implies: readonly Privilege[]
  /** A scoped session (a patient's reference-number login): one study, read-only (S32). */
  scoped: boolean
}

const ADMIN_IMPLIES: readonly Privilege[] = ['manageAccess', 'readAudit']

export const ROLE_POLICY: Readonly<Record<Role, RolePolicy>> = {
  radiologist: staff('Radiologist (reading physician)', 'edit', 'view'),
  performingPhysician: staff('Performing physician', 'edit', 'view'),
  technologist: staff('Technologist', 'edit', 'edit'),
  transcriptionist: staff('Transcriptionist', 'edit', 'view'),
  clerk: { ...staff('Registration clerk', 'none', 'edit'), worklist: 'granted' },
  admin: { ...staff('Admin', 'edit', 'edit'), implies: ADMIN_IMPLIES },
  systemAdmin: { ...staff('Systemwide admin', 'edit', 'edit'), implies: ADMIN_IMPLIES },
  // A service account (HL7, DICOM) has no person to hold accountable for an unlock.
  system: { ...staff('System (integrations)', 'edit', 'edit'), breakGlass: false },
  patient: {
    label: 'Patient',
    study: 'none',
    patientForm: 'none',
    worklist: 'none',
    breakGlass: false,
    implies: [],
    scoped: true,
  },
}

export const PRIVILEGE_LABEL: Readonly<Record<Privilege, string>> = {
  assignReadingPhysician: 'Assign Reading Physician',
  assignOtherPersonnel: 'Assign Other Personnel',
  approve: 'Approve',
  mergeDelete: 'Merge/Delete',
  takeOver: 'Take over',
  readAudit: 'Read Audit',
  manageAccess: 'Manage Access',
}

function staff(label: string, study: Level, patientForm: Level): RolePolicy {
  return {
    label,
    study,
    patientForm,
    worklist: 'all',
    breakGlass: true,
    implies: [],
    scoped: false,
  }
}

/** Whether a user holds a privilege, directly or through their role. */
export function may(user: { role: Role; privileges: readonly Privilege[] }, p: Privilege): boolean {
  return user.privileges.includes(p) || ROLE_POLICY[user.role].implies.includes(p)
}

const RANK: Readonly<Record<Level, number>> = { none: 0, view: 1, edit: 2 }

export function maxLevel(a: Level, b: Level): Level {
  return RANK[a] >= RANK[b] ? a : b
}
