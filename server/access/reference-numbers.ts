/**
 * Patient reference numbers (S32, seed 002 "Reference number"): the department's
 * format rule, the minimum-complexity check that flags legacy numbers as unusable,
 * and the PIN rules. Pure functions; the routes keep the records.
 */
import { randomInt } from 'node:crypto'

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U/V). */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ'

/** Random characters after the modality prefix. */
export const REFERENCE_BODY_LENGTH = 10

const BODY_PATTERN = new RegExp(`^[${REFERENCE_ALPHABET}]+$`)

/**
 * The department's minimum complexity: the part after an optional `<MODALITY>-`
 * prefix has at least 10 characters, all from the unambiguous alphabet, with at
 * least one letter and one digit.
 */
export function isCompliant(number: string): boolean {
  const body = number.replace(/^[A-Z]{2}-/, '')
  return (
    body.length >= REFERENCE_BODY_LENGTH &&
    BODY_PATTERN.test(body) &&
    /[A-Z]/.test(body) &&
    /[0-9]/.test(body)
  )
}

/** `<MODALITY>-<10 characters>` from crypto randomness, drawn again until compliant. */
export function generateReferenceNumber(modality: string, random = randomInt): string {
  for (;;) {
    let body = ''
    for (let i = 0; i < REFERENCE_BODY_LENGTH; i++) {
      body += REFERENCE_ALPHABET[random(REFERENCE_ALPHABET.length)]
    }
    const number = `${modality}-${body}`
    if (isCompliant(number)) return number
  }
}

/** How patients type it: case and surrounding blanks do not matter. */
export function normalizeReferenceNumber(input: string): string {
  return input.trim().toUpperCase()
}

/** Why a PIN is refused, or null when it is acceptable. */
export function pinProblem(pin: string): string | null {
  if (!/^[0-9]{4,8}$/.test(pin)) return 'The PIN must be 4 to 8 digits.'
  if (/^(.)\1*$/.test(pin)) return 'The PIN must not repeat one digit (like 1111).'
  if (isRun(pin, 1) || isRun(pin, -1))
    return 'The PIN must not be a simple run of digits (like 1234 or 4321).'
  return null
}

function isRun(pin: string, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    if (Number(pin[i]) - Number(pin[i - 1]) !== step) return false
  }
  return true
}

/** The last four characters, for audit details and logs: never the whole number. */
export function maskReferenceNumber(number: string): string {
  return `…${number.slice(-4)}`
}
