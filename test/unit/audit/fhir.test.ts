/** S33: the audit trail exports as FHIR R4 AuditEvent (DESIGN §7, API "Access and audit"). */
import { describe, expect, it } from 'vitest'
import { GENESIS_HASH } from '../../../server/audit/chain.ts'
import { chainEntry, prepareEntry } from '../../../server/audit/entry.ts'
import {
  ACTION_SYSTEM,
  DCM,
  type FhirAuditEvent,
  fhirAction,
  toFhirAuditEvent,
  toFhirBundle,
} from '../../../server/audit/fhir.ts'
import type { AuditEntry, AuditEntryInput } from '../../../server/audit/types.ts'
import { BOSE, input, T0, TRAN } from './helpers.ts'

function entry(overrides: Partial<AuditEntryInput>, id = 7): AuditEntry {
  return chainEntry(prepareEntry(input(overrides), T0), id, GENESIS_HASH).entry
}

const loginFailure = entry({
  actor: BOSE,
  action: 'login.failure',
  subject: { type: 'user', id: BOSE.id },
  patientId: undefined,
  outcome: 'failure',
  source: { ip: '192.0.2.10', session: null },
  details: { reason: 'bad password' },
})
const studyMerge = entry({
  actor: TRAN,
  onBehalfOf: BOSE,
  action: 'study.merge',
  subject: { type: 'study', id: 'A123' },
  patientId: 'P1',
  outcome: 'success',
  details: { into: 'A999', moved: 3 },
})
const refusedWrite = entry({
  action: 'sync.write-refused',
  subject: { type: 'document', id: 'study/A123/report' },
  outcome: 'refused',
  details: { reason: 'read-only' },
})

/** The R4 shape rules a validator would check first: required fields and well-formed codings. */
function expectValidShape(ev: FhirAuditEvent): void {
  expect(ev.resourceType).toBe('AuditEvent')
  expect(ev.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/)
  expect(ev.recorded).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
  expect(ev.agent.length).toBeGreaterThan(0)
  expect(ev.source.observer.display).toBe('StudySync')
  const codings = [ev.type, ...ev.subtype, ...ev.source.type, ...ev.entity.map((e) => e.type)]
  for (const a of ev.agent) codings.push(...(a.type?.coding ?? []))
  for (const c of codings) {
    expect(c.system).toMatch(/^(urn:|https?:\/\/)/)
    expect(c.code).toMatch(/^\S+$/)
  }
  for (const e of ev.entity) {
    for (const d of e.detail ?? []) expect(typeof d.valueString).toBe('string')
  }
  expect(JSON.parse(JSON.stringify(ev))).toEqual(ev) // plain JSON, nothing undefined inside
}

