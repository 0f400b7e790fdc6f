/**
 * Property tests: whatever arrives on the endpoint, parseHl7 answers (never throws), an
 * accepted command only holds values the forms accept, and the ACK always reads back.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ackFor } from '../../../server/hl7/ack.ts'
import { parseHl7 } from '../../../server/hl7/parse.ts'
import { readSegments, splitSegments } from '../../../server/hl7/reader.ts'
import type { Hl7Command } from '../../../server/hl7/types.ts'
import { checkFieldValue, PATIENT_FORM, STUDY_FORM } from '../../../shared/schema.ts'
import { A08, A40, join, OMI, ORM } from './samples.ts'

const SAMPLES = [A08, A40, ORM, OMI].map((s) => join(s))
const NOW = new Date('2024-03-15T14:30:05Z')

/** A sample with one character replaced, inserted or deleted — near-misses, not noise. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SAMPLES),
    fc.nat(),
    fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', '"', 'X', '9', ''),
    fc.boolean(),
  )
  .map(([text, at, char, replace]) => {
    const i = at % text.length
    return text.slice(0, i) + char + text.slice(replace ? i + 1 : i)
  })

const anyText = fc.oneof(
  fc.string(),
  fc.string().map((s) => `MSH|^~\\&|${s}`),
  mutated,
)

function formErrors(command: Hl7Command): (string | null)[] {
  switch (command.kind) {
    case 'patientUpdate':
      return Object.entries(command.fields).map(([k, v]) => checkFieldValue(PATIENT_FORM[k]!, v))
    case 'patientMerge':
      return []
    case 'orderUpsert': {
      const study = (['priority', 'description', 'referringPhysician'] as const)
        .filter((k) => command[k] !== undefined)
        .map((k) => checkFieldValue(STUDY_FORM[k]!, command[k]))
      const patient = Object.entries(command.patient ?? {}).map(([k, v]) =>
        checkFieldValue(PATIENT_FORM[k]!, v),
      )
      return [...study, ...patient]
    }
  }
}

describe('parseHl7 on arbitrary input', () => {
  it('never throws; accepted values always pass the form schemas', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseHl7(text)
        if (result.ok) expect(formErrors(result.command).filter(Boolean)).toEqual([])
        else expect(result.reason).not.toBe('')
      }),
      { numRuns: 2000 },
    )
  })

  it('the ACK of any result reads back with MSA-2 = the original MSH-10', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseHl7(text)
        const msa = readSegments(splitSegments(ackFor(result, NOW))).first('MSA')
        expect(msa?.value(1)).toBe(result.ok ? 'AA' : result.code)
        expect(msa?.value(2)).toBe(result.header?.controlId ?? '')
      }),
      { numRuns: 1000 },
    )
  })
})
