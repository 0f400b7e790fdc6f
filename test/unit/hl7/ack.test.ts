/** buildAck: the reply API.md promises for every message — AA, or AE/AR with the reason. */
import { describe, expect, it } from 'vitest'
import { ackFor, buildAck, escapeHl7 } from '../../../server/hl7/ack.ts'
import { parseHl7 } from '../../../server/hl7/parse.ts'
import { readSegments, splitSegments } from '../../../server/hl7/reader.ts'
import type { Hl7Header } from '../../../server/hl7/types.ts'
import { A08, join, ORM, withField } from './samples.ts'

const NOW = new Date('2024-03-15T14:30:05.123Z')

/** Reads an ACK back with the same reader inbound messages use. */
function readAck(ack: string) {
  const message = readSegments(splitSegments(ack))
  const segment = (name: string) => {
    const found = message.first(name)
    if (found === undefined) throw new Error(`no ${name} in ${JSON.stringify(ack)}`)
    return found
  }
  return { message, msh: segment('MSH'), msa: segment('MSA'), err: () => segment('ERR') }
}

function headerOf(text: string): Hl7Header {
  const result = parseHl7(text)
  if (result.header === null) throw new Error('no header')
  return result.header
}

describe('buildAck', () => {
  it('AA: swaps sender and receiver, echoes MSH-10 in MSA-2, keeps processing id and version', () => {
    const header = headerOf(join(A08))
    const ack = buildAck(header, 'AA', undefined, NOW)
    const { message, msh, msa } = readAck(ack)
    expect(message.segments.map((s) => s.name)).toEqual(['MSH', 'MSA'])
    expect([msh.value(3), msh.value(4), msh.value(5), msh.value(6)]).toEqual([
      'STUDYSYNC',
      'RADIOLOGY',
      'EPIC',
      'GENHOSP',
    ])
    expect(msh.value(7)).toBe('20240315143005+0000')
    expect([msh.value(9, 1), msh.value(9, 2), msh.value(9, 3)]).toEqual(['ACK', 'A08', 'ACK'])
    expect(msh.value(10)).not.toBe('MSG00001')
    expect(msh.value(10)).not.toBe('')
    expect([msh.value(11), msh.value(12)]).toEqual(['P', '2.5.1'])
    expect([msa.value(1), msa.value(2)]).toEqual(['AA', 'MSG00001'])
  })

  it('separates segments with \\r only and starts with the standard encoding characters', () => {
    const ack = buildAck(headerOf(join(A08)), 'AA', undefined, NOW)
    expect(ack.startsWith('MSH|^~\\&|')).toBe(true)
    expect(ack).not.toContain('\n')
    expect(ack.split('\r').filter(Boolean)).toHaveLength(2)
  })

  it('is itself a well-formed HL7 v2 message', () => {
    const result = parseHl7(buildAck(headerOf(join(ORM)), 'AA', undefined, NOW))
    // ACK is not a type we accept inbound, but its envelope must read cleanly.
    expect(result).toMatchObject({ ok: false, code: 'AR', error: { condition: '200' } })
    expect(result.header).toMatchObject({
      messageCode: 'ACK',
      triggerEvent: 'O01',
      version: '2.3.1',
    })
  })

  it('AE: MSA-3 and ERR carry the reason, ERR-2 the location, ERR-3 the condition', () => {
    const result = parseHl7(join(withField(A08, 'PID', 7, '19991350')))
    if (result.ok) throw new Error('expected AE')
    const ack = buildAck(result.header, result.code, result.reason, NOW, { error: result.error })
    const { msa, err } = readAck(ack)
    expect(result.reason).toBe('PID-7 birth date 19991350 is not a valid date')
    expect([msa.value(1), msa.value(2), msa.value(3)]).toEqual(['AE', 'MSG00001', result.reason])
    expect(err().value(8)).toBe(result.reason)
    expect([err().value(2, 1), err().value(2, 2), err().value(2, 3)]).toEqual(['PID', '1', '7'])
    expect([err().value(3, 1), err().value(3, 3)]).toEqual(['102', 'HL70357'])
    expect(err().value(4)).toBe('E')
    // ERR-1 (ELD) for v2.1–2.4 receivers: PID^1^7^102&Data type error&HL70357
    expect([err().value(1, 1), err().value(1, 3), err().value(1, 4, 1)]).toEqual([
      'PID',
      '7',
      '102',
    ])
  })

  it('AR for an unknown type: ERR says 201, MSA-2 still echoes the control id', () => {
    const result = parseHl7(join(withField(A08, 'MSH', 9, 'ADT^A99^ADT_A01')))
    if (result.ok) throw new Error('expected AR')
    const { msa, err, msh } = readAck(
      buildAck(result.header, result.code, result.reason, NOW, { error: result.error }),
    )
    expect([msa.value(1), msa.value(2)]).toEqual(['AR', 'MSG00001'])
    expect(err().value(3, 1)).toBe('201')
    expect(err().value(8)).toBe('MSH-9 message type ADT^A99 is not supported')
    expect(msh.value(9, 2)).toBe('A99')
  })

  it('AR without a readable MSH: empty MSA-2, fallback version, reason in ERR', () => {
    const result = parseHl7('PID|1||X')
    if (result.ok) throw new Error('expected AR')
    const { msa, msh, err } = readAck(buildAck(null, 'AR', result.reason, NOW))
    expect([msa.value(1), msa.value(2)]).toEqual(['AR', ''])
    expect([msh.value(9, 1), msh.value(11), msh.value(12)]).toEqual(['ACK', 'P', '2.5.1'])
    expect(err().value(8)).toBe('MSH must be the first segment')
    expect(err().value(3, 1)).toBe('207')
  })

  it('escapes delimiters and line breaks in the reason, and they read back intact', () => {
    const reason = 'bad | value ^ with & and ~ and \\ here'
    const ack = buildAck(headerOf(join(A08)), 'AE', `${reason}\nnext line`, NOW)
    expect(ack.split('\r').filter(Boolean)).toHaveLength(3)
    const { msa, err } = readAck(ack)
    expect(msa.value(3)).toBe(`${reason}\nnext line`)
    expect(err().value(8)).toBe(`${reason}\nnext line`)
  })

  it('MSA-3 is cut to 80 characters; ERR-8 keeps up to 250', () => {
    const long = 'x'.repeat(300)
    const { msa, err } = readAck(buildAck(headerOf(join(A08)), 'AE', long, NOW))
    expect(msa.value(3)).toHaveLength(80)
    expect(err().value(8)).toHaveLength(250)
  })

  it('uses the given control id, and a fresh one per instant otherwise', () => {
    const header = headerOf(join(A08))
    const given = readAck(buildAck(header, 'AA', undefined, NOW, { controlId: 'ACK123' }))
    expect(given.msh.value(10)).toBe('ACK123')
    const a = readAck(buildAck(header, 'AA', undefined, NOW)).msh.value(10)
    const b = readAck(buildAck(header, 'AA', undefined, new Date(NOW.getTime() + 1))).msh.value(10)
    expect(a).not.toBe(b)
  })

  it('re-encodes HD components of sending/receiving application', () => {
    const segments = withField(A08, 'MSH', 3, 'EPIC^1.2.840.114350^ISO')
    const { msh } = readAck(buildAck(headerOf(join(segments)), 'AA', undefined, NOW))
    expect([msh.value(5, 1), msh.value(5, 2), msh.value(5, 3)]).toEqual([
      'EPIC',
      '1.2.840.114350',
      'ISO',
    ])
  })
})

describe('escapeHl7', () => {
  it('escapes the escape character first, so nothing is escaped twice', () => {
    expect(escapeHl7('a\\b|c^d&e~f')).toBe('a\\E\\b\\F\\c\\S\\d\\T\\e\\R\\f')
  })
})

describe('ackFor', () => {
  it('answers a parse result: AA for a command, the AE with its ERR otherwise', () => {
    expect(readAck(ackFor(parseHl7(join(ORM)), NOW)).msa.value(1)).toBe('AA')
    const bad = readAck(ackFor(parseHl7(join(withField(ORM, 'ORC', 7, '^^^^^X'))), NOW))
    expect([bad.msa.value(1), bad.err().value(2, 1), bad.err().value(3, 1)]).toEqual([
      'AE',
      'ORC',
      '103',
    ])
  })
})
