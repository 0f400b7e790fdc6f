/** Operation tables for lifecycle-routes.ts: merge, delete, grouping, images/SR and HL7 inbound. */
import {
  GroupBody,
  HL7_CONTENT_TYPE,
  HL7_MAX_BYTES,
  ImagesBody,
  MergeBody,
  SrBody,
} from './lifecycle-routes.ts'
import type { OperationSpec } from './openapi-operation.ts'
import { type JsonSchema, ref } from './openapi-schemas.ts'

const mergeDelete = 'Needs the Merge/Delete privilege (admin in the demo).'
const systemOnly = 'For the `system` service account (acting as SYSTEM) and admins only.'
const forcedClose =
  'Every sync connection to its documents closes at once with 4410 and the `GoneReason`; it leaves every ' +
  'worklist; everyone who had it open gets a blocking notice and a `forced-close` event. Later requests for ' +
  'it answer 410.'

/** The tombstone a delete or merge leaves: what happened, by whom, when. */
function goneResult(idName: string, extra: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    required: [idName, 'lifecycle', 'by', 'at', ...Object.keys(extra)],
    properties: {
      [idName]: { type: 'string' },
      lifecycle: { enum: ['deleted', 'merged'] },
      mergedInto: { type: 'string' },
      by: { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] },
      at: { type: 'string', format: 'date-time' },
      ...extra,
    },
  }
}

const accessionList = { type: 'array', items: { type: 'string' } }
const count = { type: 'integer', minimum: 0 }
const mergeErrors: OperationSpec['errors'] = [
  [400, 'Invalid body, a merge into itself, or an unknown target (`fields.into`).'],
  [403, mergeDelete],
  404,
  [409, '`conflict`: the target was deleted or merged; merge into an active one.'],
  410,
]

