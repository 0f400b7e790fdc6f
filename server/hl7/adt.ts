/** ADT^A08 (update patient information) and ADT^A40 (merge patient — patient identifier list). */
import { invalid, rejected } from './problem.ts'
import type { Hl7Message, Hl7Segment } from './reader.ts'
import type { Hl7Command, Hl7PatientField } from './types.ts'
import { address, birthDate, personName, phone, requiredId, sex } from './values.ts'

type PatientFields = Partial<Record<Hl7PatientField, string>>

export function patientUpdate(message: Hl7Message): Hl7Command {
  const pid = requiredSegment(message, 'PID')
  return { kind: 'patientUpdate', patientId: patientId(pid), fields: demographics(pid) }
}

export function patientMerge(message: Hl7Message): Hl7Command {
  const pid = requiredSegment(message, 'PID')
  const mrg = requiredSegment(message, 'MRG')
  // A40 allows several PID/MRG pairs; applying half of them would leave the sender unsure.
  if (message.count('PID') > 1 || message.count('MRG') > 1) {
    throw rejected('MRG', undefined, '100', 'repeats: send one merge per message')
  }
  const survivor = patientId(pid)
  const merged = requiredId(mrg, 1, 'prior patient identifier')
  if (merged === survivor) throw invalid('MRG', 1, '102', 'names the surviving patient (PID-3)')
  return { kind: 'patientMerge', patientId: survivor, mergedPatientId: merged }
}

/** PID-3, first repetition's ID (the sender lists its preferred identifier first). */
export function patientId(pid: Hl7Segment) {
  return requiredId(pid, 3, 'patient identifier')
}

/**
 * Only fields the sender filled in: HL7 says an empty field means "no information, keep
 * what you have", and `""` means "delete it" (the readers return '' then).
 */
export function demographics(pid: Hl7Segment): PatientFields {
  if (pid.isNull(5)) throw invalid('PID', 5, '101', 'patient name cannot be deleted')
  const read: PatientFields = {
    name: personName(pid, 5, 'patient name'),
    birthDate: birthDate(pid, 7),
    sex: sex(pid, 8),
    address: address(pid, 11),
    phone: phone(pid, 13),
  }
  return Object.fromEntries(Object.entries(read).filter(([, v]) => v !== undefined))
}

export function requiredSegment(message: Hl7Message, name: string): Hl7Segment {
  const segment = message.first(name)
  if (segment === undefined) throw rejected(name, undefined, '100', 'segment is missing')
  return segment
}
