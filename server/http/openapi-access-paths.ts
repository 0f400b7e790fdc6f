/** Operation tables for access-routes.ts, break-glass-routes.ts, reference-routes.ts and audit-routes.ts. */

import { GrantBody } from './access-routes.ts'
import { BreakGlassBody } from './break-glass-routes.ts'
import type { OperationSpec, Parameter } from './openapi-operation.ts'
import { type JsonSchema, ref } from './openapi-schemas.ts'
import { PatientSessionBody, PinBody } from './reference-routes.ts'

const time: JsonSchema = { type: 'string', format: 'date-time' }
const str: JsonSchema = { type: 'string' }
const obj = (properties: Record<string, JsonSchema>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  properties,
})
const manage = 'Needs the manageAccess privilege (admins in the demo).'
const rechecks =
  'Open sync connections are checked again at once: those that lost access close with 4403 and their ' +
  'user gets a `forced-close` event with reason `access-revoked`. Audited.'

const group = obj({
  id: str,
  name: str,
  members: { type: 'array', items: ref('PersonRef') },
  contact: obj({ address: str, phone: str, email: str }),
})
const grant = obj(
  {
    id: str,
    user: ref('PersonRef'),
    group,
    type: { enum: ['view', 'edit', 'report'] },
    validUntil: { anyOf: [time, { type: 'null' }] },
    grantedBy: ref('PersonRef'),
    grantedAt: time,
  },
  ['id', 'type', 'validUntil', 'grantedBy', 'grantedAt'],
)
const breakGlass = obj({
  id: str,
  accession: str,
  user: ref('PersonRef'),
  at: time,
  reason: str,
  expiresAt: time,
  active: { type: 'boolean' },
  acknowledgedBy: { anyOf: [ref('PersonRef'), { type: 'null' }] },
  acknowledgedAt: { anyOf: [time, { type: 'null' }] },
})
const referenceNumber = obj({
  id: str,
  number: str,
  validFrom: time,
  validTo: time,
  hasPin: { type: 'boolean' },
  failedAttempts: { type: 'integer', minimum: 0 },
  lockedOut: { type: 'boolean' },
  compliant: { type: 'boolean' },
  usable: { type: 'boolean' },
  createdAt: time,
})
const bucket = obj({
  id: str,
  name: str,
  owner: ref('PersonRef'),
  sharedWith: {
    type: 'array',
    items: obj({ kind: { enum: ['user', 'group', 'unknown'] }, id: str, name: str }),
  },
  accessions: { type: 'array', items: str },
})
const transfer = obj({
  id: str,
  kind: { enum: ['forwarded', 'downloaded'] },
  destination: str,
  by: { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] },
  at: time,
})
const list = (items: JsonSchema) => ({ type: 'array', items })
const auditEntry: JsonSchema = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'subject', 'outcome', 'source', 'hash', 'prevHash'],
  properties: {
    id: str,
    at: time,
    actor: { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] },
    onBehalfOf: ref('PersonRef'),
    action: str,
    subject: obj({ type: str, id: str }),
    patientId: str,
    outcome: { enum: ['success', 'failure', 'refused'] },
    source: obj({ ip: str, session: { anyOf: [str, { type: 'null' }] } }),
    details: { type: 'object' },
    hash: str,
    prevHash: str,
  },
}
const filters: Parameter[] = [
  ['subject', 'The subject id (an accession, a patient id, a user id, …).'],
  ['user', 'The acting user id, or the user acted for.'],
  ['action', 'An action such as `access.grant`; `access.*` matches a prefix.'],
  ['from', 'Earliest time, ISO 8601, inclusive.'],
  ['to', 'Latest time, ISO 8601, inclusive.'],
].map(([name, description]) => ({
  name: name!,
  in: 'query',
  description: description!,
  schema: str,
}))

