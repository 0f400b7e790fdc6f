/**
 * Reusable pieces of the OpenAPI document: component schemas for what the
 * API returns, the error bodies of API.md "Errors", security schemes, and
 * the small builders the operation tables use. Request bodies are not
 * written here: they come from the routes' own zod schemas (`zodBody`).
 */
import { z } from 'zod'
import {
  MODALITIES,
  PRESENCE_MODES,
  PRIORITIES,
  PRIVILEGES,
  ROLES,
  STUDY_STATUSES,
  VIEWS,
} from '../../shared/domain.ts'
import { ASSIGNMENT_ROLES } from '../domain/rules.ts'

export type JsonSchema = Record<string, unknown>
export type OpenApiObject = Record<string, unknown>

/** The id pattern of API.md "Sync", for accessions and patient ids. */
export const ENTITY_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` })

/** A route's zod request schema as JSON Schema: the input side (defaults optional), no `$schema`. */
export function zodBody(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema
  return json
}

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] })
const isoTime: JsonSchema = { type: 'string', format: 'date-time' }
const subject: JsonSchema = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: { enum: ['study', 'patient'] }, id: { type: 'string' } },
}
const actorOrSystem: JsonSchema = { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] }

const errorSchemas: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    description:
      'Every error body (API.md "Errors"). Some errors add the members named by their own schema.',
    required: ['error', 'message'],
    properties: {
      error: {
        type: 'string',
        description: 'Machine-readable code, e.g. `invalid_input`, `not_found`.',
      },
      message: { type: 'string', description: 'Human-readable explanation.' },
      fields: {
        type: 'object',
        description: 'For 400: what was wrong, field by field (dotted path → problem).',
        additionalProperties: { type: 'string' },
      },
    },
  },
  StaleError: {
    description: '409 when `expectedRev` is stale: who changed the study last and when.',
    allOf: [
      ref('Error'),
      {
        type: 'object',
        required: ['error', 'by', 'at'],
        properties: {
          error: { const: 'stale' },
          by: {
            type: 'string',
            description: 'Display name of whoever changed it last, or `SYSTEM`.',
          },
          at: isoTime,
        },
      },
    ],
  },
  ConflictError: {
    description:
      '409 when the request does not fit the current state (e.g. a workflow step that is not allowed).',
    allOf: [
      ref('Error'),
      {
        type: 'object',
        properties: {
          error: { const: 'conflict' },
          from: { type: 'string', description: 'Current status, for a refused transition.' },
          status: { type: 'string', description: 'Current status, for a refused amendment.' },
        },
      },
    ],
  },
  LockedError: {
    description: '423: another reading physician holds the study.',
    allOf: [
      ref('Error'),
      {
        type: 'object',
        required: ['error', 'holder'],
        properties: { error: { const: 'locked' }, holder: ref('PersonRef') },
      },
    ],
  },
  GoneError: {
    description: '410: the subject was deleted or merged.',
    allOf: [
      ref('Error'),
      {
        type: 'object',
        required: ['error', 'lifecycle'],
        properties: {
          error: { const: 'gone' },
          lifecycle: { enum: ['deleted', 'merged'] },
          mergedInto: { type: 'string', description: 'The surviving record, when merged.' },
        },
      },
    ],
  },
}

const domainSchemas: Record<string, JsonSchema> = {
  PersonRef: {
    type: 'object',
    required: ['id', 'name'],
    properties: { id: { type: 'string' }, name: { type: 'string' } },
  },
  UserIdentity: {
    allOf: [
      ref('PersonRef'),
      { type: 'object', required: ['role'], properties: { role: { enum: [...ROLES] } } },
    ],
  },
  PublicUser: {
    allOf: [
      ref('UserIdentity'),
      {
        type: 'object',
        required: ['username', 'privileges'],
        properties: {
          username: { type: 'string' },
          privileges: { type: 'array', items: { enum: [...PRIVILEGES] } },
        },
      },
    ],
  },
  Claim: {
    description: 'The reading claim: who may write the report.',
    type: 'object',
    required: ['holder', 'since', 'view'],
    properties: {
      holder: ref('PersonRef'),
      since: isoTime,
      view: { enum: ['desktop', 'documents'] },
    },
  },
  StudyStatus: {
    enum: [...STUDY_STATUSES],
    description: 'In workflow order; `amending` is a signed study being amended.',
  },
  StudyState: {
    description: 'Server-owned study state, as in the Y.Map `state` of `study/<accession>/state`.',
    type: 'object',
    required: ['status', 'claim', 'lifecycle', 'rev'],
    properties: {
      status: ref('StudyStatus'),
      ...Object.fromEntries(ASSIGNMENT_ROLES.map((role) => [role, nullable(ref('PersonRef'))])),
      imageCount: { type: 'integer', minimum: 0 },
      srCount: { type: 'integer', minimum: 0 },
      claim: nullable(ref('Claim')),
      group: nullable({ type: 'string' }),
      lifecycle: { enum: ['active', 'deleted', 'merged'] },
      mergedInto: nullable({ type: 'string' }),
      rev: {
        type: 'integer',
        minimum: 0,
        description: 'Increases on every change; send it back as `expectedRev`.',
      },
    },
  },
  AccessEntry: {
    description: 'Someone who has the study open now.',
    type: 'object',
    required: ['id', 'name', 'mode', 'view', 'since'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      role: { enum: [...ROLES] },
      mode: { enum: [...PRESENCE_MODES] },
      view: nullable({ enum: [...VIEWS] }),
      since: isoTime,
      connection: {
        enum: ['live', 'lost'],
        description: '`lost`: dropped without saying goodbye.',
      },
    },
  },
  WorklistRow: {
    type: 'object',
    required: ['accession', 'patientId', 'patientName', 'status', 'priority', 'rev', 'access'],
    properties: {
      accession: { type: 'string' },
      patientId: { type: 'string' },
      patientName: { type: 'string', description: 'DICOM style `FAMILY^GIVEN`.' },
      modality: { enum: [...MODALITIES] },
      description: { type: 'string' },
      priority: { enum: [...PRIORITIES] },
      status: ref('StudyStatus'),
      studyDate: { type: 'string' },
      ...Object.fromEntries(ASSIGNMENT_ROLES.map((role) => [role, nullable(ref('PersonRef'))])),
      imageCount: { type: 'integer', minimum: 0 },
      srCount: { type: 'integer', minimum: 0 },
      group: nullable({ type: 'string' }),
      rev: { type: 'integer', minimum: 0 },
      access: { type: 'array', items: ref('AccessEntry') },
    },
  },
  StudyDetail: {
    type: 'object',
    required: ['accession', 'patientId', 'modality', 'fields', 'state', 'access'],
    properties: {
      accession: { type: 'string' },
      patientId: { type: 'string' },
      modality: { enum: [...MODALITIES] },
      fields: {
        type: 'object',
        description:
          'The Y.Map `fields` of `study/<accession>` as JSON (Y.Text values as strings).',
        additionalProperties: true,
      },
      state: ref('StudyState'),
      access: { type: 'array', items: ref('AccessEntry') },
    },
  },
  OpenResult: {
    type: 'object',
    required: ['readOnly', 'claim', 'assigned', 'notices'],
    properties: {
      readOnly: { type: 'boolean', description: 'Another reading physician holds the claim.' },
      claim: nullable(ref('Claim')),
      assigned: {
        type: 'boolean',
        description: 'The caller holds at least one assignment on the study.',
      },
      assignedRoles: { type: 'array', items: { enum: [...ASSIGNMENT_ROLES] } },
      canTakeOver: { type: 'boolean' },
      notices: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kind', 'text'],
          properties: { kind: { type: 'string' }, text: { type: 'string' } },
        },
      },
      state: ref('StudyState'),
    },
  },
  StateResult: {
    type: 'object',
    required: ['state'],
    properties: { state: ref('StudyState') },
  },
}

const feedSchemas: Record<string, JsonSchema> = {
  FieldChange: {
    type: 'object',
    required: ['field', 'from', 'to'],
    properties: { field: { type: 'string' }, from: {}, to: {} },
  },
  Notice: {
    type: 'object',
    required: ['kind', 'tier', 'subject', 'by', 'at', 'text'],
    properties: {
      kind: {
        type: 'string',
        description: 'e.g. `assignment.changed`, `claim.lost`, `study.status`.',
      },
      tier: {
        enum: ['routine', 'toast', 'blocking'],
        description: 'How prominently a client shows it.',
      },
      subject,
      by: actorOrSystem,
      at: isoTime,
      changes: { type: 'array', items: ref('FieldChange') },
      text: { type: 'string', description: 'Says what, who and when.' },
      details: { type: 'object', additionalProperties: true },
    },
  },
  PresenceEntry: {
    type: 'object',
    required: [
      'user',
      'subject',
      'doc',
      'clientId',
      'mode',
      'view',
      'since',
      'lastActiveAt',
      'connection',
    ],
    properties: {
      user: ref('UserIdentity'),
      subject,
      doc: { type: 'string', description: 'The sync document name.' },
      clientId: { type: 'integer' },
      mode: { enum: [...PRESENCE_MODES] },
      view: nullable({ enum: [...VIEWS] }),
      since: isoTime,
      lastActiveAt: isoTime,
      connection: { enum: ['live', 'lost'] },
      focus: nullable({ type: 'string' }),
    },
  },
}

export const componentSchemas: Record<string, JsonSchema> = {
  ...errorSchemas,
  ...domainSchemas,
  ...feedSchemas,
}

export const securitySchemes: OpenApiObject = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description: 'The `token` from `POST /api/v1/session`.',
  },
  cookieAuth: {
    type: 'apiKey',
    in: 'cookie',
    name: 'studysync_session',
    description:
      'HttpOnly, SameSite=Strict cookie set by `POST /api/v1/session`. Unsafe methods (POST, PUT, DELETE) ' +
      'authenticated by the cookie are refused with 403 when the `Origin` is neither this host nor allowed.',
  },
  tokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description:
      'The session token as `?token=`; accepted only by `/sync/{docName}` and `/api/v1/events`.',
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description: '`$METRICS_TOKEN`, accepted only by `/metrics`.',
  },
}

const errorContent = (schema: JsonSchema) => ({ 'application/json': { schema } })

/** Shared error responses, keyed by HTTP status. */
export const errorResponses: Record<number, OpenApiObject> = {
  400: {
    description: 'Invalid input; `fields` says what was wrong, field by field.',
    content: errorContent(ref('Error')),
  },
  401: {
    description: 'Not authenticated (no, expired or revoked session).',
    content: errorContent(ref('Error')),
  },
  403: {
    description: 'Forbidden for this user (or a cross-site cookie request).',
    content: errorContent(ref('Error')),
  },
  404: { description: 'No such resource.', content: errorContent(ref('Error')) },
  409: {
    description:
      'Stale `expectedRev` (`stale`, naming who changed it and when) or a conflicting state (`conflict`).',
    content: errorContent({ oneOf: [ref('StaleError'), ref('ConflictError')] }),
  },
  410: { description: 'Gone: deleted or merged.', content: errorContent(ref('GoneError')) },
  413: { description: 'The body exceeds the size limit.', content: errorContent(ref('Error')) },
  415: { description: 'The body is not `application/json`.', content: errorContent(ref('Error')) },
  423: {
    description: 'Locked: another reading physician holds the study.',
    content: errorContent(ref('LockedError')),
  },
  429: { description: 'Too many requests.', content: errorContent(ref('Error')) },
  503: { description: 'Not ready or shutting down.', content: errorContent(ref('Error')) },
}
