/**
 * Audit entries as FHIR R4 AuditEvent resources (DESIGN §7, API "Access and audit"), in
 * the spirit of IHE Basic Audit Log Patterns: a DICOM event type, our action as subtype,
 * the acting user as the requesting agent (with the network address), the person they
 * acted for as a second agent, StudySync as the observer, and the subject and the patient
 * as entities. No BALP profile is claimed in `meta`: we do not check conformance to one.
 */
import { canonicalJson } from './chain.ts'
import { type AuditEntry, type AuditOutcome, RETENTION_ACTION } from './types.ts'

export interface Coding {
  system: string
  code: string
  display?: string
}

interface Identifier {
  system: string
  value: string
}

export interface FhirAuditAgent {
  type?: { coding: Coding[] }
  who: { identifier: Identifier; display: string }
  requestor: boolean
  network?: { address: string; type: '2' }
  extension?: { url: string; valueString: string }[]
}

export interface FhirAuditEntity {
  what: { identifier: Identifier }
  type: Coding
  role?: Coding
  detail?: { type: string; valueString: string }[]
}

export interface FhirAuditEvent {
  resourceType: 'AuditEvent'
  id: string
  type: Coding
  subtype: Coding[]
  action: 'C' | 'R' | 'U' | 'D' | 'E'
  recorded: string
  outcome: '0' | '4' | '8'
  agent: FhirAuditAgent[]
  source: { observer: { display: string }; type: Coding[] }
  entity: FhirAuditEntity[]
}

export interface FhirBundle {
  resourceType: 'Bundle'
  type: 'collection' | 'searchset'
  total?: number
  entry: { resource: FhirAuditEvent; search?: { mode: 'match' } }[]
}

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM'
export const ACTION_SYSTEM = 'urn:studysync:audit-action'
const SESSION_EXTENSION = 'urn:studysync:fhir:session'
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType'
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type'
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role'
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type'
const PERSON: Coding = { system: ENTITY_TYPE, code: '1', display: 'Person' }
const SYSTEM_OBJECT: Coding = { system: ENTITY_TYPE, code: '2', display: 'System Object' }
const PATIENT_ROLE: Coding = { system: OBJECT_ROLE, code: '1', display: 'Patient' }

const EVENT = {
  patientRecord: { system: DCM, code: '110110', display: 'Patient Record' },
  query: { system: DCM, code: '110112', display: 'Query' },
  securityAlert: { system: DCM, code: '110113', display: 'Security Alert' },
  authentication: { system: DCM, code: '110114', display: 'User Authentication' },
  application: { system: DCM, code: '110100', display: 'Application Activity' },
} as const

const OUTCOME: Record<AuditOutcome, FhirAuditEvent['outcome']> = {
  success: '0',
  refused: '4',
  failure: '8',
}

/** Last word of the action → FHIR action code. Anything not listed is "execute". */
const VERBS: Record<string, FhirAuditEvent['action']> = {
  create: 'C',
  add: 'C',
  open: 'R',
  read: 'R',
  view: 'R',
  query: 'R',
  search: 'R',
  export: 'R',
  merge: 'U',
  update: 'U',
  assign: 'U',
  unassign: 'U',
  edit: 'U',
  delete: 'D',
  remove: 'D',
  prune: 'D',
}

/** One entry as a FHIR R4 AuditEvent. */
export function toFhirAuditEvent(entry: AuditEntry): FhirAuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: entry.id,
    type: eventType(entry),
    subtype: [{ system: ACTION_SYSTEM, code: entry.action, display: entry.action }],
    action: fhirAction(entry.action),
    recorded: entry.at,
    outcome: OUTCOME[entry.outcome],
    agent: agents(entry),
    source: {
      observer: { display: 'StudySync' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities(entry),
  }
}

