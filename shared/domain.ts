/** Domain vocabulary shared by server and client (API.md). */

export const ROLES = [
  'radiologist',
  'performingPhysician',
  'technologist',
  'transcriptionist',
  'clerk',
  'admin',
  'systemAdmin',
  'system',
  'patient',
] as const
export type Role = (typeof ROLES)[number]

export const PRIVILEGES = [
  'assignReadingPhysician',
  'assignOtherPersonnel',
  'approve',
  'mergeDelete',
  'takeOver',
  'readAudit',
  'manageAccess',
] as const
export type Privilege = (typeof PRIVILEGES)[number]

export interface PersonRef {
  id: string
  name: string
}

/** The identity the server stamps into presence and attributes changes to. */
export interface UserIdentity extends PersonRef {
  role: Role
}

export const PRIORITIES = ['STAT', 'CRITFIND', 'URGENT', 'ROUTINE'] as const
export type Priority = (typeof PRIORITIES)[number]

export const STUDY_STATUSES = [
  'scheduled',
  'arrived',
  'in-progress',
  'ready-to-read',
  'read',
  'dictated',
  'transcribed',
  'signed',
  'amending',
] as const
export type StudyStatus = (typeof STUDY_STATUSES)[number]

/** How a status reads in the UI, everywhere: "ready-to-read" → "ready to read". */
export function statusLabel(status: string): string {
  return status.replaceAll('-', ' ')
}

export const MODALITIES = ['CR', 'CT', 'MR', 'US', 'MG'] as const
export type Modality = (typeof MODALITIES)[number]

export type Lifecycle = 'active' | 'deleted' | 'merged'

export const PRESENCE_MODES = ['viewing', 'editing', 'reading'] as const
export type PresenceMode = (typeof PRESENCE_MODES)[number]

export const VIEWS = ['info', 'desktop', 'documents'] as const
export type View = (typeof VIEWS)[number]
