/**
 * One typed error for everything that makes a message unacceptable. Extractors throw it
 * so each stays a few lines long; parseHl7 is the only place that catches it.
 */
import type { Hl7Condition, Hl7ErrorDetail } from './types.ts'

export class Hl7Problem extends Error {
  constructor(
    readonly code: 'AR' | 'AE',
    readonly detail: Hl7ErrorDetail,
    reason: string,
  ) {
    super(reason)
    this.name = 'Hl7Problem'
  }
}

/** `PID-7`, or `PID` for a whole segment. */
export function locationText(segment: string, field?: number): string {
  return field === undefined ? segment : `${segment}-${field}`
}

/** AR: the message is not HL7 v2 we can read, or a type/structure we do not support. */
export function rejected(
  segment: string,
  field: number | undefined,
  condition: Hl7Condition,
  text: string,
): Hl7Problem {
  return new Hl7Problem(
    'AR',
    { segment, field, condition },
    `${locationText(segment, field)} ${text}`,
  )
}

/** AR for text that is not segments at all: there is no segment to point at. */
export function malformed(text: string): Hl7Problem {
  return new Hl7Problem('AR', { condition: '100' }, text)
}

/** AE: readable HL7, but a value is missing or wrong. */
export function invalid(
  segment: string,
  field: number,
  condition: Hl7Condition,
  text: string,
): Hl7Problem {
  return new Hl7Problem(
    'AE',
    { segment, field, condition },
    `${locationText(segment, field)} ${text}`,
  )
}

/** Quotes a sender's value for a reason text, cut short so an ACK stays readable. */
export function shown(value: string): string {
  const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value
  return JSON.stringify(cut)
}