/** Entries as a Bundle: a `collection`, or a `searchset` with `total` for query results. */
export function toFhirBundle(
  entries: readonly AuditEntry[],
  opts: { type?: 'collection' | 'searchset'; total?: number } = {},
): FhirBundle {
  const type = opts.type ?? 'collection'
  const resources = entries.map(toFhirAuditEvent)
  if (type === 'collection') {
    return { resourceType: 'Bundle', type, entry: resources.map((resource) => ({ resource })) }
  }
  return {
    resourceType: 'Bundle',
    type,
    total: opts.total ?? entries.length,
    entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })),
  }
}

/** The DICOM event type, most specific first: a refused login is still an authentication event. */
export function eventType(entry: AuditEntry): Coding {
  const domain = entry.action.split('.')[0]!
  if (domain === 'login' || domain === 'logout') return EVENT.authentication
  if (entry.outcome === 'refused' || /(^|\.)break-glass(\.|$)/.test(entry.action)) {
    return EVENT.securityAlert
  }
  // Audit records removed by retention, or kept because they do not verify: an auditor must see it.
  if (entry.action === RETENTION_ACTION) return EVENT.securityAlert
  if (domain === 'audit' || entry.subject.type === 'audit') return EVENT.query
  const aboutPatient = entry.subject.type === 'study' || entry.subject.type === 'patient'
  if (aboutPatient || domain === 'study' || domain === 'patient' || entry.patientId !== undefined) {
    return EVENT.patientRecord
  }
  return EVENT.application
}

export function fhirAction(action: string): FhirAuditEvent['action'] {
  return VERBS[action.split('.').at(-1)!] ?? 'E'
}

function agents(entry: AuditEntry): FhirAuditAgent[] {
  const actor: FhirAuditAgent =
    entry.actor === 'SYSTEM'
      ? {
          type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
          who: {
            identifier: { system: 'urn:studysync:system', value: 'SYSTEM' },
            display: 'SYSTEM',
          },
          requestor: true,
        }
      : {
          type: { coding: [userRole(fhirAction(entry.action))] },
          who: person(entry.actor),
          requestor: true,
        }
  if (entry.source.ip !== '') actor.network = { address: entry.source.ip, type: '2' }
  if (entry.source.session !== null) {
    actor.extension = [{ url: SESSION_EXTENSION, valueString: entry.source.session }]
  }
  if (!entry.onBehalfOf) return [actor]
  const principal: FhirAuditAgent = {
    type: { coding: [{ system: PARTICIPATION, code: 'RESP', display: 'responsible party' }] },
    who: person(entry.onBehalfOf),
    requestor: false,
  }
  return [actor, principal]
}

/** BALP's user agent types: the recipient for reads, the author for changes. */
function userRole(action: FhirAuditEvent['action']): Coding {
  if (action === 'R')
    return { system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }
  return { system: PARTICIPATION, code: 'AUT', display: 'author (originator)' }
}

function person(p: { id: string; name: string }): FhirAuditAgent['who'] {
  return { identifier: { system: 'urn:studysync:user', value: p.id }, display: p.name }
}

function entities(entry: AuditEntry): FhirAuditEntity[] {
  const isPatient = entry.subject.type === 'patient'
  const subject: FhirAuditEntity = {
    what: {
      identifier: { system: `urn:studysync:${entry.subject.type}`, value: entry.subject.id },
    },
    type: isPatient || entry.subject.type === 'user' ? PERSON : SYSTEM_OBJECT,
  }
  if (isPatient) subject.role = PATIENT_ROLE
  if (entry.details && Object.keys(entry.details).length > 0)
    subject.detail = details(entry.details)
  const out = [subject]
  // A patient subject already is the patient entity; do not list it twice.
  if (entry.patientId !== undefined && !(isPatient && entry.patientId === entry.subject.id)) {
    out.push({
      what: { identifier: { system: 'urn:studysync:patient', value: entry.patientId } },
      type: PERSON,
      role: PATIENT_ROLE,
    })
  }
  return out
}

/** One detail per key; every value as JSON, so a string "42" and a number 42 stay distinct. */
function details(values: Record<string, unknown>): { type: string; valueString: string }[] {
  return Object.keys(values)
    .filter((key) => values[key] !== undefined)
    .sort()
    .map((key) => ({ type: key, valueString: canonicalJson(values[key]) }))
}
