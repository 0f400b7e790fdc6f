/**
 * The parts of the reference that are not plain HTTP routes: the `/sync`
 * WebSocket (close codes, the 4410 reason, message types) and the live feed's
 * event payloads. Tables are keyed by the wire contract's own constants, so a
 * new close code, message type or feed event fails to compile until it is
 * described here.
 */
import {
  CloseCode,
  CustomMessageType,
  MessageType,
  PERMANENT_CLOSE_CODES,
} from '../../shared/protocol.ts'
import type { FeedEvent } from '../events/types.ts'
import { ENTITY_ID_PATTERN, type JsonSchema, type OpenApiObject, ref } from './openapi-schemas.ts'

const CLOSE_MEANINGS: Record<keyof typeof CloseCode, string> = {
  protocolError:
    'Protocol error: an undecodable message, an unknown message type or a text frame. Only that socket closes.',
  notAuthenticated:
    'Not authenticated: no valid session at the upgrade, or the session was revoked.',
  forbidden:
    'Forbidden: no access to the document, a disallowed Origin on a cookie-authenticated upgrade, or ' +
    'access lost while connected (a grant or break-the-glass that expired or was revoked).',
  noSuchDocument: 'No such document: the study or patient does not exist.',
  localCopyRefused:
    'Local copy refused: a write the connection may not make or that fails the form’s schema; reset the local copy and resync.',
  gone: 'Gone: the subject was deleted or merged; the close reason is the JSON `GoneReason`.',
  messageTooLarge: 'A message exceeded the size limit.',
  tooManyMessages:
    'A limit was hit; the reason says which: "too many messages" (rate), "too many pending updates", "too slow" (the client stopped reading and maxBufferedBytes were queued for it) or "too many connections" (maxConnectionsPerSession open sync connections for one session).',
  shuttingDown:
    'The server is shutting down, or storage is unavailable ("storage unavailable": a write could not be logged or the document could not be loaded); reconnect later.',
}

const MESSAGE_MEANINGS: Record<keyof typeof MessageType | keyof typeof CustomMessageType, string> =
  {
    sync: 'y-protocols sync: step 1 (state vector), step 2 (missing updates), update. Writes are checked before they are applied and stored.',
    awareness:
      'y-protocols awareness. The server stamps `user: {id, name, role}` from the session over whatever the client sent, ' +
      'and relays the states to the room’s other connections (not back to the sender, which has them).',
    auth: 'y-websocket auth. Authentication happens at the upgrade; the server ignores these.',
    queryAwareness:
      'Asks for the current awareness states; the server answers with an awareness message.',
    savedAck:
      'StudySync extension (server → client): the durable state vector after a group commit. Sent only to ' +
      'clients that ask for it with `?savedAck=1` on the upgrade URL, so stock y-websocket clients never see it: ' +
      'after each durable commit to the room (coalesced), and at once when a sync step 2 brings nothing new.',
  }

const FEED_EVENTS: Record<FeedEvent['type'], { description: string; data: JsonSchema }> = {
  notice: { description: 'Something changed that concerns the user.', data: ref('Notice') },
  presence: {
    description:
      'Who has a study or patient open now (the full list for that subject). Live-only: no id, not replayed.',
    data: {
      type: 'object',
      required: ['subject', 'entries'],
      properties: {
        subject: subjectSchema(),
        entries: { type: 'array', items: ref('PresenceEntry') },
      },
    },
  },
  'forced-close': {
    description:
      'The user must close a study or patient: deleted, merged, access revoked or reading claim lost.',
    data: {
      type: 'object',
      required: ['subject', 'reason', 'by', 'at'],
      properties: {
        subject: subjectSchema(),
        reason: { enum: ['deleted', 'merged', 'access-revoked', 'claim-lost'] },
        by: { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] },
        at: { type: 'string', format: 'date-time' },
        mergedInto: { type: 'string' },
      },
    },
  },
  worklist: {
    description: 'A worklist row was added, updated or removed; refetch it.',
    data: {
      type: 'object',
      required: ['accession', 'change'],
      properties: {
        accession: { type: 'string' },
        change: { enum: ['updated', 'removed', 'added'] },
      },
    },
  },
}

function subjectSchema(): JsonSchema {
  return {
    type: 'object',
    required: ['type', 'id'],
    properties: { type: { enum: ['study', 'patient'] }, id: { type: 'string' } },
  }
}

const ID = ENTITY_ID_PATTERN.slice(1, -1)
export const DOC_NAME_PATTERN = `^(worklist|study/${ID}(/report|/state)?|patient/${ID}(/state)?)$`