describe('S33 FHIR AuditEvent', () => {
  it('maps a login failure to User Authentication with a serious-failure outcome', () => {
    const ev = toFhirAuditEvent(loginFailure)
    expectValidShape(ev)
    expect(ev.type).toEqual({ system: DCM, code: '110114', display: 'User Authentication' })
    expect(ev.subtype).toEqual([
      { system: ACTION_SYSTEM, code: 'login.failure', display: 'login.failure' },
    ])
    expect(ev.action).toBe('E')
    expect(ev.outcome).toBe('8')
    expect(ev.recorded).toBe(loginFailure.at)
    expect(ev.id).toBe('7')
    expect(ev.agent).toHaveLength(1)
    expect(ev.agent[0]).toMatchObject({
      who: { identifier: { value: BOSE.id }, display: BOSE.name },
      requestor: true,
      network: { address: '192.0.2.10', type: '2' },
    })
    expect(ev.agent[0]!.extension).toBeUndefined() // no session to name
    expect(ev.entity).toHaveLength(1)
    expect(ev.entity[0]).toMatchObject({
      what: { identifier: { value: BOSE.id } },
      type: { code: '1' },
    })
  })

  it('maps a study merge to Patient Record / update, with both agents and the patient', () => {
    const ev = toFhirAuditEvent(studyMerge)
    expectValidShape(ev)
    expect(ev.type.code).toBe('110110')
    expect(ev.type.system).toBe(DCM)
    expect(ev.subtype[0]!.code).toBe('study.merge')
    expect(ev.action).toBe('U')
    expect(ev.outcome).toBe('0')
    expect(ev.agent.map((a) => [a.who.display, a.requestor])).toEqual([
      [TRAN.name, true],
      [BOSE.name, false],
    ])
    expect(ev.agent[0]!.network).toEqual({ address: '10.0.0.7', type: '2' })
    expect(ev.entity[0]).toMatchObject({
      what: { identifier: { system: 'urn:studysync:study', value: 'A123' } },
      type: { code: '2', display: 'System Object' },
      detail: [
        { type: 'into', valueString: '"A999"' },
        { type: 'moved', valueString: '3' },
      ],
    })
    expect(ev.entity[1]).toMatchObject({
      what: { identifier: { system: 'urn:studysync:patient', value: 'P1' } },
      type: { code: '1', display: 'Person' },
      role: { code: '1', display: 'Patient' },
    })
  })

  it('maps a refused write to Security Alert with a minor-failure outcome', () => {
    const ev = toFhirAuditEvent(refusedWrite)
    expectValidShape(ev)
    expect(ev.type.code).toBe('110113')
    expect(ev.outcome).toBe('4')
    expect(ev.action).toBe('E')
    expect(ev.subtype[0]!.code).toBe('sync.write-refused')
  })

  it.each([
    ['study.break-glass', 'success', '110113'],
    ['audit.query', 'success', '110112'],
    ['audit.export', 'success', '110112'],
    ['audit.retention.prune', 'success', '110113'],
    ['audit.retention.prune', 'failure', '110113'],
    ['logout', 'success', '110114'],
    ['login.success', 'refused', '110114'],
    ['patient.update', 'success', '110110'],
    ['settings.update', 'success', '110100'],
  ] as const)('types %s (%s) as %s', (action, outcome, code) => {
    const subjectType = action.startsWith('audit') ? 'audit' : 'system'
    const ev = toFhirAuditEvent(
      entry({ action, outcome, subject: { type: subjectType, id: 'x' }, patientId: undefined }),
    )
    expect(ev.type.code).toBe(code)
  })

  it.each([
    ['study.open', 'R'],
    ['document.read', 'R'],
    ['study.merge', 'U'],
    ['study.update', 'U'],
    ['worklist.assign', 'U'],
    ['study.delete', 'D'],
    ['audit.retention.prune', 'D'],
    ['grant.create', 'C'],
    ['claim.acquire', 'E'],
    ['sync.write-refused', 'E'],
  ])('gives %s the action code %s', (action, code) => {
    expect(fhirAction(action)).toBe(code)
  })

  it('describes the SYSTEM actor as an application and keeps the session', () => {
    const ev = toFhirAuditEvent(entry({ actor: 'SYSTEM', action: 'study.update' }))
    expect(ev.agent[0]).toMatchObject({
      type: { coding: [{ system: DCM, code: '110150' }] },
      who: { display: 'SYSTEM' },
      requestor: true,
    })
    expect(ev.agent[0]!.extension).toEqual([
      { url: 'urn:studysync:fhir:session', valueString: 's-1' },
    ])
  })

  it('lists a patient subject once', () => {
    const ev = toFhirAuditEvent(entry({ subject: { type: 'patient', id: 'P1' }, patientId: 'P1' }))
    expect(ev.entity).toHaveLength(1)
    expect(ev.entity[0]!.role?.display).toBe('Patient')
  })
})

describe('S33 FHIR Bundle', () => {
  it('is a collection of AuditEvents by default', () => {
    const bundle = toFhirBundle([studyMerge, loginFailure])
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' })
    expect(bundle.total).toBeUndefined()
    expect(bundle.entry.map((e) => e.resource.subtype[0]!.code)).toEqual([
      'study.merge',
      'login.failure',
    ])
  })

  it('can be a searchset with a total and match entries', () => {
    const bundle = toFhirBundle([refusedWrite], { type: 'searchset', total: 40 })
    expect(bundle).toMatchObject({ type: 'searchset', total: 40 })
    expect(bundle.entry[0]).toMatchObject({
      search: { mode: 'match' },
      resource: { resourceType: 'AuditEvent' },
    })
  })
})
