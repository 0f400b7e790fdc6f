/**
 * One HL7 v2 message (ER7 text) → one typed command for the domain layer, or the
 * AR/AE that API.md `POST /api/v1/hl7` promises. Pure: no registry, no clock, no I/O;
 * never throws (a hostile body must not take the endpoint down).
 */
import { patientMerge, patientUpdate } from './adt.ts'
import { checkHeader, readHeader } from './header.ts'
import { orderUpsert } from './order.ts'
import { Hl7Problem, rejected } from './problem.ts'
import { type Hl7Message, readMsh, readSegments, splitSegments } from './reader.ts'
import type { Hl7Command, Hl7Header, Hl7Result } from './types.ts'

export type {
  Hl7Command,
  Hl7Condition,
  Hl7ErrorDetail,
  Hl7Hd,
  Hl7Header,
  Hl7Result,
} from './types.ts'

/** MSH-9 code^trigger → builder. Message structure (MSH-9.3) is not checked: v2.3 senders omit it. */
const HANDLERS: Record<string, (message: Hl7Message) => Hl7Command> = {
  'ADT^A08': patientUpdate,
  'ADT^A40': patientMerge,
  'ORM^O01': orderUpsert,
  'OMI^O23': orderUpsert,
}

export function parseHl7(text: string): Hl7Result {
  let header: Hl7Header | null = null
  try {
    const lines = splitSegments(text)
    header = readHeader(readMsh(lines))
    checkHeader(header)
    const handler = handlerFor(header)
    const command = handler(readSegments(lines))
    return { ok: true, command, header }
  } catch (error) {
    return failure(error, header)
  }
}

function handlerFor(header: Hl7Header): (message: Hl7Message) => Hl7Command {
  const type = `${header.messageCode}^${header.triggerEvent}`
  const handler = HANDLERS[type]
  if (handler !== undefined) return handler
  // 201 when we know the message code but not this event (ADT^A99), 200 otherwise.
  const knownCode = Object.keys(HANDLERS).some((k) => k.startsWith(`${header.messageCode}^`))
  throw rejected('MSH', 9, knownCode ? '201' : '200', `message type ${type} is not supported`)
}

function failure(error: unknown, header: Hl7Header | null): Hl7Result {
  if (error instanceof Hl7Problem) {
    return { ok: false, code: error.code, reason: error.message, header, error: error.detail }
  }
  // A bug here or in the library: refuse the message rather than guess at its meaning.
  const why = error instanceof Error ? error.message : String(error)
  const reason = `message could not be processed: ${why}`
  return { ok: false, code: 'AR', reason, header, error: { condition: '207' } }
}
