/** The shared wire contract: document names, server-owned families, permanent close codes. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CloseCode,
  type DocName,
  type EntityId,
  formatDocName,
  isEntityId,
  isServerOwned,
  MessageType,
  PERMANENT_CLOSE_CODES,
  parseDocName,
} from '../../../shared/protocol.ts'

const id = (s: string) => s as EntityId

const EVERY_FAMILY: [string, DocName][] = [
  ['study/A10001', { kind: 'study', accession: id('A10001') }],
  ['study/A10001/report', { kind: 'studyReport', accession: id('A10001') }],
  ['study/A10001/state', { kind: 'studyState', accession: id('A10001') }],
  ['patient/P-0001', { kind: 'patient', patientId: id('P-0001') }],
  ['patient/P-0001/state', { kind: 'patientState', patientId: id('P-0001') }],
  ['worklist', { kind: 'worklist' }],
]

describe('document names', () => {
  it.each(EVERY_FAMILY)('%s parses to its family and formats back unchanged', (name, expected) => {
    const parsed = parseDocName(name)
    expect(parsed).toEqual(expected)
    expect(formatDocName(parsed!)).toBe(name)
  })

  it('accepts ids at the edges of the pattern: one character, 64 characters, dots, dashes, underscores', () => {
    const longest = `A${'b'.repeat(63)}`
    expect(parseDocName(`study/${longest}`)).toEqual({ kind: 'study', accession: longest })
    expect(parseDocName('study/7')).toEqual({ kind: 'study', accession: '7' })
    expect(parseDocName('patient/a.b_c-d')).toEqual({ kind: 'patient', patientId: 'a.b_c-d' })
  })

  it.each([
    ['path traversal', 'study/../etc'],
    ['dot-dot id', 'study/..'],
    ['traversal below a valid id', 'study/A1/../../x'],
    ['absolute-looking name', '/study/A1'],
    ['empty id', 'study/'],
    ['empty id with sub-document', 'study//report'],
    ['65-character id', `study/A${'b'.repeat(64)}`],
    ['leading dash', 'study/-A1'],
    ['leading dot', 'patient/.P1'],
    ['leading underscore', 'study/_A1'],
    ['extra segment', 'study/A1/report/x'],
    ['trailing slash', 'study/A1/'],
    ['unknown study sub-document', 'study/A1/evil'],
    ['patients have no report', 'patient/P1/report'],
    ['unknown family', 'series/A1'],
    ['family alone', 'study'],
    ['worklist with an id', 'worklist/A1'],
    ['upper-case family', 'Study/A1'],
    ['empty string', ''],
    ['unicode letter', 'study/Ä1'],
    ['unicode digit', 'study/A١'],
    ['space', 'study/A 1'],
    ['percent-encoding left in', 'study/A%2F1'],
    ['NUL byte', 'study/A1\u0000'],
    ['newline', 'study/A1\n'],
    ['backslash', 'study/A1\\..'],
  ])('refuses %s (%j)', (_why, name) => {
    expect(parseDocName(name)).toBeNull()
  })

  it('isEntityId matches exactly [A-Za-z0-9][A-Za-z0-9._-]{0,63}', () => {
    expect(isEntityId('A')).toBe(true)
    expect(isEntityId(`A${'1'.repeat(63)}`)).toBe(true)
    expect(isEntityId(`A${'1'.repeat(64)}`)).toBe(false)
    expect(isEntityId('')).toBe(false)
    expect(isEntityId('-A')).toBe(false)
    expect(isEntityId('A/B')).toBe(false)
  })

  it('property: parse never throws, and formatDocName(parseDocName(x)) === x whenever parse succeeds', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,66}$/),
      fc.constantFrom('', '.', '..', 'report', 'state', 'study', 'patient', 'worklist'),
    )
    const name = fc.oneof(
      fc.string({ maxLength: 90 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
      fc
        .tuple(fc.constantFrom('study', 'patient'), segment, fc.option(segment, { nil: undefined }))
        .map(([f, i, s]) => (s === undefined ? `${f}/${i}` : `${f}/${i}/${s}`)),
    )
    let parsedSome = 0
    fc.assert(
      fc.property(name, (x) => {
        const parsed = parseDocName(x)
        if (parsed === null) return
        parsedSome++
        expect(formatDocName(parsed)).toBe(x)
      }),
      { numRuns: 2000 },
    )
    // The generator must actually reach valid names, or the round trip proves nothing.
    expect(parsedSome).toBeGreaterThan(50)
  })

  it('property: every well-formed DocName formats to a name that parses back to it', () => {
    const entity = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).map(id)
    const docName: fc.Arbitrary<DocName> = fc.oneof(
      entity.map((accession) => ({ kind: 'study' as const, accession })),
      entity.map((accession) => ({ kind: 'studyReport' as const, accession })),
      entity.map((accession) => ({ kind: 'studyState' as const, accession })),
      entity.map((patientId) => ({ kind: 'patient' as const, patientId })),
      entity.map((patientId) => ({ kind: 'patientState' as const, patientId })),
      fc.constant({ kind: 'worklist' as const }),
    )
    fc.assert(
      fc.property(docName, (doc) => {
        expect(parseDocName(formatDocName(doc))).toEqual(doc)
      }),
    )
  })
})

describe('server-owned documents', () => {
  it('state documents and the worklist are server-owned; forms and reports are not', () => {
    const owned = Object.fromEntries(EVERY_FAMILY.map(([name, doc]) => [name, isServerOwned(doc)]))
    expect(owned).toEqual({
      'study/A10001': false,
      'study/A10001/report': false,
      'study/A10001/state': true,
      'patient/P-0001': false,
      'patient/P-0001/state': true,
      worklist: true,
    })
  })
})

describe('close codes and message numbers', () => {
  it('exactly 4401, 4403, 4404 and 4410 are permanent (clients must not reconnect after them)', () => {
    expect([...PERMANENT_CLOSE_CODES].sort()).toEqual([4401, 4403, 4404, 4410])
    for (const code of [
      CloseCode.protocolError,
      CloseCode.localCopyRefused,
      CloseCode.messageTooLarge,
      CloseCode.tooManyMessages,
      CloseCode.shuttingDown,
    ]) {
      expect(PERMANENT_CLOSE_CODES.has(code)).toBe(false)
    }
  })

  it('close codes are the ones API.md lists', () => {
    expect(CloseCode).toEqual({
      protocolError: 4400,
      notAuthenticated: 4401,
      forbidden: 4403,
      noSuchDocument: 4404,
      localCopyRefused: 4409,
      gone: 4410,
      messageTooLarge: 4413,
      tooManyMessages: 4429,
      shuttingDown: 4503,
    })
  })

  it('y-websocket message numbers are untouched (0 sync, 1 awareness, 2 auth, 3 query-awareness)', () => {
    expect(MessageType).toEqual({ sync: 0, awareness: 1, auth: 2, queryAwareness: 3 })
  })
})
