/**
 * What the HL7 v2 inbound path hands to the domain layer (API.md `POST /api/v1/hl7`).
 * Pure data: no parser objects leak out, so the applier never depends on the library.
 */
import type { Modality } from '../../shared/domain.ts'
import type { EntityId } from '../../shared/protocol.ts'

/** HD (hierarchic designator), decoded: MSH-3…6. */
export interface Hl7Hd {
  namespaceId: string
  universalId: string
  universalIdType: string
}

/** The parts of MSH the ACK and the logs need, decoded. Empty string = absent. */
export interface Hl7Header {
  sendingApplication: Hl7Hd
  sendingFacility: Hl7Hd
  receivingApplication: Hl7Hd
  receivingFacility: Hl7Hd
  /** MSH-7 as sent (DTM); kept raw because the ACK only echoes it in logs. */
  dateTime: string
  /** MSH-9.1, e.g. `ADT`. */
  messageCode: string
  /** MSH-9.2, e.g. `A08`. */
  triggerEvent: string
  /** MSH-9.3, e.g. `ADT_A01` (often absent before v2.3.1). */
  messageStructure: string
  /** MSH-10: echoed in MSA-2 of the ACK. */
  controlId: string
  /** MSH-11.1: `P`, `T` or `D`. */
  processingId: string
  /** MSH-12.1, e.g. `2.5.1`. */
  version: string
}

/** Patient fields a system may set (keys of PATIENT_FORM); values pass checkFieldValue. */
export type Hl7PatientField = 'name' | 'birthDate' | 'sex' | 'accountStatus' | 'phone' | 'address'

/** HL7 priority S/A/R mapped to our vocabulary (API.md). */
export type Hl7Priority = 'STAT' | 'URGENT' | 'ROUTINE'

export type Hl7Command =
  /** ADT^A08: empty string = the sender cleared the field (HL7 `""`); absent = unchanged. */
  | {
      kind: 'patientUpdate'
      patientId: EntityId
      fields: Partial<Record<Hl7PatientField, string>>
    }
  /** ADT^A40: `mergedPatientId` (MRG-1) merges into `patientId` (PID-3), which survives. */
  | { kind: 'patientMerge'; patientId: EntityId; mergedPatientId: EntityId }
  /** ORM^O01 / OMI^O23: creates or changes the study (and creates its patient when unknown). */
  | {
      kind: 'orderUpsert'
      accession: EntityId
      patientId: EntityId
      patient?: { name?: string; birthDate?: string; sex?: string }
      modality?: Modality
      description?: string
      priority?: Hl7Priority
      referringPhysician?: string
      /** ORC-1 as sent (table 0119): NW, XO, CA, SC, … — the applier decides what each means. */
      orderControl: string
      /** ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.s]]` plus `±HH:MM` when the sender gave an offset. */
      scheduledAt?: string
    }

/**
 * HL7 table 0357 (message error condition codes) — the ones this module produces, plus
 * 204 for the applier ("unknown patient" on A08/A40 is an AE the parser cannot see).
 */
export type Hl7Condition =
  | '100'
  | '101'
  | '102'
  | '103'
  | '200'
  | '201'
  | '202'
  | '203'
  | '204'
  | '207'

/** Where a problem is and what kind it is: becomes the ACK's ERR segment. */
export interface Hl7ErrorDetail {
  segment?: string
  field?: number
  condition: Hl7Condition
}

export type Hl7Result =
  | { ok: true; command: Hl7Command; header: Hl7Header }
  | {
      ok: false
      code: 'AR' | 'AE'
      /** Starts with the location (`PID-7 …`, `MSH …`, `segment 3 …`) so a reader of the ACK finds it. */
      reason: string
      /** Null only when MSH itself could not be read. */
      header: Hl7Header | null
      error: Hl7ErrorDetail
    }
