/** Operation tables for health, sessions, the live feed, presence and this document itself. */
import type { OperationSpec } from './openapi-operation.ts'
import { ref } from './openapi-schemas.ts'
import { LoginBody } from './session-routes.ts'

const ok = { type: 'object', required: ['ok'], properties: { ok: { const: true } } }

export const healthOperations: OperationSpec[] = [
  {
    method: 'GET',
    path: '/healthz',
    id: 'getHealth',
    tag: 'Operations',
    summary: 'Liveness',
    description: 'Answers 200 while the process is alive.',
    auth: 'public',
    ok: { status: 200, description: 'Alive.', schema: ok },
  },
  {
    method: 'GET',
    path: '/readyz',
    id: 'getReadiness',
    tag: 'Operations',
    summary: 'Readiness',
    description:
      'Answers 200 once storage is loaded and the server listens; 503 `not_ready` before that and while shutting down.',
    auth: 'public',
    ok: { status: 200, description: 'Ready.', schema: ok },
    errors: [[503, 'Storage is still loading, or the server is shutting down.']],
  },
  {
    method: 'GET',
    path: '/metrics',
    id: 'getMetrics',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    description:
      'Prometheus text exposition format. Needs `Authorization: Bearer $METRICS_TOKEN`, or the session ' +
      '(bearer or cookie) of an admin or system admin: other users get 403.',
    auth: 'metrics',
    ok: {
      status: 200,
      description: 'Metrics.',
      contentType: 'text/plain; version=0.0.4',
      schema: { type: 'string' },
    },
    errors: [[403, 'The session is not an admin’s.']],
  },
  {
    method: 'GET',
    path: '/api/v1/openapi.json',
    id: 'getOpenApi',
    tag: 'Operations',
    summary: 'This API reference',
    description:
      'The OpenAPI 3.1 document describing every HTTP endpoint, the sync WebSocket and the live feed events.',
    auth: 'public',
    ok: { status: 200, description: 'The OpenAPI document.', schema: { type: 'object' } },
  },
]

export const sessionOperations: OperationSpec[] = [
  {
    method: 'POST',
    path: '/api/v1/session',
    id: 'createSession',
    tag: 'Authentication',
    summary: 'Sign in',
    description:
      'Checks the username and password. On success returns the session token (use it as ' +
      '`Authorization: Bearer <token>`, or as `?token=` for sync and the live feed) and sets the HttpOnly, ' +
      'SameSite=Strict `studysync_session` cookie (Secure over TLS). Sessions expire after `SESSION_TTL_H` ' +
      'hours of inactivity. Wrong credentials, unknown and disabled users get the same 401. Repeated ' +
      'failures lock the username and the client address out for a while (429 `locked_out` with ' +
      '`Retry-After`). Sign-ins, failures and sign-outs are audited.',
    auth: 'public',
    body: LoginBody,
    ok: {
      status: 200,
      description: 'Signed in.',
      headers: { 'Set-Cookie': { description: 'The session cookie.', schema: { type: 'string' } } },
      schema: {
        type: 'object',
        required: ['token', 'user'],
        properties: { token: { type: 'string' }, user: ref('PublicUser') },
      },
    },
    errors: [
      [401, 'Wrong username or password (`invalid_credentials`).'],
      [
        429,
        'Locked out after too many failures (`locked_out`); `Retry-After` says for how many seconds.',
      ],
    ],
  },
  {
    method: 'DELETE',
    path: '/api/v1/session',
    id: 'deleteSession',
    tag: 'Authentication',
    summary: 'Sign out',
    description:
      'Revokes the current session: the token stops working at once, its sync connections close with 4401 ' +
      'and its live feed ends. Clears the cookie.',
    auth: 'session',
    ok: { status: 204, description: 'Signed out.' },
  },
  {
    method: 'GET',
    path: '/api/v1/me',
    id: 'getMe',
    tag: 'Authentication',
    summary: 'The signed-in user',
    description: 'Who the session belongs to, with role and privileges.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'The user.',
      schema: { type: 'object', required: ['user'], properties: { user: ref('PublicUser') } },
    },
  },
]

export const liveOperations: OperationSpec[] = [
  {
    method: 'GET',
    path: '/api/v1/events',
    id: 'streamEvents',
    tag: 'Live feed',
    summary: 'Live feed (Server-Sent Events)',
    description:
      'A `text/event-stream` for the signed-in user. Each event is `event: <type>` and `data: <JSON>`, with ' +
      'the types and payloads of `FeedEvent` (`notice`, `presence`, `forced-close`, `worklist`). Resumable ' +
      'events carry an `id:` that increases per user across tabs and devices; a client that reconnects with ' +
      '`Last-Event-ID` (or `?lastEventId=`) gets what it missed from a bounded per-user buffer. `presence` ' +
      'events are live-only: they carry no id and are not replayed (a fresh snapshot follows any change). ' +
      'The stream starts with `retry: 3000`, sends `: ping` comments every 15 s, and ends when the session ' +
      'is revoked or expires or when the client falls too far behind (it then reconnects and resumes).',
    auth: 'stream',
    parameters: [
      {
        name: 'Last-Event-ID',
        in: 'header',
        description: 'The last event id received; events after it are replayed.',
        schema: { type: 'string', pattern: '^\\d{1,16}$' },
      },
      {
        name: 'lastEventId',
        in: 'query',
        description:
          'Same as `Last-Event-ID`, for clients that cannot set headers; the header wins.',
        schema: { type: 'string', pattern: '^\\d{1,16}$' },
      },
    ],
    ok: {
      status: 200,
      description: 'The event stream.',
      contentType: 'text/event-stream',
      schema: ref('FeedEvent'),
    },
  },
  {
    method: 'GET',
    path: '/api/v1/presence',
    id: 'getPresence',
    tag: 'Live feed',
    summary: 'Everyone connected (admins only)',
    description:
      'Every connected user with what they have open, from the sync documents’ awareness. Admins and system admins only.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'Presence snapshot.',
      schema: {
        type: 'object',
        required: ['entries', 'at'],
        properties: {
          entries: { type: 'array', items: ref('PresenceEntry') },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
    errors: [[403, 'Not an admin.']],
  },
]