export const accessOperations: OperationSpec[] = [
  {
    method: 'GET',
    path: '/api/v1/studies/:accession/access',
    id: 'getStudyAccess',
    tag: 'Access',
    summary: 'The study’s Access tab',
    description:
      'Valid grants to users and groups (with the group’s members and contact details), break-the-glass ' +
      'unlocks (who, when, why, until when), transfers to PACS, the buckets it is in, and its reference ' +
      'numbers (PINs are never returned; `compliant: false` marks a number that cannot be used). For ' +
      'holders of manageAccess and for staff who themselves have access to the study. The read is audited.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'The access lists.',
      schema: obj({
        accession: str,
        grants: list(grant),
        breakGlass: list(breakGlass),
        transfers: list(transfer),
        buckets: list(bucket),
        referenceNumbers: list(referenceNumber),
      }),
    },
    errors: [[403, 'No access to this study (checked before existence).'], 404, 410],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/access/grants',
    id: 'createGrant',
    tag: 'Access',
    summary: 'Grant access to a user or group',
    description: `Exactly one of \`userId\`, \`groupId\`. \`view\` reads the study; \`edit\` and \`report\` may also write its info form. \`validUntil\` is a future ISO time or null (no end); at that moment the grant stops working and open connections relying on it close with 4403. ${manage} Audited.`,
    auth: 'session',
    body: GrantBody,
    ok: { status: 201, description: 'The grant.', schema: obj({ grant }) },
    errors: [404, 410],
  },
  {
    method: 'DELETE',
    path: '/api/v1/studies/:accession/access/grants/:grantId',
    id: 'revokeGrant',
    tag: 'Access',
    summary: 'Withdraw a grant',
    description: `${manage} ${rechecks}`,
    auth: 'session',
    ok: { status: 200, description: 'Revoked.', schema: obj({ grant, revokedAt: time }) },
    errors: [[404, 'No such live grant on this study.']],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/break-glass',
    id: 'breakGlass',
    tag: 'Access',
    summary: 'Break the glass: unlock a study with a reason',
    description:
      'For signed-in staff without access to the study. The reason is trimmed and must have at least 15 ' +
      'characters (at most 1000). Gives read-only access until `expiresAt` (`BREAK_GLASS_H`, default 4 h), ' +
      'then open connections close with 4403. Listed on the Access tab, audited (refusals too) and queued ' +
      'for admin review.',
    auth: 'session',
    body: BreakGlassBody,
    ok: { status: 201, description: 'Unlocked.', schema: obj({ breakGlass }) },
    errors: [
      [403, 'A role that cannot break the glass (patients, service accounts).'],
      404,
      [409, '`conflict`: the caller already has access.'],
      410,
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/break-glass',
    id: 'listBreakGlass',
    tag: 'Access',
    summary: 'Break-the-glass review queue',
    description: `Every unlock, newest first; \`pending=1\` keeps the unacknowledged ones. ${manage}`,
    auth: 'session',
    parameters: [
      {
        name: 'pending',
        in: 'query',
        description: '`1`: only events not yet acknowledged.',
        schema: { enum: ['0', '1', 'true', 'false'] },
      },
    ],
    ok: {
      status: 200,
      description: 'Events.',
      schema: obj({ entries: list({ allOf: [breakGlass, obj({ patientId: str }, [])] }) }),
    },
    errors: [[403, manage]],
  },
  {
    method: 'POST',
    path: '/api/v1/break-glass/:id/acknowledge',
    id: 'acknowledgeBreakGlass',
    tag: 'Access',
    summary: 'Acknowledge a break-the-glass event',
    description: `Takes it off the pending queue, recording who reviewed it and when. ${manage} Audited.`,
    auth: 'session',
    ok: { status: 200, description: 'Acknowledged.', schema: obj({ breakGlass }) },
    errors: [404, [409, '`conflict`: already acknowledged (`by` says who).']],
  },
  {
    method: 'DELETE',
    path: '/api/v1/buckets/:id',
    id: 'revokeBucket',
    tag: 'Access',
    summary: 'Revoke a whole bucket',
    description: `Nobody reaches its studies through it any more. ${manage} ${rechecks}`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'Revoked.',
      schema: obj({ bucket, revoked: { type: 'boolean' } }),
    },
    errors: [404],
  },
  {
    method: 'DELETE',
    path: '/api/v1/buckets/:id/studies/:accession',
    id: 'removeStudyFromBucket',
    tag: 'Access',
    summary: 'Remove a study from a bucket',
    description: `${manage} ${rechecks}`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'Removed.',
      schema: obj({ bucket, revoked: { type: 'boolean' } }),
    },
    errors: [[404, 'No such live bucket, or the study is not in it.']],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/reference-numbers/regenerate',
    id: 'regenerateReferenceNumber',
    tag: 'Access',
    summary: 'Regenerate the patient reference number',
    description: `Withdraws the study’s active numbers and creates one by the department’s rule: \`<MODALITY>-\` and 10 characters of an unambiguous alphabet (letters and digits), valid from now for \`REF_NUMBER_VALID_DAYS\` (default 30). Patient sessions of withdrawn numbers close with 4403. ${manage} Audited.`,
    auth: 'session',
    ok: {
      status: 201,
      description: 'The new number.',
      schema: obj({ referenceNumber, withdrawn: list(str) }),
    },
    errors: [404, 410],
  },
  {
    method: 'DELETE',
    path: '/api/v1/studies/:accession/reference-numbers/:id',
    id: 'withdrawReferenceNumber',
    tag: 'Access',
    summary: 'Withdraw a reference number',
    description: `It can no longer be used; open patient sessions with it close with 4403. ${manage} Audited.`,
    auth: 'session',
    ok: {
      status: 200,
      description: 'Withdrawn.',
      schema: obj({ referenceNumber, withdrawnAt: time }),
    },
    errors: [[404, 'No such active number on this study.']],
  },
  {
    method: 'PUT',
    path: '/api/v1/studies/:accession/reference-numbers/:id/pin',
    id: 'setReferenceNumberPin',
    tag: 'Access',
    summary: 'Set the PIN of a reference number',
    description: `4 to 8 digits, not one repeated digit, not a simple ascending or descending run (400 says which). Stored scrypt-hashed; never returned or audited. Resets the failed-attempt count and a lockout. ${manage}`,
    auth: 'session',
    body: PinBody,
    ok: { status: 200, description: 'Set.', schema: obj({ referenceNumber }) },
    errors: [404, [409, '`conflict`: the number is not compliant and cannot be used.']],
  },
  {
    method: 'POST',
    path: '/api/v1/patient-session',
    id: 'createPatientSession',
    tag: 'Authentication',
    summary: 'Patient login with a reference number',
    description:
      'Gives a session that reads `study/<accession>` of that one study, read-only, and nothing else ' +
      '(other documents close with 4403; other API routes answer 403). A wrong PIN counts against the ' +
      'number; after `PIN_MAX_ATTEMPTS` (default 5) it is locked (423, even with the right PIN) until a ' +
      'new PIN is set. Withdrawn, expired and non-compliant numbers are refused (403). Every attempt is ' +
      'audited (`patient-session.success` / `patient-session.failure` with the reason). Also sets the ' +
      'session cookie.',
    auth: 'public',
    body: PatientSessionBody,
    ok: {
      status: 200,
      description: 'The session.',
      schema: obj({ token: str, accession: str, readOnly: { const: true } }),
    },
    errors: [
      [401, 'Unknown number, or a wrong or missing PIN (`attemptsLeft` after a wrong PIN).'],
      [403, '`reference_unusable`: withdrawn, outside its validity, or not compliant.'],
      [423, '`locked_out`: too many wrong PINs.'],
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    id: 'queryAudit',
    tag: 'Audit',
    summary: 'Query the audit trail',
    description:
      'Entries newest first, filtered; `nextCursor` pages further back. Needs readAudit (admins). The read is ' +
      'itself audited (`audit.read` with the query) before the answer; refused reads are audited too.',
    auth: 'session',
    parameters: [
      ...filters,
      {
        name: 'cursor',
        in: 'query',
        description: 'From a previous page’s `nextCursor`.',
        schema: str,
      },
      {
        name: 'limit',
        in: 'query',
        description: 'Entries per page (default 50, at most 500).',
        schema: { type: 'integer', minimum: 1 },
      },
    ],
    ok: {
      status: 200,
      description: 'A page.',
      schema: obj({ entries: list(auditEntry), nextCursor: { anyOf: [str, { type: 'null' }] } }),
    },
    errors: [
      [400, 'An unknown parameter, a bad time or cursor.'],
      [403, 'No readAudit privilege.'],
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/audit/verify',
    id: 'verifyAudit',
    tag: 'Audit',
    summary: 'Verify the hash chain',
    description:
      'Re-reads the stored log (not memory) and checks every entry’s hash and link; `brokenAt` is the id of ' +
      'the first entry that does not verify and `reason` says why. Once retention (AUDIT_RETENTION_DAYS) has ' +
      'pruned old entries, the check starts from the retention `anchor`: the first retained entry must link ' +
      'to the hash of the last pruned one, and the anchor must match the newest `audit.retention.prune` entry. ' +
      'Needs readAudit. Audited.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'The result.',
      schema: obj(
        {
          ok: { type: 'boolean' },
          entries: { type: 'integer', description: 'Retained entries checked.' },
          brokenAt: str,
          reason: str,
          anchor: obj({
            prunedThroughId: str,
            prunedThroughHash: str,
            prunedThroughAt: time,
            prunedEntries: { type: 'integer' },
            prunedAt: time,
          }),
        },
        ['ok', 'entries'],
      ),
    },
    errors: [[403, 'No readAudit privilege.']],
  },
  {
    method: 'GET',
    path: '/api/v1/audit/export',
    id: 'exportAudit',
    tag: 'Audit',
    summary: 'Export as FHIR AuditEvent',
    description:
      'A FHIR R4 `Bundle` (searchset) of `AuditEvent` resources with DICOM event type codes, for the same ' +
      'filters as the query (at most 10,000 entries; 413 beyond). Needs readAudit. Audited (`audit.export`).',
    auth: 'session',
    parameters: [
      {
        name: 'format',
        in: 'query',
        description: 'Only `fhir`.',
        schema: { const: 'fhir' },
      },
      ...filters,
    ],
    ok: {
      status: 200,
      description: 'The Bundle.',
      contentType: 'application/fhir+json',
      schema: obj(
        {
          resourceType: { const: 'Bundle' },
          type: str,
          total: { type: 'integer' },
          entry: list({ type: 'object' }),
        },
        ['resourceType', 'type', 'entry'],
      ),
    },
    errors: [
      [400, 'A format other than fhir, or a bad filter.'],
      [403, 'No readAudit privilege.'],
      413,
    ],
  },
]
