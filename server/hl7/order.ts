/** ORM^O01 (general order) and OMI^O23 (imaging order, IHE Scheduled Workflow.b). */
import type { Modality } from '../../shared/domain.ts'
import { STUDY_FORM } from '../../shared/schema.ts'
import { patientId, requiredSegment } from './adt.ts'
import { invalid, rejected, shown } from './problem.ts'
import type { Hl7Message, Hl7Segment } from './reader.ts'
import type { Hl7Command, Hl7Priority } from './types.ts'
import { birthDate, conform, dateTime, personName, requiredId, sex } from './values.ts'

type OrderUpsert = Extract<Hl7Command, { kind: 'orderUpsert' }>

export function orderUpsert(message: Hl7Message): Hl7Command {
  const orc = requiredSegment(message, 'ORC')
  // One command per message: several orders would have to succeed or fail together.
  if (message.count('ORC') > 1 || message.count('OBR') > 1) {
    throw rejected('ORC', undefined, '100', 'repeats: send one order per message')
  }
  const obr = message.first('OBR')
  const pid = message.first('PID')
  if (pid === undefined) throw invalid('PID', 3, '101', 'patient identifier is missing')
  const command: OrderUpsert = {
    kind: 'orderUpsert',
    accession: accession(orc, obr),
    patientId: patientId(pid),
    patient: orderPatient(pid),
    modality: obr && modality(obr),
    description: obr && description(obr),
    priority: priority(message.first('TQ1'), orc, obr),
    referringPhysician: referringPhysician(orc, obr),
    orderControl: orderControl(orc),
    scheduledAt: scheduledAt(message.first('TQ1'), orc, obr),
  }
  return dropUndefined(command)
}

/** OBR-18 (IHE SWF accession), else the filler order number ORC-3 / OBR-3 (API.md). */
function accession(orc: Hl7Segment, obr: Hl7Segment | undefined) {
  if (obr && obr.value(18) !== '') return requiredId(obr, 18, 'accession number')
  if (orc.value(3) !== '') return requiredId(orc, 3, 'filler order number')
  if (obr && obr.value(3) !== '') return requiredId(obr, 3, 'filler order number')
  throw invalid('OBR', 18, '101', 'accession number is missing (and ORC-3, OBR-3 are empty)')
}

/** Demographics to create the patient with when unknown; `""` clears nothing on an order. */
function orderPatient(pid: Hl7Segment): OrderUpsert['patient'] {
  const patient = {
    name: personName(pid, 5, 'patient name') || undefined,
    birthDate: birthDate(pid, 7) || undefined,
    sex: pid.isNull(8) ? undefined : sex(pid, 8),
  }
  const kept = dropUndefined(patient)
  return Object.keys(kept).length === 0 ? undefined : kept
}

/** HL7 table 0119, v2.5–2.8. */
const ORDER_CONTROLS = new Set(
  (
    'AF CA CH CN CR DC DE DF DR FU HD HR LI MC NA NW OC OD OE OF OH OK OP OR PA PR PY RE RF ' +
    'RL RO RP RQ RR RU SC SN SR SS UA UC UD UF UH UM UN UR UX XO XR XX'
  ).split(' '),
)

function orderControl(orc: Hl7Segment): string {
  const code = orc.value(1)
  if (code === '') throw invalid('ORC', 1, '101', 'order control is missing')
  if (!ORDER_CONTROLS.has(code)) {
    throw invalid('ORC', 1, '103', `order control ${shown(code)} is not in HL7 table 0119`)
  }
  return code
}

const PRIORITIES: Record<string, Hl7Priority> = { S: 'STAT', A: 'URGENT', R: 'ROUTINE' }

/** TQ1-9 (v2.5 OMI), else the TQ priority component ORC-7.6 / OBR-27.6 (ORM, older OMI). */
function priority(tq1: Hl7Segment | undefined, orc: Hl7Segment, obr: Hl7Segment | undefined) {
  const sources: [Hl7Segment | undefined, number, number][] = [
    [tq1, 9, 1],
    [orc, 7, 6],
    [obr, 27, 6],
  ]
  for (const [seg, field, component] of sources) {
    const code = seg?.value(field, component) ?? ''
    if (seg === undefined || code === '') continue
    const mapped = PRIORITIES[code]
    if (mapped === undefined) {
      throw invalid(seg.name, field, '103', `priority ${shown(code)} is not one of S, A, R`)
    }
    return conform(seg, field, STUDY_FORM.priority!, mapped) as Hl7Priority
  }
  return undefined
}

/** OBR-24 codes (table 0074 and the DICOM modality codes sites put there). */
const SECTION_MODALITIES: Record<string, Modality> = {
  CT: 'CT',
  MR: 'MR',
  NMR: 'MR',
  US: 'US',
  RUS: 'US',
  OUS: 'US',
  VUS: 'US',
  CUS: 'US',
  CR: 'CR',
  DX: 'CR',
  RX: 'CR',
  MG: 'MG',
}

/** Words in the procedure text (OBR-4) that name a modality, e.g. "CT HEAD W/O CONTRAST". */
const TEXT_MODALITIES: Record<string, Modality> = {
  ...SECTION_MODALITIES,
  MRI: 'MR',
  ULTRASOUND: 'US',
  XR: 'CR',
  XRAY: 'CR',
  MAMMO: 'MG',
  MAMMOGRAM: 'MG',
  MAMMOGRAPHY: 'MG',
}

/**
 * OBR-24, else the first modality word of OBR-4's text. Optional: a generic section
 * such as RAD, or one we do not image (NMS), falls through rather than refusing the order.
 */
function modality(obr: Hl7Segment): Modality | undefined {
  const section = SECTION_MODALITIES[obr.value(24).toUpperCase()]
  if (section) return section
  const words = `${obr.value(4, 2)} ${obr.value(4, 1)}`.toUpperCase().split(/[^A-Z]+/)
  return words.map((w) => TEXT_MODALITIES[w]).find((m) => m !== undefined)
}

/** OBR-4 component 2: the universal service identifier's text. */
function description(obr: Hl7Segment): string | undefined {
  const text = obr.value(4, 2)
  return text === '' ? undefined : conform(obr, 4, STUDY_FORM.description!, text)
}

/** Ordering provider, XCN → FAMILY^GIVEN: ORC-12, else OBR-16. */
function referringPhysician(orc: Hl7Segment, obr: Hl7Segment | undefined) {
  for (const [seg, field] of [[orc, 12] as const, [obr, 16] as const]) {
    const name = seg && personName(seg, field, 'ordering provider', 2)
    if (seg && name) return conform(seg, field, STUDY_FORM.referringPhysician!, name)
  }
  return undefined
}

/** TQ1-7 start (v2.5 OMI), else ORC-7.4 / OBR-27.4 (TQ start), else OBR-36 scheduled time. */
function scheduledAt(tq1: Hl7Segment | undefined, orc: Hl7Segment, obr: Hl7Segment | undefined) {
  return (
    (tq1 && dateTime(tq1, 7, 1, 'start date/time')) ??
    dateTime(orc, 7, 4, 'start date/time') ??
    (obr && dateTime(obr, 27, 4, 'start date/time')) ??
    (obr && dateTime(obr, 36, 1, 'scheduled date/time'))
  )
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
