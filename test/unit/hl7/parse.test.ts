/**
 * parseHl7 against the API.md `POST /api/v1/hl7` contract: which messages become which
 * command (S24: system updates), and which get AR (not HL7 we read) or AE (bad values).
 */
import { describe, expect, it } from 'vitest'
import { parseHl7 } from '../../../server/hl7/parse.ts'
import type { Hl7Result } from '../../../server/hl7/types.ts'
import { checkFieldValue, PATIENT_FORM, STUDY_FORM } from '../../../shared/schema.ts'
import { A08, A40, join, OMI, ORM, withField } from './samples.ts'

function accepted(result: Hl7Result) {
  if (!result.ok) throw new Error(`expected AA, got ${result.code}: ${result.reason}`)
  return result
}

function refused(result: Hl7Result, code: 'AR' | 'AE') {
  if (result.ok) throw new Error(`expected ${code}, got AA: ${JSON.stringify(result.command)}`)
  expect(result.code, result.reason).toBe(code)
  return result
}

describe('S24 HL7 ADT^A08 → patientUpdate', () => {
  it('maps PID-3/5/7/8/11/13 and reads the header', () => {
    const result = accepted(parseHl7(join(A08)))
    expect(result.command).toEqual({
      kind: 'patientUpdate',
      patientId: 'MRN12345',
      fields: {
        name: 'DOE^JANE',
        birthDate: '1980-01-15',
        sex: 'F',
        address: '123 MAIN ST, APT 4B, SPRINGFIELD, IL 62701, USA',
        phone: '+1 217 5551234',
      },
    })
    expect(result.header).toMatchObject({
      sendingApplication: { namespaceId: 'EPIC' },
      receivingFacility: { namespaceId: 'RADIOLOGY' },
      messageCode: 'ADT',
      triggerEvent: 'A08',
      messageStructure: 'ADT_A01',
      controlId: 'MSG00001',
      processingId: 'P',
      version: '2.5.1',
    })
  })

  it('every value passes the patient form schema', () => {
    const { command } = accepted(parseHl7(join(A08)))
    if (command.kind !== 'patientUpdate') throw new Error(command.kind)
    for (const [key, value] of Object.entries(command.fields)) {
      expect(checkFieldValue(PATIENT_FORM[key]!, value), key).toBeNull()
    }
  })

  it.each([
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
    ['\\r with a trailing separator', '\r'],
  ])('accepts %s between segments', (_label, separator) => {
    const text = join(A08, separator) + separator
    expect(parseHl7(text)).toEqual(parseHl7(join(A08)))
  })

  it('leaves empty fields out and turns HL7 "" (delete) into an empty value', () => {
    let segments = withField(A08, 'PID', 7, '""')
    segments = withField(segments, 'PID', 13, '""')
    segments = withField(segments, 'PID', 11, '')
    const { command } = accepted(parseHl7(join(segments)))
    expect(command).toMatchObject({ fields: { birthDate: '', phone: '' } })
    expect(command).not.toHaveProperty('fields.address')
  })

  it('takes the first repetition of PID-3', () => {
    const segments = withField(A08, 'PID', 3, 'NEW77^^^GENHOSP^MR~MRN12345^^^GENHOSP^MR')
    expect(accepted(parseHl7(join(segments))).command).toMatchObject({ patientId: 'NEW77' })
  })

  it('AE when PID-3 is missing', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 3, ''))), 'AE')
    expect(result.reason).toBe('PID-3 patient identifier is missing')
    expect(result.error).toEqual({ segment: 'PID', field: 3, condition: '101' })
    expect(result.header?.controlId).toBe('MSG00001')
  })

  it('AE when PID-3 is not an id we can name documents by', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 3, 'MRN 12/345'))), 'AE')
    expect(result.reason).toMatch(/^PID-3 patient identifier "MRN 12\/345" is not a valid id/)
  })

  it('AE for a birth date that is not a calendar date', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 7, '19991350'))), 'AE')
    expect(result.reason).toBe('PID-7 birth date 19991350 is not a valid date')
  })

  it.each([
    '19990229',
    '1980',
    '198001',
    '1980-01-15',
    '198001150',
    '20240315250000',
    '198001151230.5',
  ])('AE for birth date %s', (raw) => {
    refused(parseHl7(join(withField(A08, 'PID', 7, raw))), 'AE')
  })

  it('accepts a birth date with time and offset, keeping the day', () => {
    const segments = withField(A08, 'PID', 7, '200002291230+0100')
    expect(accepted(parseHl7(join(segments))).command).toMatchObject({
      fields: { birthDate: '2000-02-29' },
    })
  })

  it('AE for sex outside F/M/O/U', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 8, 'X'))), 'AE')
    expect(result.reason).toBe('PID-8 sex "X" is not one of F, M, O, U')
  })

  it('AE for a name whose family part decodes to a component separator', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 5, 'DOE\\S\\SMITH^JANE'))), 'AE')
    expect(result.reason).toMatch(/^PID-5 patient name/)
  })

  it('AE for a name with a given name but no family name', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 5, '^JANE'))), 'AE')
    expect(result.reason).toBe('PID-5 patient name has no family name')
  })

  it('AE when a value is longer than the form allows', () => {
    const result = refused(parseHl7(join(withField(A08, 'PID', 13, '0'.repeat(40)))), 'AE')
    expect(result.reason).toBe('PID-13 phone must be at most 32 characters')
  })

  it('AR when the A08 has no PID segment at all', () => {
    const result = refused(parseHl7(join(A08.filter((s) => !s.startsWith('PID')))), 'AR')
    expect(result.reason).toBe('PID segment is missing')
  })
})

