/**
 * Wording shared by the form elements: times, people, values. Times are shown in
 * the browser's local time with a 24-hour clock, the same format as the server's
 * notice texts ("by BOSE at 14:02:31").
 */
import type { PersonRef } from '../../shared/domain.ts'

const MAX_SHOWN_VALUE = 40

function toDate(at: string | number | Date): Date {
  return at instanceof Date ? at : new Date(at)
}

/** "14:02:31" */
export function clockTime(at: string | number | Date): string {
  return toDate(at).toLocaleTimeString('en-GB', { hour12: false })
}

/** "14:02" */
export function shortTime(at: string | number | Date): string {
  return toDate(at).toLocaleTimeString('en-GB', {
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
  })
}

/** A field value inside a sentence: empty values say so, long ones are clipped. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text
}

export function personName(by: PersonRef | 'SYSTEM' | null | undefined): string {
  if (by === 'SYSTEM') return 'SYSTEM'
  return by?.name ?? 'another user'
}

/** "performingPhysician" → "performing physician", "systemAdmin" → "system admin". */
export function words(camel: string): string {
  return camel.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
}

/** Up to two letters: "BOSE" → "BO", "Anna Huyen" → "AH". */
export function initials(name: string): string {
  const parts = name
    .trim()
    .split(/[\s^]+/)
    .filter(Boolean)
  if (parts.length === 0) return '?'
  if (parts.length === 1) return (parts[0] ?? '').slice(0, 2).toUpperCase()
  return `${parts[0]?.[0] ?? ''}${parts[1]?.[0] ?? ''}`.toUpperCase()
}

/** A stable colour per user, so the same person has the same colour in the bar and in fields. */
export function userColour(userId: string): string {
  let hash = 0
  for (const char of userId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  // Darkish tones: white initials on them keep a contrast ratio above 4.5:1.
  return `hsl(${hash % 360} 65% 32%)`
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? ''
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
