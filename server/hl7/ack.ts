/**
 * The HL7 ACK for one inbound message (original acknowledgment mode, v2.5 §2.9.2):
 * MSH (sender/receiver swapped), MSA, and for AE/AR an ERR saying where and why.
 * Always written with the standard encoding characters `|^~\&`; segments end in `\r`.
 */
import type { Hl7ErrorDetail, Hl7Hd, Hl7Header, Hl7Result } from './types.ts'

export { mllpFrame, mllpUnframe } from './mllp.ts'

export type AckCode = 'AA' | 'AE' | 'AR'

export interface AckOptions {
  /** ERR-1/ERR-2/ERR-3; parseHl7's failure carries one. Without it ERR says 207. */
  error?: Hl7ErrorDetail
  /** MSH-10 of the ACK; default `A` + epoch milliseconds of `now`. */
  controlId?: string
}

/** Table 0357 names, for ERR-3.2 and ERR-1.4.2. */
const CONDITION_NAMES: Record<Hl7ErrorDetail['condition'], string> = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '207': 'Application internal error',
}

/** When MSH was unreadable we still answer, in the version most senders speak. */
const FALLBACK_VERSION = '2.5.1'

export function buildAck(
  header: Hl7Header | null,
  code: AckCode,
  text: string | undefined,
  now: Date,
  options: AckOptions = {},
): string {
  const segments = [mshSegment(header, now, options.controlId), msaSegment(header, code, text)]
  if (code !== 'AA') segments.push(errSegment(options.error ?? { condition: '207' }, text ?? ''))
  return `${segments.join('\r')}\r`
}

/** The ACK for a parse result as it stands (AA for a command, else its AR/AE with ERR). */
export function ackFor(result: Hl7Result, now: Date): string {
  if (result.ok) return buildAck(result.header, 'AA', undefined, now)
  return buildAck(result.header, result.code, result.reason, now, { error: result.error })
}

function mshSegment(header: Hl7Header | null, now: Date, controlId?: string): string {
  return [
    'MSH',
    '^~\\&',
    hd(header?.receivingApplication),
    hd(header?.receivingFacility),
    hd(header?.sendingApplication),
    hd(header?.sendingFacility),
    timestamp(now),
    '',
    `ACK^${escapeHl7(header?.triggerEvent ?? '')}^ACK`,
    escapeHl7(controlId ?? `A${now.getTime()}`),
    escapeHl7(header?.processingId || 'P'),
    escapeHl7(header?.version || FALLBACK_VERSION),
  ].join('|')
}

/** MSA-3 is ST(80) and deprecated since v2.4 but still the first thing people read. */
function msaSegment(header: Hl7Header | null, code: AckCode, text: string | undefined): string {
  const fields = ['MSA', code, escapeHl7(header?.controlId ?? '')]
  if (text) fields.push(escapeHl7(text.slice(0, 80)))
  return fields.join('|')
}

/**
 * ERR-1 (ELD, what v2.1–2.4 receivers read) and ERR-2/3/4/8 (v2.5+); each side ignores
 * the fields it does not know, so one layout serves both.
 */
function errSegment(error: Hl7ErrorDetail, text: string): string {
  const name = CONDITION_NAMES[error.condition]
  const segment = error.segment ?? ''
  const field = error.field === undefined ? '' : String(error.field)
  const located = segment !== ''
  const eld = located ? `${segment}^1^${field}^${error.condition}&${name}&HL70357` : ''
  const erl = located ? [segment, '1', field].join('^').replace(/\^+$/, '') : ''
  const cwe = `${error.condition}^${name}^HL70357`
  return ['ERR', eld, erl, cwe, 'E', '', '', '', escapeHl7(text.slice(0, 250))].join('|')
}

function hd(value: Hl7Hd | undefined): string {
  if (value === undefined) return ''
  const parts = [value.namespaceId, value.universalId, value.universalIdType].map(escapeHl7)
  return parts.join('^').replace(/\^+$/, '')
}

/** DTM in UTC with an explicit offset, so the receiver need not guess our zone. */
function timestamp(now: Date): string {
  return `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`
}

/** Escapes our delimiters (v2.5 §2.7.4); CR/LF as \X0D\ / \X0A\ so a reason cannot end a segment. */
export function escapeHl7(value: string): string {
  return value
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/&/g, '\\T\\')
    .replace(/~/g, '\\R\\')
    .replace(/\r/g, '\\X0D\\')
    .replace(/\n/g, '\\X0A\\')
}