describe('S24 HL7 ADT^A40 → patientMerge', () => {
  it('PID-3 survives, MRG-1 is merged into it', () => {
    expect(accepted(parseHl7(join(A40))).command).toEqual({
      kind: 'patientMerge',
      patientId: 'MRN12345',
      mergedPatientId: 'MRN99999',
    })
  })

  it('AE when MRG-1 is missing or names the survivor', () => {
    const missing = refused(parseHl7(join(withField(A40, 'MRG', 1, ''))), 'AE')
    expect(missing.reason).toBe('MRG-1 prior patient identifier is missing')
    const self = refused(parseHl7(join(withField(A40, 'MRG', 1, 'MRN12345'))), 'AE')
    expect(self.reason).toMatch(/^MRG-1 /)
  })

  it('AR when there is no MRG segment, or several merges in one message', () => {
    refused(parseHl7(join(A40.slice(0, 3))), 'AR')
    refused(parseHl7(join([...A40, A40[2]!, A40[3]!])), 'AR')
  })
})

describe('S24 HL7 ORM^O01 / OMI^O23 → orderUpsert', () => {
  it('ORM: accession OBR-18, priority S → STAT, modality OBR-24, physician ORC-12', () => {
    expect(accepted(parseHl7(join(ORM))).command).toEqual({
      kind: 'orderUpsert',
      accession: 'ACC56365',
      patientId: 'MRN12345',
      patient: { name: 'DOE^JANE', birthDate: '1980-01-15', sex: 'F' },
      modality: 'CT',
      description: 'CT CHEST W/O CONTRAST',
      priority: 'STAT',
      referringPhysician: 'HOUSE^GREGORY',
      orderControl: 'NW',
      scheduledAt: '2024-03-17T09:30:00',
    })
  })

  it('OMI: priority A → URGENT and start time from TQ1, with the sender’s offset', () => {
    expect(accepted(parseHl7(join(OMI))).command).toEqual({
      kind: 'orderUpsert',
      accession: 'ACC56366',
      patientId: 'MRN54321',
      patient: { name: 'SMITH^JOHN', birthDate: '1975-07-04', sex: 'M' },
      modality: 'MR',
      description: 'MR BRAIN WITH AND WITHOUT CONTRAST',
      priority: 'URGENT',
      referringPhysician: 'HOUSE^GREGORY',
      orderControl: 'NW',
      scheduledAt: '2024-03-18T14:00:00+01:00',
    })
  })

  it('study values pass the study form schema', () => {
    for (const sample of [ORM, OMI]) {
      const { command } = accepted(parseHl7(join(sample)))
      if (command.kind !== 'orderUpsert') throw new Error(command.kind)
      for (const key of ['priority', 'description', 'referringPhysician'] as const) {
        expect(checkFieldValue(STUDY_FORM[key]!, command[key]), key).toBeNull()
      }
    }
  })

  it('passes the order control through (XO change, CA cancel)', () => {
    for (const code of ['XO', 'CA', 'SC']) {
      const segments = withField(ORM, 'ORC', 1, code)
      expect(accepted(parseHl7(join(segments))).command).toMatchObject({ orderControl: code })
    }
  })

  it('AE for an order control outside table 0119, or none', () => {
    refused(parseHl7(join(withField(ORM, 'ORC', 1, 'ZZ'))), 'AE')
    const none = refused(parseHl7(join(withField(ORM, 'ORC', 1, ''))), 'AE')
    expect(none.reason).toBe('ORC-1 order control is missing')
  })

  it('accession falls back to ORC-3, then OBR-3 (filler order number)', () => {
    const noObr18 = withField(ORM, 'OBR', 18, '')
    expect(accepted(parseHl7(join(noObr18))).command).toMatchObject({ accession: 'FIL2001' })
    const obrOnly = withField(withField(noObr18, 'ORC', 3, ''), 'OBR', 3, 'FIL3003^RIS')
    expect(accepted(parseHl7(join(obrOnly))).command).toMatchObject({ accession: 'FIL3003' })
  })

  it('AE when the order carries no accession at all', () => {
    let segments = withField(ORM, 'OBR', 18, '')
    segments = withField(withField(segments, 'ORC', 3, ''), 'OBR', 3, '')
    const result = refused(parseHl7(join(segments)), 'AE')
    expect(result.reason).toMatch(/^OBR-18 accession number is missing/)
    expect(result.error).toEqual({ segment: 'OBR', field: 18, condition: '101' })
  })

  it('AE for priority X (ORC-7.6), naming the field', () => {
    const segments = withField(ORM, 'ORC', 7, '1^ONCE^^20240317093000^^X')
    expect(refused(parseHl7(join(segments)), 'AE').reason).toBe(
      'ORC-7 priority "X" is not one of S, A, R',
    )
  })

  it('AE for priority X in TQ1-9 (OMI)', () => {
    const segments = withField(OMI, 'TQ1', 9, 'X')
    expect(refused(parseHl7(join(segments)), 'AE').reason).toMatch(/^TQ1-9 priority "X"/)
  })

  it('R → ROUTINE, from OBR-27.6 when ORC-7 is empty', () => {
    const segments = withField(withField(ORM, 'ORC', 7, ''), 'OBR', 27, '1^ONCE^^^^R')
    expect(accepted(parseHl7(join(segments))).command).toMatchObject({ priority: 'ROUTINE' })
  })

  it('modality from the procedure text when OBR-24 is a generic section (RAD)', () => {
    let segments = withField(ORM, 'OBR', 24, 'RAD')
    segments = withField(segments, 'OBR', 4, '76700^US ABDOMEN COMPLETE^C4')
    expect(accepted(parseHl7(join(segments))).command).toMatchObject({ modality: 'US' })
    const unknown = withField(segments, 'OBR', 4, '78815^PET SKULL TO THIGH^C4')
    expect(accepted(parseHl7(join(unknown))).command).not.toHaveProperty('modality')
  })

  it('ordering provider falls back to OBR-16', () => {
    const segments = withField(ORM, 'ORC', 12, '')
    const obr16 = withField(segments, 'OBR', 16, '9999^CHASE^ROBERT')
    expect(accepted(parseHl7(join(obr16))).command).toMatchObject({
      referringPhysician: 'CHASE^ROBERT',
    })
  })

  it('AE for an order without PID, and for a bad scheduled time', () => {
    const noPid = refused(parseHl7(join(ORM.filter((s) => !s.startsWith('PID')))), 'AE')
    expect(noPid.reason).toBe('PID-3 patient identifier is missing')
    const badTime = withField(OMI, 'TQ1', 7, '20240231140000')
    expect(refused(parseHl7(join(badTime)), 'AE').reason).toMatch(/^TQ1-7 start date\/time/)
  })

  it('AR for two orders in one message (one command per message)', () => {
    const twice = [...ORM, ORM[3]!, ORM[4]!.replace('ACC56365', 'ACC56399')]
    refused(parseHl7(join(twice)), 'AR')
  })

  it('AR for an order without ORC', () => {
    refused(parseHl7(join(ORM.filter((s) => !s.startsWith('ORC')))), 'AR')
  })
})

