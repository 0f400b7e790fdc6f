/**
 * Turning an `AuditEntryInput` into a chained `AuditEntry` and its stored line.
 *
 * Validation and copying happen when `append` is called, so a bad entry is refused at
 * once (without using up an id) and a caller that mutates its objects afterwards cannot
 * change what gets written. The copy goes through canonical JSON, so the entry kept in
 * memory is exactly what a later read of the file parses back.
 */
import { canonicalJson, hashCanonical } from './chain.ts'
import type { AuditEntry, AuditEntryInput, AuditOutcome, AuditSubjectType } from './types.ts'

const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'refused']
const SUBJECT_TYPES: readonly AuditSubjectType[] = [
  'study',
  'patient',
  'user',
  'session',
  'audit',
  'document',
  'system',
]
/** Dotted words; no `*`, which queries use as the prefix wildcard. */
const ACTION = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/
const MAX_ACTION_LENGTH = 120

/** A validated, detached entry waiting for its place in the chain. */
export type PreparedEntry = Omit<AuditEntry, 'id' | 'hash' | 'prevHash'>

/** Validates and copies an input, stamping `at`. Throws TypeError/RangeError on bad input. */
export function prepareEntry(input: AuditEntryInput, atMs: number): PreparedEntry {
  checkInput(input)
  const body: PreparedEntry = {
    at: new Date(atMs).toISOString(),
    actor: input.actor === 'SYSTEM' ? 'SYSTEM' : { id: input.actor.id, name: input.actor.name },
    onBehalfOf: input.onBehalfOf && { id: input.onBehalfOf.id, name: input.onBehalfOf.name },
    action: input.action,
    subject: { type: input.subject.type, id: input.subject.id },
    patientId: input.patientId,
    outcome: input.outcome,
    source: { ip: input.source.ip, session: input.source.session },
    details: input.details,
  }
  return JSON.parse(canonicalJson(body)) as PreparedEntry
}

/** Gives a prepared entry its id and chain fields; returns the entry and its stored line (with '\n'). */
export function chainEntry(
  prepared: PreparedEntry,
  id: number,
  prevHash: string,
): { entry: AuditEntry; line: string } {
  const unchained = { ...prepared, id: String(id) }
  const hash = hashCanonical(prevHash, canonicalJson(unchained))
  const entry: AuditEntry = { ...unchained, hash, prevHash }
  return { entry: deepFreeze(entry), line: `${canonicalJson(entry)}\n` }
}

/** Entries are shared between the log's cache and callers: freezing keeps callers from editing history. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

function checkInput(input: AuditEntryInput): void {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('audit entry must be an object')
  if (input.actor !== 'SYSTEM') checkPerson(input.actor, 'actor')
  if (input.onBehalfOf !== undefined) checkPerson(input.onBehalfOf, 'onBehalfOf')
  if (typeof input.action !== 'string' || input.action.length > MAX_ACTION_LENGTH) {
    throw new TypeError('action must be a string of at most 120 characters')
  }
  if (!ACTION.test(input.action))
    throw new TypeError(`action ${JSON.stringify(input.action)} is not dotted words`)
  if (!SUBJECT_TYPES.includes(input.subject?.type) || typeof input.subject.id !== 'string') {
    throw new TypeError('subject must be {type, id} with a known type')
  }
  if (input.patientId !== undefined && typeof input.patientId !== 'string') {
    throw new TypeError('patientId must be a string')
  }
  if (!OUTCOMES.includes(input.outcome))
    throw new TypeError(`unknown outcome ${String(input.outcome)}`)
  checkSource(input.source)
  checkDetails(input.details)
}

function checkPerson(person: unknown, field: string): void {
  const p = person as { id?: unknown; name?: unknown } | null
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.id !== 'string' ||
    typeof p.name !== 'string'
  ) {
    throw new TypeError(`${field} must be {id, name}`)
  }
}

function checkSource(source: AuditEntryInput['source']): void {
  if (typeof source !== 'object' || source === null || typeof source.ip !== 'string') {
    throw new TypeError('source must be {ip, session}')
  }
  if (source.session !== null && typeof source.session !== 'string') {
    throw new TypeError('source.session must be a string or null')
  }
}

function checkDetails(details: unknown): void {
  if (details === undefined) return
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new TypeError('details must be an object')
  }
}
