/**
 * HTTP fuzzing (issue 8 §3): random and hostile requests to every registered
 * route (`server.routes`, `:param` segments filled with real and hostile ids),
 * with random bodies, content types and credentials. Whatever arrives, the
 * server answers — never 5xx, never a hang, never a stack trace — and a request
 * without valid credentials never succeeds outside the few public routes.
 */
import fc from 'fast-check'

export interface HttpFuzzTarget {
  url: string
  routes: readonly { method: string; path: string }[]
  /** Valid sessions: an admin and users of lower roles. */
  tokens: Readonly<Record<'admin' | 'radiologist' | 'clerk', string>>
  /** Real ids to put in `:param` segments now and then. */
  ids: readonly string[]
  /** A fresh session for `role`: signing out (DELETE /api/v1/session) must not end the shared ones. */
  login(role: 'admin' | 'radiologist' | 'clerk'): Promise<string>
}

type Auth = 'admin' | 'radiologist' | 'clerk' | 'none' | 'bogus' | 'foreignCookie'

export interface HttpPlan {
  route: number
  /** Another method than the route's, now and then (405 expected). */
  method: string | null
  params: string[]
  auth: Auth
  contentType: string | null
  body: string | null
  query: string
}

/** Routes anyone may call without a session. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /api/v1/openapi.json',
  'POST /api/v1/session',
  'POST /api/v1/patient-session',
  'POST /api/v1/hl7', // authenticated by its own rules; checked by its tests
])

const HOSTILE_IDS = [
  '../../../etc/passwd',
  '..%2F..%2Fregistry.json',
  '..',
  '.',
  '%00',
  'A10001%00',
  'A'.repeat(5000),
  '__proto__',
  'constructor',
  'prototype',
  '-1',
  '1e309',
  'NaN',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '😀',
  'u-admin',
  'study/A10001',
  ' ',
]

const HOSTILE_VALUES = [
  null,
  -1,
  0,
  1e308,
  2 ** 53,
  -(2 ** 53),
  '',
  'u-admin',
  'u-bose',
  '__proto__',
  'admin',
  'systemAdmin',
  'A10001',
  'x'.repeat(10_000),
  [],
  {},
  { __proto__: { admin: true } },
  true,
]

const hostile = fc.constantFrom(...HOSTILE_VALUES)
const small = fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 }))

/** Bodies shaped like the API's (known keys) but with hostile values. */
const shapedBody = fc.record(
  {
    username: fc.oneof(hostile, fc.constantFrom('admin', 'bose')),
    password: small,
    view: fc.oneof(hostile, fc.constantFrom('info', 'desktop', 'documents')),
    role: fc.oneof(hostile, fc.constantFrom('readingPhysician', 'technologist', 'admin')),
    userId: fc.oneof(hostile, fc.constantFrom('u-admin', 'u-bose', 'u-clerk')),
    expectedRev: fc.oneof(hostile, fc.integer({ min: -5, max: 5 })),
    expectedRevs: small,
    to: fc.oneof(hostile, fc.constantFrom('signed', 'read', 'scheduled')),
    accessions: fc.oneof(
      hostile,
      fc.array(fc.constantFrom('A10001', 'A10002', '..', 'A'.repeat(70)), { maxLength: 20 }),
      fc.constant(Array.from({ length: 10_000 }, (_, i) => `A${i}`)),
    ),
    into: fc.oneof(hostile, fc.constantFrom('A10001', 'P0001')),
    reason: small,
    action: fc.oneof(hostile, fc.constantFrom('create', 'amend')),
    autoTemplate: small,
    sopInstanceUids: fc.oneof(hostile, fc.array(fc.string({ maxLength: 70 }), { maxLength: 5 })),
    sopInstanceUid: small,
    type: fc.oneof(hostile, fc.constantFrom('view', 'edit', 'report')),
    validUntil: small,
    groupId: small,
    pin: small,
    number: small,
    accession: small,
  },
  { requiredKeys: [] },
)

const body: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: shapedBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'MSH|^~\\&|RIS|H|SS|H|20240101||ADT^A08|1|P|2.5\rPID|1||P0001||DOE^JANE',
      'MSH|^~\\&|\r\r\r',
      'MSH',
    ),
  },
)