export const lifecycleOperations: OperationSpec[] = [
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/merge',
    id: 'mergeStudy',
    tag: 'Lifecycle',
    summary: 'Merge a study into another',
    description: `Moves the study's images and SRs to \`into\` and leaves a tombstone. ${mergeDelete} ${forcedClose}`,
    auth: 'session',
    body: MergeBody,
    ok: {
      status: 200,
      description: 'Merged; with the target study’s new state.',
      schema: goneResult('accession', { target: ref('StudyState') }),
    },
    errors: mergeErrors,
  },
  {
    method: 'DELETE',
    path: '/api/v1/studies/:accession',
    id: 'deleteStudy',
    tag: 'Lifecycle',
    summary: 'Delete a study',
    description: `Leaves a tombstone. ${mergeDelete} ${forcedClose}`,
    auth: 'session',
    ok: { status: 200, description: 'Deleted.', schema: goneResult('accession', {}) },
    errors: [[403, mergeDelete], 404, 410],
  },
  {
    method: 'POST',
    path: '/api/v1/patients/:patientId/merge',
    id: 'mergePatient',
    tag: 'Lifecycle',
    summary: 'Merge a patient into another',
    description: `The patient's active studies move to \`into\`; the patient leaves a tombstone. ${mergeDelete} ${forcedClose}`,
    auth: 'session',
    body: MergeBody,
    ok: {
      status: 200,
      description: 'Merged.',
      schema: goneResult('patientId', { movedStudies: accessionList }),
    },
    errors: mergeErrors,
  },
  {
    method: 'DELETE',
    path: '/api/v1/patients/:patientId',
    id: 'deletePatient',
    tag: 'Lifecycle',
    summary: 'Delete a patient',
    description: `Deletes the patient and its active studies. ${mergeDelete} ${forcedClose}`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'Deleted.',
      schema: goneResult('patientId', { deletedStudies: accessionList }),
    },
    errors: [[403, mergeDelete], 404, 410],
  },
  {
    method: 'POST',
    path: '/api/v1/study-groups',
    id: 'groupStudies',
    tag: 'Lifecycle',
    summary: 'Group studies',
    description:
      'Groups studies of one patient, with the `rev` of each as the user saw it (`expectedRevs`, keyed by ' +
      'accession; one is needed for every listed study). A study that is unknown, deleted, merged, changed ' +
      'since, or of another patient than the first is left out and listed in `excluded` with the reason and ' +
      'who changed it last (`by`, a display name or `SYSTEM`) and when (`at`). Fewer than two remaining ' +
      'studies group nothing. Needs the Assign Other Personnel privilege or an admin.',
    auth: 'session',
    body: GroupBody,
    ok: {
      status: 200,
      description: 'What was grouped and what was left out.',
      schema: {
        type: 'object',
        required: ['grouped', 'group', 'excluded'],
        properties: {
          grouped: accessionList,
          group: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          excluded: {
            type: 'array',
            items: {
              type: 'object',
              required: ['accession', 'reason', 'by', 'at'],
              properties: {
                accession: { type: 'string' },
                reason: { type: 'string' },
                by: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
              },
            },
          },
        },
      },
    },
    errors: [
      [400, 'Invalid body, or an accession without its `expectedRevs` entry.'],
      [403, 'The caller lacks the privilege.'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/images',
    id: 'addImages',
    tag: 'Images and SR',
    summary: 'Add images',
    description: `Counts the SOP instances the study received; a UID sent before is not counted twice. ${systemOnly}`,
    auth: 'session',
    body: ImagesBody,
    ok: {
      status: 200,
      description: 'The new image count.',
      schema: {
        type: 'object',
        required: ['accession', 'added', 'duplicates', 'imageCount'],
        properties: {
          accession: { type: 'string' },
          added: count,
          duplicates: count,
          imageCount: count,
        },
      },
    },
    errors: [[403, systemOnly], 404, 410],
  },
  {
    method: 'DELETE',
    path: '/api/v1/studies/:accession/images/:sopInstanceUid',
    id: 'deleteImage',
    tag: 'Images and SR',
    summary: 'Remove an image',
    description: `Withdraws one image received through the API. ${systemOnly}`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'The new image count.',
      schema: {
        type: 'object',
        required: ['accession', 'imageCount'],
        properties: { accession: { type: 'string' }, imageCount: count },
      },
    },
    errors: [
      [400, 'Not a DICOM UID.'],
      [403, systemOnly],
      [404, 'No such study, or the study has no such image.'],
      410,
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/sr',
    id: 'addSr',
    tag: 'Images and SR',
    summary: 'Add a structured report',
    description: `Counts one DICOM SR instance; a UID sent before is not counted twice. ${systemOnly}`,
    auth: 'session',
    body: SrBody,
    ok: {
      status: 200,
      description: 'The new SR count.',
      schema: {
        type: 'object',
        required: ['accession', 'added', 'srCount'],
        properties: { accession: { type: 'string' }, added: { type: 'boolean' }, srCount: count },
      },
    },
    errors: [[403, systemOnly], 404, 410],
  },
  {
    method: 'DELETE',
    path: '/api/v1/studies/:accession/sr/:sopInstanceUid',
    id: 'deleteSr',
    tag: 'Images and SR',
    summary: 'Remove a structured report',
    description: `Withdraws one SR received through the API. ${systemOnly}`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'The new SR count.',
      schema: {
        type: 'object',
        required: ['accession', 'srCount'],
        properties: { accession: { type: 'string' }, srCount: count },
      },
    },
    errors: [
      [400, 'Not a DICOM UID.'],
      [403, systemOnly],
      [404, 'No such study, or the study has no such SR.'],
      410,
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/hl7',
    id: 'receiveHl7',
    tag: 'Integrations',
    summary: 'Receive one HL7 v2 message',
    description:
      'Takes one HL7 v2 message (ER7) and answers with an HL7 ACK, always with HTTP 200 once the message was ' +
      'read: `MSA|AA` accepted, `AE` (a valid message with invalid values, or an update naming an unknown ' +
      'patient) or `AR` (not valid HL7 v2: no MSH, broken segments, an unknown message type), with the reason ' +
      'in MSA-3 and ERR. Refused messages change nothing. Handles ADT^A08 (patient update), ADT^A40 (patient ' +
      'merge), ORM^O01 and OMI^O23 (new or changed order; the accession is OBR-18, else ORC-3/OBR-3; priority ' +
      '`S` STAT, `A` URGENT, `R` ROUTINE). A new order creates its study, and its patient when unknown. ' +
      `${systemOnly} The same handling listens on MLLP when \`MLLP_PORT\` is set.`,
    auth: 'session',
    body: {
      contentTypes: ['text/plain', HL7_CONTENT_TYPE],
      schema: { type: 'string', description: 'One ER7 message, segments separated by CR.' },
    },
    ok: {
      status: 200,
      description: 'The ACK.',
      contentType: HL7_CONTENT_TYPE,
      schema: { type: 'string' },
    },
    errors: [
      [403, systemOnly],
      [413, `The body exceeds ${HL7_MAX_BYTES} bytes.`],
      [415, `The body is neither \`text/plain\` nor \`${HL7_CONTENT_TYPE}\`.`],
    ],
  },
]
