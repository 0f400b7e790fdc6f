/**
 * MSH → Hl7Header, and the header rules that make a message AR: the ACK needs MSH-10,
 * and we only speak v2.x in processing modes P/T/D.
 */
import { rejected } from './problem.ts'
import type { Hl7Segment } from './reader.ts'
import type { Hl7Hd, Hl7Header } from './types.ts'

export function readHeader(msh: Hl7Segment): Hl7Header {
  return {
    sendingApplication: hd(msh, 3),
    sendingFacility: hd(msh, 4),
    receivingApplication: hd(msh, 5),
    receivingFacility: hd(msh, 6),
    dateTime: msh.value(7),
    messageCode: msh.value(9, 1),
    triggerEvent: msh.value(9, 2),
    messageStructure: msh.value(9, 3),
    controlId: msh.value(10),
    processingId: msh.value(11),
    version: msh.value(12),
  }
}

function hd(msh: Hl7Segment, field: number): Hl7Hd {
  return {
    namespaceId: msh.value(field, 1),
    universalId: msh.value(field, 2),
    universalIdType: msh.value(field, 3),
  }
}

/** v2.1 … v2.9 (2.5, 2.5.1, 2.7.1, …). */
const VERSION = /^2\.[1-9](\.\d+)?$/
const PROCESSING_IDS = ['P', 'T', 'D']

/** Throws AR for a header we cannot acknowledge or do not support. */
export function checkHeader(header: Hl7Header): void {
  if (header.messageCode === '' || header.triggerEvent === '') {
    throw rejected('MSH', 9, '200', 'message type is missing')
  }
  if (header.controlId === '') throw rejected('MSH', 10, '101', 'message control id is missing')
  if (!PROCESSING_IDS.includes(header.processingId)) {
    const text = `processing id ${JSON.stringify(header.processingId)} is not one of P, T, D`
    throw rejected('MSH', 11, '202', text)
  }
  if (!VERSION.test(header.version)) {
    throw rejected('MSH', 12, '203', `version ${JSON.stringify(header.version)} is not HL7 v2`)
  }
}
