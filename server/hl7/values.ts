/**
 * HL7 data types → our field values. Each reader returns undefined when the field is
 * empty ("no information"), and throws an AE naming the segment-field when the value is
 * present but unusable; a value that comes back always passes the form schema.
 */
import { type EntityId, isEntityId } from '../../shared/protocol.ts'
import type { FieldSpec } from '../../shared/schema.ts'
import { checkFieldValue, PATIENT_FORM } from '../../shared/schema.ts'
import { invalid, shown } from './problem.ts'
import type { Hl7Segment } from './reader.ts'

/** Throws unless `value` passes the schema's own check (so the applier never has to). */
export function conform(seg: Hl7Segment, field: number, spec: FieldSpec, value: string): string {
  const error = checkFieldValue(spec, value)
  if (error !== null) throw invalid(seg.name, field, '102', `${spec.label.toLowerCase()} ${error}`)
  return value
}

/** CX/EI first repetition, component 1: an id we can name documents by. */
export function requiredId(seg: Hl7Segment, field: number, label: string): EntityId {
  const value = seg.value(field, 1)
  if (value === '') throw invalid(seg.name, field, '101', `${label} is missing`)
  if (!isEntityId(value)) {
    const text = `${label} ${shown(value)} is not a valid id (letters, digits, . _ -; at most 64)`
    throw invalid(seg.name, field, '102', text)
  }
  return value
}

// DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/

interface Dtm {
  date: string
  time: string
  offset: string
}

/** Splits and calendar-checks a DTM; null when it is not a real instant. */
export function parseDtm(raw: string): Dtm | null {
  const m = DTM.exec(raw)
  if (m === null || m[2] === undefined || m[3] === undefined) return null
  const [, y, mo, d, h, mi, s, frac, zone] = m
  if (!realDate(Number(y), Number(mo), Number(d))) return null
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return null
  if (frac !== undefined && s === undefined) return null // fractions belong to seconds
  if (zone && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(3)) > 59)) return null
  const time = h === undefined ? '' : [h, mi ?? '00', s].filter(Boolean).join(':') + (frac ?? '')
  const offset = zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : ''
  return { date: `${y}-${mo}-${d}`, time, offset }
}

function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** DTM with at least a day → `YYYY-MM-DD` (time of birth is dropped). */
export function birthDate(seg: Hl7Segment, field: number): string | undefined {
  if (seg.isNull(field)) return ''
  const raw = seg.value(field)
  if (raw === '') return undefined
  const dtm = parseDtm(raw)
  if (dtm === null) throw invalid(seg.name, field, '102', `birth date ${raw} is not a valid date`)
  return conform(seg, field, PATIENT_FORM.birthDate!, dtm.date)
}

/** DTM → ISO 8601, keeping the sender's precision and offset (none = sender's local time). */
export function dateTime(seg: Hl7Segment, field: number, component: number, label: string) {
  const raw = seg.value(field, component)
  if (raw === '') return undefined
  const dtm = parseDtm(raw)
  if (dtm === null) throw invalid(seg.name, field, '102', `${label} ${raw} is not a valid date`)
  return dtm.time === '' ? dtm.date : `${dtm.date}T${dtm.time}${dtm.offset}`
}

/**
 * XPN (family at 1, given at 2) or XCN (id at 1: family at 2, given at 3) → `FAMILY^GIVEN`.
 * A decoded `^` inside a part would shift every component after it, so it is refused.
 */
export function personName(seg: Hl7Segment, field: number, label: string, at = 1) {
  const family = seg.value(field, at)
  const given = seg.value(field, at + 1)
  if (family === '' && given === '') return undefined
  if (family === '') throw invalid(seg.name, field, '101', `${label} has no family name`)
  if (`${family}${given}`.includes('^')) {
    throw invalid(seg.name, field, '102', `${label} ${shown(family)} contains "^"`)
  }
  const name = given === '' ? family : `${family}^${given}`
  return conform(seg, field, PATIENT_FORM.name!, name)
}

/** HL7 table 0001 as our form allows it; `""` (sex no longer known) becomes U. */
export function sex(seg: Hl7Segment, field: number): string | undefined {
  if (seg.isNull(field)) return 'U'
  const raw = seg.value(field)
  if (raw === '') return undefined
  if (checkFieldValue(PATIENT_FORM.sex!, raw) !== null) {
    throw invalid(seg.name, field, '103', `sex ${shown(raw)} is not one of F, M, O, U`)
  }
  return raw
}

/** XTN first repetition: the formatted number (XTN-1), else +country area local xext. */
export function phone(seg: Hl7Segment, field: number): string | undefined {
  if (seg.isNull(field)) return ''
  const formatted = seg.value(field, 1)
  const country = seg.value(field, 5)
  const parts = [country && `+${country}`, seg.value(field, 6), seg.value(field, 7)]
  const extension = seg.value(field, 8)
  const composed = parts.filter(Boolean).join(' ') + (extension ? ` x${extension}` : '')
  const value = formatted || composed
  return value === '' ? undefined : conform(seg, field, PATIENT_FORM.phone!, value)
}

/** XAD first repetition → "street, other, city, state zip, country". */
export function address(seg: Hl7Segment, field: number): string | undefined {
  if (seg.isNull(field)) return ''
  const region = [seg.value(field, 4), seg.value(field, 5)].filter(Boolean).join(' ')
  const parts = [seg.value(field, 1), seg.value(field, 2), seg.value(field, 3), region]
  const value = [...parts, seg.value(field, 6)].filter(Boolean).join(', ')
  return value === '' ? undefined : conform(seg, field, PATIENT_FORM.address!, value)
}