describe('escape sequences', () => {
  it('decodes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ in values', () => {
    const text = 'CT HEAD \\T\\ NECK \\F\\ C\\S\\SPINE \\R\\ 2 \\E\\ 3'
    const segments = withField(ORM, 'OBR', 4, `70450^${text}^C4`)
    expect(accepted(parseHl7(join(segments))).command).toMatchObject({
      description: 'CT HEAD & NECK | C^SPINE ~ 2 \\ 3',
    })
  })

  it('honours non-standard encoding characters from MSH-1/MSH-2', () => {
    // Same order, written with # as field and $ as component separator.
    const custom = join(ORM).replaceAll('^', '$').replaceAll('|', '#')
    const result = accepted(parseHl7(custom))
    expect(result.command).toMatchObject({
      accession: 'ACC56365',
      referringPhysician: 'HOUSE^GREGORY',
    })
  })
})

describe('AR: not HL7 v2 we can read', () => {
  it.each([
    ['empty body', ''],
    ['whitespace', ' \r\n'],
    ['no MSH first', join(A08.slice(1))],
    ['MSH after another segment', join([A08[1]!, A08[0]!, ...A08.slice(2)])],
    ['MSH alone without separators', 'MSH'],
    ['too few encoding characters', join(A08).replace('MSH|^~\\&|', 'MSH|^~|')],
    ['duplicate encoding characters', join(A08).replace('MSH|^~\\&|', 'MSH|^^\\&|')],
    ['alphanumeric encoding character', join(A08).replace('MSH|^~\\&|', 'MSH|^~\\A|')],
    ['field separator repeated in MSH-2', join(A08).replace('MSH|^~\\&|', 'MSH|^~|&|')],
  ])('%s → AR without a header', (_label, text) => {
    const result = refused(parseHl7(text), 'AR')
    expect(result.header).toBeNull()
  })

  it.each([
    ['a broken segment name', [...A08.slice(0, 2), 'P|1||X', ...A08.slice(2)]],
    ['a lower-case segment name', [...A08.slice(0, 2), A08[2]!.replace('PID', 'pid')]],
    ['an empty line between segments', [...A08.slice(0, 2), '', ...A08.slice(2)]],
    ['a second MSH', [...A08, A08[0]!]],
  ])('%s → AR, still echoing MSH-10', (_label, segments) => {
    const result = refused(parseHl7(join(segments)), 'AR')
    expect(result.header?.controlId).toBe('MSG00001')
  })

  it('unknown trigger ADT^A99 → AR 201, with the header for the ACK', () => {
    const result = refused(parseHl7(join(withField(A08, 'MSH', 9, 'ADT^A99^ADT_A01'))), 'AR')
    expect(result.reason).toBe('MSH-9 message type ADT^A99 is not supported')
    expect(result.error).toEqual({ segment: 'MSH', field: 9, condition: '201' })
    expect(result.header?.controlId).toBe('MSG00001')
  })

  it('unknown message code ORU^R01 → AR 200', () => {
    const result = refused(parseHl7(join(withField(A08, 'MSH', 9, 'ORU^R01^ORU_R01'))), 'AR')
    expect(result.error.condition).toBe('200')
  })

  it.each([
    ['MSH-9 missing', 9, ''],
    ['MSH-10 missing', 10, ''],
    ['MSH-11 not P/T/D', 11, 'X'],
    ['MSH-12 not v2', 12, '3.0'],
  ])('%s → AR', (_label, field, value) => {
    const result = refused(parseHl7(join(withField(A08, 'MSH', field, value))), 'AR')
    expect(result.reason).toMatch(new RegExp(`^MSH-${field} `))
  })
})
