/** Words and times as the worklist shows and announces them. */
import type { AccessEntry } from '../../shared/api-types.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** "14:02", or "2026-11-21 14:02" when not today (local time). Unparseable → as given. */
export function clockTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return iso
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`
  return sameDay(at, now) ? time : `${isoDate(at)} ${time}`
}

/** "14:02:31" (local time) — the precision of S11's "updated by … at …". */
export function clockSeconds(iso: string): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return iso
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
}

function sameDay(a: Date, b: Date): boolean {
  return isoDate(a) === isoDate(b)
}

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** DICOM `FAMILY^GIVEN` → "FAMILY, GIVEN". */
export function patientName(dicom: string): string {
  const [family = '', given = ''] = dicom.split('^')
  return given ? `${family}, ${given}` : family
}

const ROLE_NAMES: Record<string, string> = {
  radiologist: 'radiologist',
  performingPhysician: 'performing physician',
  technologist: 'technologist',
  transcriptionist: 'transcriptionist',
  clerk: 'registration clerk',
  admin: 'admin',
  systemAdmin: 'systemwide admin',
  system: 'system',
  patient: 'patient',
}

export const roleName = (role: string) => ROLE_NAMES[role] ?? role

const VIEW_NAMES: Record<string, string> = {
  info: 'study info form',
  desktop: 'reading desktop',
  documents: 'document viewer',
}

export const viewName = (view: string | null) => (view ? (VIEW_NAMES[view] ?? view) : 'study')

export const isLost = (entry: AccessEntry) => entry.connection === 'lost'

/** "Open by BOSE (reading) since 14:02", one per entry, joined with "; " (API.md "Web app"). */
export function accessLabel(entries: readonly AccessEntry[], now: Date = new Date()): string {
  return entries
    .map((e) => {
      const how = isLost(e) ? `${e.mode}, connection lost` : e.mode
      return `Open by ${e.name} (${how}) since ${clockTime(e.since, now)}`
    })
    .join('; ')
}