export function httpPlan(routeCount: number, idCount: number): fc.Arbitrary<HttpPlan> {
  return fc.record({
    route: fc.nat({ max: routeCount - 1 }),
    method: fc.oneof(
      { weight: 9, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
    ),
    params: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.nat({ max: idCount - 1 }).map((i) => `#${i}`) },
        { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
      { minLength: 3, maxLength: 3 },
    ),
    auth: fc.constantFrom<Auth>(
      'admin',
      'admin',
      'radiologist',
      'clerk',
      'none',
      'bogus',
      'foreignCookie',
    ),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          null,
          'text/plain',
          'application/json; charset=utf-16',
          'x-application/hl7-v2+er7',
          'multipart/form-data; boundary=x',
        ),
      },
    ),
    body,
    query: fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '?limit=-1',
          '?limit=1e309',
          '?cursor=../../x',
          '?lastEventId=-5',
          '?token=bogus',
          '?from=not-a-date&to=2020-13-45',
          '?subject=__proto__&user=u-admin',
        ),
      },
    ),
  })
}

export interface HttpFuzzStats {
  requests: number
  byStatus: Record<number, number>
  failures: string[]
}

export function emptyHttpStats(): HttpFuzzStats {
  return { requests: 0, byStatus: {}, failures: [] }
}

/** Sends one planned request and checks the answer; returns (and records) what was wrong. */
export async function runHttpPlan(
  target: HttpFuzzTarget,
  plan: HttpPlan,
  stats: HttpFuzzStats,
): Promise<string[]> {
  const failures: string[] = []
  await send(target, plan, stats, failures)
  stats.failures.push(...failures)
  return failures
}

async function send(
  target: HttpFuzzTarget,
  plan: HttpPlan,
  stats: HttpFuzzStats,
  failures: string[],
): Promise<void> {
  const route = target.routes[plan.route]!
  let i = 0
  const path = route.path.replace(/:[A-Za-z]+/g, () => {
    const raw = plan.params[i++ % plan.params.length]!
    const id = raw.startsWith('#') ? target.ids[Number(raw.slice(1)) % target.ids.length]! : raw
    return encodeURIComponent(id)
  })
  const method = plan.method ?? route.method
  const headers: Record<string, string> = {}
  if (plan.contentType) headers['content-type'] = plan.contentType
  if (plan.auth === 'admin' || plan.auth === 'radiologist' || plan.auth === 'clerk') {
    const signsOut = method === 'DELETE' && route.path === '/api/v1/session'
    const token = signsOut ? await target.login(plan.auth) : target.tokens[plan.auth]
    headers.authorization = `Bearer ${token}`
  }
  if (plan.auth === 'bogus') headers.authorization = 'Bearer not-a-real-session-token'
  if (plan.auth === 'foreignCookie') {
    // Refused before it could sign anyone out (CSRF); if it were not, the failure says so.
    headers.cookie = `studysync_session=${target.tokens.admin}`
    headers.origin = 'https://evil.example'
  }
  const label = `${method} ${path.slice(0, 120)}${plan.query} as ${plan.auth}`
  stats.requests++
  let res: Response
  try {
    res = await fetch(`${target.url}${path}${plan.query}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : (plan.body ?? undefined),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    failures.push(`${label}: no answer (${String(error)})`)
    return
  }
  stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1
  const type = res.headers.get('content-type') ?? ''
  // A live feed answers with a stream that never ends: the headers are the answer.
  const stream = type.startsWith('text/event-stream')
  if (stream) await res.body?.cancel()
  const text = stream ? '' : await res.text()
  if (res.status >= 500) failures.push(`${label}: ${res.status} ${text.slice(0, 200)}`)
  if (/\n\s+at .+:\d+:\d+/.test(text)) failures.push(`${label}: stack trace in the body`)
  if (
    path.startsWith('/api/') &&
    res.status !== 204 &&
    text !== '' &&
    !/json|event-stream|hl7|text\/plain/.test(type)
  ) {
    failures.push(`${label}: ${res.status} answered as ${type}`)
  }
  const publicRoute = PUBLIC.has(`${method} ${route.path}`)
  const noCredentials = plan.auth === 'none' || plan.auth === 'bogus'
  const forged = plan.auth === 'foreignCookie' && !['GET', 'HEAD'].includes(method)
  if ((noCredentials || forged) && !publicRoute && res.status < 300) {
    failures.push(`${label}: ${res.status} without valid credentials`)
  }
}
