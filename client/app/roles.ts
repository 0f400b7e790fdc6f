/** How roles read in the top bar, and what the shell shows whom (the server enforces the rest). */
import type { Role } from '../../shared/domain.ts'

const ROLE_LABELS: Record<Role, string> = {
  radiologist: 'Radiologist',
  performingPhysician: 'Performing physician',
  technologist: 'Technologist',
  transcriptionist: 'Transcriptionist',
  clerk: 'Registration clerk',
  admin: 'Admin',
  systemAdmin: 'System admin',
  system: 'System',
  patient: 'Patient',
}

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as Role] ?? role
}

/** The presence dashboard is for admins (GET /api/v1/presence is admin-only). */
export function seesPresence(role: string): boolean {
  return role === 'admin' || role === 'systemAdmin'
}

/** The audit viewer: admins, and whoever holds Read Audit (GET /api/v1/audit checks it again). */
export function seesAudit(user: { role: string; privileges: readonly string[] }): boolean {
  return seesPresence(user.role) || user.privileges.includes('readAudit')
}