const closeCodeEntries = Object.entries(CloseCode) as [keyof typeof CloseCode, number][]
const messageEntries = [...Object.entries(MessageType), ...Object.entries(CustomMessageType)] as [
  keyof typeof MESSAGE_MEANINGS,
  number,
][]

export const syncSchemas: Record<string, JsonSchema> = {
  CloseCode: {
    description:
      'WebSocket close codes of `/sync/{docName}`. Clients do not reconnect after the `x-permanent` ones.',
    oneOf: closeCodeEntries.map(([name, code]) => ({
      const: code,
      title: name,
      description: CLOSE_MEANINGS[name],
      'x-permanent': PERMANENT_CLOSE_CODES.has(code),
    })),
  },
  GoneReason: {
    description: 'JSON text of the close reason that comes with 4410.',
    type: 'object',
    required: ['reason', 'by', 'at'],
    properties: {
      reason: { enum: ['deleted', 'merged'] },
      by: { anyOf: [ref('PersonRef'), { const: 'SYSTEM' }] },
      at: { type: 'string', format: 'date-time' },
      mergedInto: { type: 'string', description: 'The surviving record, when merged.' },
    },
  },
  SyncMessageType: {
    description:
      'The first varint of every binary sync message. 0–3 are y-websocket’s; 100+ are StudySync’s.',
    oneOf: messageEntries.map(([name, type]) => ({
      const: type,
      title: name,
      description: MESSAGE_MEANINGS[name],
    })),
  },
  ...Object.fromEntries(
    Object.entries(FEED_EVENTS).map(([type, { description, data }]) => [
      feedSchemaName(type),
      {
        description: `SSE \`event: ${type}\`. ${description}`,
        type: 'object',
        required: ['type', 'data'],
        properties: { type: { const: type }, data },
      },
    ]),
  ),
  FeedEvent: {
    description:
      'One live feed event. On the wire `type` is the SSE `event:` field and `data` the JSON of the `data:` line.',
    oneOf: Object.keys(FEED_EVENTS).map((type) => ref(feedSchemaName(type))),
    discriminator: {
      propertyName: 'type',
      // Explicit: the implicit mapping would look for schemas named after the values (`notice`).
      mapping: Object.fromEntries(
        Object.keys(FEED_EVENTS).map((type) => [
          type,
          `#/components/schemas/${feedSchemaName(type)}`,
        ]),
      ),
    },
  },
}

function feedSchemaName(type: string): string {
  const camel = type.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())
  return `${camel}Event`
}

const closeTable = closeCodeEntries
  .map(
    ([name, code]) =>
      `- ${code}: ${CLOSE_MEANINGS[name]}${PERMANENT_CLOSE_CODES.has(code) ? ' (do not reconnect)' : ''}`,
  )
  .join('\n')

/** The path item of `GET /sync/{docName}`. */
export const syncPathItem: Record<string, OpenApiObject> = {
  get: {
    operationId: 'syncDocument',
    tags: ['Sync'],
    summary: 'Collaborate on a document (WebSocket)',
    description: [
      'Upgrades to a WebSocket speaking the y-websocket protocol for one Yjs document. `docName` is one of',
      '`study/<accession>`, `study/<accession>/report`, `study/<accession>/state`, `patient/<patientId>`,',
      '`patient/<patientId>/state`, `worklist`, ids matching `[A-Za-z0-9][A-Za-z0-9._-]{0,63}` (the slashes are',
      'part of the name). A name that does not match is refused before the upgrade with HTTP 400; so is every',
      'upgrade while the server is shutting down (HTTP 503). Session, Origin and access are checked before the',
      'document loads; their refusals upgrade and close at once with a close code, since browsers cannot read',
      'the status of a failed handshake. `*/state` and `worklist` are written only by the server.',
      '',
      'Binary messages start with a `SyncMessageType`. Close codes (`CloseCode`):',
      closeTable,
    ].join('\n'),
    security: [{ bearerAuth: [] }, { cookieAuth: [] }, { tokenQuery: [] }],
    parameters: [
      {
        name: 'docName',
        in: 'path',
        required: true,
        description: 'The document name, slashes included.',
        schema: { type: 'string', pattern: DOC_NAME_PATTERN },
      },
    ],
    responses: {
      '101': {
        description:
          'Switching to the WebSocket protocol. Refusals after this point are close codes.',
      },
      '400': { description: 'The document name is not valid; no upgrade.' },
      '503': { description: 'The server is shutting down; no upgrade.' },
    },
    'x-close-codes': Object.fromEntries(
      closeCodeEntries.map(([name, code]) => [code, CLOSE_MEANINGS[name]]),
    ),
    'x-message-types': Object.fromEntries(
      messageEntries.map(([name, type]) => [type, MESSAGE_MEANINGS[name]]),
    ),
  },
}
