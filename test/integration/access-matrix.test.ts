/**
 * The authorization matrix (issue 6): every HTTP route the server registers and
 * every sync document family, called by every demo role, a patient session and
 * nobody, against the expected result in the tables below. A route added without
 * a row here fails the first test. Read-only vs read-write sync access is proven
 * by a write: applied on the server, or refused with 4409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { AccessGrant, RegistryData } from '../../server/registry/types.ts'
import { CloseCode } from '../../shared/protocol.ts'
import {
  connectClient,
  nextClose,
  rawSocket,
  until,
  upgradeStatus,
  whenSynced,
} from '../support/clients.ts'
import { http, patientSession } from '../support/http.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

const SUBJECTS = [
  'anon',
  'admin',
  'bose',
  'perf',
  'tech',
  'trans',
  'clerk',
  'system',
  'patient',
] as const
type Subject = (typeof SUBJECTS)[number]
/** 2xx; 403; 401; or the exact status a route answers after authorization let the caller through. */
type Expect = 'ok' | 'deny' | 'unauth' | number
type Expected = Record<Subject, Expect>

const STAFF: Subject[] = ['admin', 'bose', 'perf', 'tech', 'trans', 'system']
const SIGNED_IN: Subject[] = [...STAFF, 'clerk', 'patient']

/** `who` get 2xx, nobody else (403; 401 without a session), then exceptions. */
function allow(who: readonly Subject[], exceptions: Partial<Expected> = {}): Expected {
  const row = Object.fromEntries(
    SUBJECTS.map((s) => [s, s === 'anon' ? 'unauth' : who.includes(s) ? 'ok' : 'deny']),
  ) as Expected
  return { ...row, ...exceptions }
}
const PUBLIC: Expected = allow(SUBJECTS, { anon: 'ok' })

interface Req {
  path: string
  method?: string
  body?: unknown
  contentType?: string
  /** Call with a session made for this call (signing out must not end the matrix's own). */
  freshToken?: boolean
  headersOnly?: boolean
}

/** What a row's request builder gets: fresh targets when the call is expected to change something. */
interface Kit {
  /** An active study no other row uses (when the call should succeed), else the decoy. */
  study(want: Expect, filter?: (s: RegistryData['studies'][number]) => boolean): string
  patient(want: Expect): string
  rev(accession: string): number
  seed(edit: (data: RegistryData) => void): Promise<void>
  n: number
}

interface Row {
  expect: Expected
  request(who: Subject, kit: Kit, want: Expect): Req | Promise<Req>
}

/** Small, so an over-limit body is refused before the client has finished sending it. */
const MAX_BODY = 16 * 1024
const HL7_GARBAGE = 'this is not an HL7 message'
const REASON = 'Matrix: covering an urgent consult'

let t: TestServer
const tokens = new Map<Subject, string>()
/** The patient session's study (read-only for it) and its patient. */
let PACC = ''
let PPID = ''
let DECOY = ''
let DECOY_PATIENT = ''
let BG_ACC = ''
let REF_ACC = ''
let patientNumber = ''
let pool: RegistryData['studies'] = []
let patientPool: string[] = []
let counter = 0

const kit: Kit = {
  study(want, filter = () => true) {
    if (want !== 'ok') return DECOY
    const i = pool.findIndex(filter)
    if (i < 0) throw new Error('matrix study pool exhausted')
    return pool.splice(i, 1)[0]!.accession
  },
  patient(want) {
    if (want !== 'ok') return DECOY_PATIENT
    const id = patientPool.shift()
    if (!id) throw new Error('matrix patient pool exhausted')
    return id
  },
  rev: (accession) => t.registry.read().studies.find((s) => s.accession === accession)!.rev,
  seed: (edit) => t.registry.update(edit),
  get n() {
    return ++counter
  },
}

beforeAll(async () => {
  t = await startTestServer({ config: { limits: { maxBodyBytes: MAX_BODY } } })
  for (const who of SUBJECTS) {
    if (who !== 'anon' && who !== 'patient') tokens.set(who, await t.login(who))
  }
  const data = t.registry.read()
  const touched = new Set([
    ...data.grants.map((g) => g.accession),
    ...data.buckets.flatMap((b) => b.accessions),
    ...data.referenceNumbers.map((r) => r.accession),
  ])
  // Patients merged or deleted by the matrix take their studies with them: keep those apart.
  patientPool = data.patients.slice(-4).map((p) => p.id)
  DECOY_PATIENT = patientPool.pop()!
  const usable = data.studies.filter(
    (s) =>
      s.lifecycle === 'active' && !touched.has(s.accession) && !patientPool.includes(s.patientId),
  )
  const decoys = usable.filter((s) => s.patientId !== DECOY_PATIENT)
  ;[PACC, DECOY, BG_ACC, REF_ACC] = decoys.slice(0, 4).map((s) => s.accession) as [
    string,
    string,
    string,
    string,
  ]
  PPID = decoys[0]!.patientId
  pool = decoys.slice(4).filter((s) => s.patientId !== PPID)
  const admin = tokens.get('admin')!
  const regen = await http<{ referenceNumber: { number: string } }>(
    t.url,
    'POST',
    `/api/v1/studies/${PACC}/reference-numbers/regenerate`,
    { token: admin, body: {} },
  )
  patientNumber = regen.body.referenceNumber.number
  const login = await patientSession(t.url, patientNumber)
  expect(login.status).toBe(200)
  tokens.set('patient', login.body.token)
})
afterAll(async () => {
  await t?.close()
})

const grantRecord = (id: string, accession: string): AccessGrant => ({
  id,
  accession,
  userId: 'u-tech',
  groupId: null,
  type: 'view',
  validUntil: null,
  grantedBy: { id: 'u-admin', name: 'ADMIN' },
  grantedAt: 0,
  revokedAt: null,
  revokedBy: null,
})

const reference = (id: string, accession: string) => ({
  id,
  accession,
  number: `CT-MATRIX${id.length}${id.slice(-4).toUpperCase()}`,
  validFrom: 0,
  validTo: Date.now() + 86_400_000,
  pinHash: null,
  failedAttempts: 0,
  lockedOut: false,
  compliant: true,
  createdAt: 0,
  withdrawnAt: null,
})

const CAN_ASSIGN_OTHERS: Subject[] = ['admin', 'bose', 'trans']
const MOVES_STATUS = (s: RegistryData['studies'][number]) =>
  s.status === 'scheduled' || s.status === 'arrived' || s.status === 'in-progress'
const NEXT = {
  scheduled: 'arrived',
  arrived: 'in-progress',
  'in-progress': 'ready-to-read',
} as const
const claimed409 = Object.fromEntries(STAFF.map((s) => [s, 409])) as Partial<Expected>

/** One row per registered route: `METHOD path` as the router lists it. */
const ROUTES: Record<string, Row> = {
  'GET /healthz': { expect: PUBLIC, request: () => ({ path: '/healthz' }) },
  'GET /readyz': { expect: PUBLIC, request: () => ({ path: '/readyz' }) },
  'GET /metrics': { expect: allow(['admin']), request: () => ({ path: '/metrics' }) },
  'GET /api/v1/openapi.json': { expect: PUBLIC, request: () => ({ path: '/api/v1/openapi.json' }) },
  'POST /api/v1/session': {
    expect: PUBLIC,
    request: () => ({ path: '/api/v1/session', body: { username: 'perf', password: 'demo' } }),
  },
  'DELETE /api/v1/session': {
    expect: allow(SIGNED_IN),
    request: () => ({ path: '/api/v1/session', freshToken: true }),
  },
  'GET /api/v1/me': { expect: allow(SIGNED_IN), request: () => ({ path: '/api/v1/me' }) },
  'GET /api/v1/events': {
    expect: allow([...STAFF, 'clerk']),
    request: () => ({ path: '/api/v1/events', headersOnly: true }),
  },
  'GET /api/v1/presence': {
    expect: allow(['admin']),
    request: () => ({ path: '/api/v1/presence' }),
  },
  // The clerk has demo grants, so a worklist of those.
  'GET /api/v1/worklist': {
    expect: allow([...STAFF, 'clerk']),
    request: () => ({ path: '/api/v1/worklist' }),
  },
  'GET /api/v1/users': {
    expect: allow([...STAFF, 'clerk']),
    request: () => ({ path: '/api/v1/users' }),
  },
  'GET /api/v1/studies/:accession': {
    expect: allow([...STAFF, 'patient']),
    request: () => ({ path: `/api/v1/studies/${PACC}` }),
  },
  'POST /api/v1/studies/:accession/open': {
    expect: allow(STAFF),
    request: () => ({ path: `/api/v1/studies/${DECOY}/open`, body: { view: 'info' } }),
  },
  'POST /api/v1/studies/:accession/close': {
    expect: allow(STAFF),
    request: () => ({ path: `/api/v1/studies/${DECOY}/close`, body: { view: 'info' } }),
  },
  'POST /api/v1/studies/:accession/assignments': {
    expect: allow(CAN_ASSIGN_OTHERS),
    request: (_who, k, want) => {
      const accession = k.study(want)
      return {
        path: `/api/v1/studies/${accession}/assignments`,
        body: { role: 'transcriptionist', userId: 'u-trans', expectedRev: k.rev(accession) },
      }
    },
  },
  'POST /api/v1/assignments/bulk': {
    expect: allow(CAN_ASSIGN_OTHERS),
    request: (_who, k, want) => ({
      path: '/api/v1/assignments/bulk',
      body: { accessions: [k.study(want)], role: 'transcriptionist', userId: 'u-trans' },
    }),
  },
  // Always a study in a movable status, so a refusal is about the role, not the workflow.
  'POST /api/v1/studies/:accession/status': {
    expect: allow(['admin', 'perf', 'tech', 'system']),
    request: (_who, k) => {
      const accession = k.study('ok', MOVES_STATUS)
      const study = t.registry.read().studies.find((s) => s.accession === accession)!
      const to = NEXT[study.status as keyof typeof NEXT]
      return {
        path: `/api/v1/studies/${accession}/status`,
        body: { to, expectedRev: study.rev },
      }
    },
  },
  // Nobody holds the reading claim: staff get past authorization and are told to open the desktop.
  'POST /api/v1/studies/:accession/report': {
    expect: allow([], claimed409),
    request: () => ({ path: `/api/v1/studies/${DECOY}/report`, body: { action: 'create' } }),
  },
  'POST /api/v1/studies/:accession/takeover': {
    expect: allow([], { admin: 409 }),
    request: () => ({ path: `/api/v1/studies/${DECOY}/takeover`, body: { reason: REASON } }),
  },
  'POST /api/v1/studies/:accession/merge': {
    expect: allow(['admin']),
    request: (_who, k, want) => ({
      path: `/api/v1/studies/${k.study(want)}/merge`,
      body: { into: want === 'ok' ? k.study(want) : PACC },
    }),
  },
  'DELETE /api/v1/studies/:accession': {
    expect: allow(['admin']),
    request: (_who, k, want) => ({ path: `/api/v1/studies/${k.study(want)}` }),
  },
  'POST /api/v1/patients/:patientId/merge': {
    expect: allow(['admin']),
    request: (_who, k, want) => ({
      path: `/api/v1/patients/${k.patient(want)}/merge`,
      body: { into: want === 'ok' ? k.patient(want) : PPID },
    }),
  },
  'DELETE /api/v1/patients/:patientId': {
    expect: allow(['admin']),
    request: (_who, k, want) => ({ path: `/api/v1/patients/${k.patient(want)}` }),
  },
  'POST /api/v1/study-groups': {
    expect: allow(CAN_ASSIGN_OTHERS),
    request: (_who, k, want) => {
      const accessions = [k.study(want), k.study(want)]
      const expectedRevs = Object.fromEntries(accessions.map((a) => [a, k.rev(a)]))
      return { path: '/api/v1/study-groups', body: { accessions, expectedRevs } }
    },
  },
  'POST /api/v1/studies/:accession/images': {
    expect: allow(['admin', 'system']),
    request: (_who, k) => ({
      path: `/api/v1/studies/${DECOY}/images`,
      body: { sopInstanceUids: [`1.2.826.0.1.3680043.9.${k.n}`] },
    }),
  },
  'DELETE /api/v1/studies/:accession/images/:sopInstanceUid': {
    expect: allow(['admin', 'system']),
    request: async (_who, k) => {
      const uid = `1.2.826.0.1.3680043.9.${k.n}`
      await adminCall('POST', `/api/v1/studies/${DECOY}/images`, { sopInstanceUids: [uid] })
      return { path: `/api/v1/studies/${DECOY}/images/${uid}` }
    },
  },
  'POST /api/v1/studies/:accession/sr': {
    expect: allow(['admin', 'system']),
    request: (_who, k) => ({
      path: `/api/v1/studies/${DECOY}/sr`,
      body: { sopInstanceUid: `1.2.826.0.1.3680043.8.${k.n}` },
    }),
  },
  'DELETE /api/v1/studies/:accession/sr/:sopInstanceUid': {
    expect: allow(['admin', 'system']),
    request: async (_who, k) => {
      const uid = `1.2.826.0.1.3680043.8.${k.n}`
      await adminCall('POST', `/api/v1/studies/${DECOY}/sr`, { sopInstanceUid: uid })
      return { path: `/api/v1/studies/${DECOY}/sr/${uid}` }
    },
  },
  'POST /api/v1/hl7': {
    expect: allow(['admin', 'system']),
    request: () => ({ path: '/api/v1/hl7', body: HL7_GARBAGE, contentType: 'text/plain' }),
  },
  'GET /api/v1/studies/:accession/access': {
    expect: allow(STAFF),
    request: () => ({ path: `/api/v1/studies/${PACC}/access` }),
  },
  'POST /api/v1/studies/:accession/access/grants': {
    expect: allow(['admin']),
    request: () => ({
      path: `/api/v1/studies/${DECOY}/access/grants`,
      body: { userId: 'u-tech', type: 'view', validUntil: null },
    }),
  },
  'DELETE /api/v1/studies/:accession/access/grants/:grantId': {
    expect: allow(['admin']),
    request: async (who, k) => {
      const id = `grant-matrix-${who}-${k.n}`
      await k.seed((d) => void d.grants.push(grantRecord(id, DECOY)))
      return { path: `/api/v1/studies/${DECOY}/access/grants/${id}` }
    },
  },
  // Staff who can already open it are told so; only the clerk (no access) unlocks it.
  'POST /api/v1/studies/:accession/break-glass': {
    expect: allow(['clerk'], { admin: 409, bose: 409, perf: 409, tech: 409, trans: 409 }),
    request: () => ({ path: `/api/v1/studies/${BG_ACC}/break-glass`, body: { reason: REASON } }),
  },
  'GET /api/v1/break-glass': {
    expect: allow(['admin']),
    request: () => ({ path: '/api/v1/break-glass' }),
  },
  'POST /api/v1/break-glass/:id/acknowledge': {
    expect: allow(['admin']),
    request: async (who, k) => {
      const id = `bg-matrix-${who}-${k.n}`
      await k.seed((d) => {
        d.breakGlass.push({
          id,
          accession: DECOY,
          user: { id: 'u-clerk', name: 'CLERK' },
          at: 0,
          reason: REASON,
          expiresAt: 1,
          acknowledgedBy: null,
          acknowledgedAt: null,
        })
      })
      return { path: `/api/v1/break-glass/${id}/acknowledge` }
    },
  },
  'DELETE /api/v1/buckets/:id': {
    expect: allow(['admin']),
    request: async (who, k) => ({ path: `/api/v1/buckets/${await bucket(who, k)}` }),
  },
  'DELETE /api/v1/buckets/:id/studies/:accession': {
    expect: allow(['admin']),
    request: async (who, k) => ({
      path: `/api/v1/buckets/${await bucket(who, k)}/studies/${DECOY}`,
    }),
  },
  'POST /api/v1/studies/:accession/reference-numbers/regenerate': {
    expect: allow(['admin']),
    request: () => ({ path: `/api/v1/studies/${REF_ACC}/reference-numbers/regenerate` }),
  },
  'DELETE /api/v1/studies/:accession/reference-numbers/:id': {
    expect: allow(['admin']),
    request: async (who, k) => ({
      path: `/api/v1/studies/${DECOY}/reference-numbers/${await referenceNumber(who, k)}`,
    }),
  },
  'PUT /api/v1/studies/:accession/reference-numbers/:id/pin': {
    expect: allow(['admin']),
    request: async (who, k) => ({
      path: `/api/v1/studies/${DECOY}/reference-numbers/${await referenceNumber(who, k)}/pin`,
      body: { pin: '73915826' },
    }),
  },
  'POST /api/v1/patient-session': {
    expect: PUBLIC,
    request: () => ({ path: '/api/v1/patient-session', body: { referenceNumber: patientNumber } }),
  },
  'GET /api/v1/audit': { expect: allow(['admin']), request: () => ({ path: '/api/v1/audit' }) },
  'GET /api/v1/audit/verify': {
    expect: allow(['admin']),
    request: () => ({ path: '/api/v1/audit/verify' }),
  },
  'GET /api/v1/audit/export': {
    expect: allow(['admin']),
    request: () => ({ path: '/api/v1/audit/export?format=fhir&action=access.grant' }),
  },
}

async function bucket(who: Subject, k: Kit): Promise<string> {
  const id = `bucket-matrix-${who}-${k.n}`
  await k.seed((d) => {
    d.buckets.push({
      id,
      name: 'Matrix bucket',
      accessions: [DECOY],
      owner: { id: 'u-bose', name: 'BOSE' },
      sharedWith: ['u-perf'],
      revokedAt: null,
    })
  })
  return id
}

async function referenceNumber(who: Subject, k: Kit): Promise<string> {
  const id = `ref-matrix-${who}-${k.n}`
  await k.seed((d) => void d.referenceNumbers.push(reference(id, DECOY)))
  return id
}

async function adminCall(method: string, path: string, body: unknown): Promise<void> {
  const res = await http(t.url, method, path, { token: tokens.get('admin')!, body })
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300)
}

async function tokenFor(who: Subject, fresh: boolean): Promise<string | null> {
  if (who === 'anon') return null
  if (!fresh) return tokens.get(who)!
  if (who === 'patient') return (await patientSession(t.url, patientNumber)).body.token
  return t.login(who)
}

function classify(status: number): Expect {
  if (status >= 200 && status < 300) return 'ok'
  if (status === 403) return 'deny'
  if (status === 401) return 'unauth'
  return status
}

describe('authorization matrix: HTTP routes', () => {
  it('has a row for every registered route, and no row for a route that does not exist', () => {
    const registered = t.server.routes.map((r) => `${r.method} ${r.path}`).sort()
    expect(Object.keys(ROUTES).sort()).toEqual(registered)
  })

  it.each(Object.keys(ROUTES))('%s', async (key) => {
    const row = ROUTES[key]!
    const [method] = key.split(' ')
    const observed: Partial<Expected> = {}
    const details: string[] = []
    for (const who of SUBJECTS) {
      const want = row.expect[who]
      const req = await row.request(who, kit, want)
      const res = await http(t.url, req.method ?? method!, req.path, {
        token: await tokenFor(who, req.freshToken ?? false),
        body: req.body,
        contentType: req.contentType,
        headersOnly: req.headersOnly,
      })
      observed[who] = classify(res.status)
      if (observed[who] !== want) details.push(`${who}: ${res.status} ${res.text.slice(0, 160)}`)
    }
    expect(observed, details.join('\n')).toEqual(row.expect)
  })
})

type DocExpect = 'rw' | 'r' | 'deny' | 'unauth'
const FAMILIES = ['study', 'report', 'state', 'patient', 'patientState', 'worklist'] as const
type Family = (typeof FAMILIES)[number]

// Columns as FAMILIES. The study's report is unclaimed, so nobody writes it here (S15 covers the holder).
// biome-ignore format: a table reads better
const DOCS: Record<Subject, readonly DocExpect[]> = {
  anon:    ['unauth', 'unauth', 'unauth', 'unauth', 'unauth', 'unauth'],
  admin:   ['rw',     'r',      'r',      'rw',     'r',      'r'],
  bose:    ['rw',     'r',      'r',      'r',      'r',      'r'],
  perf:    ['rw',     'r',      'r',      'r',      'r',      'r'],
  tech:    ['rw',     'r',      'r',      'rw',     'r',      'r'],
  trans:   ['rw',     'r',      'r',      'r',      'r',      'r'],
  clerk:   ['deny',   'deny',   'deny',   'rw',     'r',      'deny'],
  system:  ['rw',     'r',      'r',      'rw',     'r',      'r'],
  patient: ['r',      'deny',   'deny',   'deny',   'deny',   'deny'],
}

function docName(family: Family): string {
  switch (family) {
    case 'study':
      return `study/${PACC}`
    case 'report':
      return `study/${PACC}/report`
    case 'state':
      return `study/${PACC}/state`
    case 'patient':
      return `patient/${PPID}`
    case 'patientState':
      return `patient/${PPID}/state`
    case 'worklist':
      return 'worklist'
  }
}

/** A write that a read-write connection may make, and how to see it on the server. */
function write(family: Family, doc: Y.Doc, marker: string): (server: Y.Doc) => boolean {
  switch (family) {
    case 'study':
      doc.getMap('fields').set('description', marker)
      return (s) => s.getMap('fields').get('description') === marker
    case 'patient':
      doc.getMap('fields').set('phone', marker)
      return (s) => s.getMap('fields').get('phone') === marker
    case 'report':
      doc.getText('body').insert(0, marker)
      return (s) => s.getText('body').toString().includes(marker)
    case 'state':
    case 'patientState':
      doc.getMap('state').set('marker', marker)
      return (s) => s.getMap('state').get('marker') === marker
    case 'worklist':
      doc.getMap('rows').set(marker, marker)
      return (s) => s.getMap('rows').get(marker) === marker
  }
}

/** Connects as `who`; if allowed, writes and sees whether the server applied it or refused (4409). */
async function observe(who: Subject, family: Family): Promise<DocExpect | number> {
  const name = docName(family)
  if (who === 'anon') {
    const { code } = await rawSocket(t.wsUrl, `/sync/${name}`).closed
    return code === CloseCode.notAuthenticated ? 'unauth' : code
  }
  const c = connectClient(t.wsUrl, name, tokens.get(who)!)
  try {
    const opened = await Promise.race([
      whenSynced(c).then(() => 0),
      nextClose(c).then((e) => e.code),
    ])
    if (opened === CloseCode.forbidden) return 'deny'
    if (opened !== 0) return opened
    const marker = `matrix-${who}-${family}`
    const applied = write(family, c.doc, marker)
    const server = await t.server.rooms.with(name, (room) => room.doc)
    const outcome = await Promise.race([
      until(server, () => applied(server)).then(() => 'rw' as const),
      nextClose(c).then((e) => (e.code === CloseCode.localCopyRefused ? ('r' as const) : e.code)),
    ])
    return outcome
  } finally {
    c.destroy()
  }
}

describe('authorization matrix: sync documents', () => {
  it.each(SUBJECTS)('%s', async (who) => {
    const observed: (DocExpect | number)[] = []
    for (const family of FAMILIES) observed.push(await observe(who, family))
    expect(observed).toEqual(DOCS[who])
  })
})

describe('authorization matrix: hostile inputs', () => {
  const call = (who: Subject, method: string, path: string, body?: unknown) =>
    http(t.url, method, path, { token: tokens.get(who) ?? null, body })

  it('ids with traversal characters are just unknown ids (404 for managers, 403 for others), never a file', async () => {
    const traversal = '..%2F..%2Fregistry.json'
    for (const path of [
      `/api/v1/studies/${DECOY}/access/grants/${traversal}`,
      `/api/v1/studies/${DECOY}/reference-numbers/${traversal}`,
      `/api/v1/buckets/${traversal}`,
      `/api/v1/buckets/${traversal}/studies/${DECOY}`,
    ]) {
      expect((await call('admin', 'DELETE', path)).status, path).toBe(404)
      expect((await call('clerk', 'DELETE', path)).status, path).toBe(403)
    }
    expect(
      (await call('admin', 'POST', `/api/v1/break-glass/${traversal}/acknowledge`)).status,
    ).toBe(404)
    expect((await call('admin', 'GET', `/api/v1/studies/${traversal}/access`)).status).toBe(404)
    expect((await call('clerk', 'GET', `/api/v1/studies/${traversal}/access`)).status).toBe(403)
    expect((await call('patient', 'GET', `/api/v1/studies/${traversal}`)).status).toBe(403)
    expect(
      await upgradeStatus(t.wsUrl, `/sync/study/${traversal}?token=${tokens.get('admin')}`),
    ).toBe(400)
  })

  it('another study’s grant, reference number or bucket cannot be changed through this study’s path', async () => {
    const grant = `grant-hostile-${kit.n}`
    const ref = `ref-hostile-${kit.n}`
    await kit.seed((d) => {
      d.grants.push(grantRecord(grant, DECOY))
      d.referenceNumbers.push(reference(ref, DECOY))
    })
    expect(
      (await call('admin', 'DELETE', `/api/v1/studies/${PACC}/access/grants/${grant}`)).status,
    ).toBe(404)
    expect(
      (await call('admin', 'DELETE', `/api/v1/studies/${PACC}/reference-numbers/${ref}`)).status,
    ).toBe(404)
    expect(
      (
        await call('admin', 'PUT', `/api/v1/studies/${PACC}/reference-numbers/${ref}/pin`, {
          pin: '73915826',
        })
      ).status,
    ).toBe(404)
    const still = t.registry.read()
    expect(still.grants.find((g) => g.id === grant)?.revokedAt).toBeNull()
    expect(still.referenceNumbers.find((r) => r.id === ref)?.withdrawnAt).toBeNull()
  })

  it('overlong or malformed input is refused with 400 (413 beyond the body limit), and grants only go to real users', async () => {
    const bg = `/api/v1/studies/${BG_ACC}/break-glass`
    expect((await call('clerk', 'POST', bg, { reason: 'r'.repeat(1001) })).status).toBe(400)
    expect((await call('clerk', 'POST', bg, { reason: 42 })).status).toBe(400)
    expect((await call('clerk', 'POST', bg, { reason: 'x'.repeat(MAX_BODY * 2) })).status).toBe(413)
    const grants = `/api/v1/studies/${DECOY}/access/grants`
    for (const userId of ['patient:ref-demo-1', 'x'.repeat(65), '']) {
      expect(
        (await call('admin', 'POST', grants, { userId, type: 'view', validUntil: null })).status,
        userId,
      ).toBe(400)
    }
    expect(
      (await call('anon', 'POST', '/api/v1/patient-session', { referenceNumber: 'A'.repeat(65) }))
        .status,
    ).toBe(400)
    expect(
      (
        await call('anon', 'POST', '/api/v1/patient-session', {
          referenceNumber: patientNumber,
          pin: '1'.repeat(65),
        })
      ).status,
    ).toBe(400)
    expect((await call('admin', 'GET', `/api/v1/audit?subject=${'s'.repeat(201)}`)).status).toBe(
      400,
    )
  })

  it('a patient token is refused on every API route outside its short list, even ones added later', async () => {
    const allowed = new Set([
      'GET /api/v1/me',
      'DELETE /api/v1/session',
      'GET /api/v1/studies/:accession',
    ])
    const publicRoutes = Object.entries(ROUTES)
      .filter(([, r]) => r.expect.anon === 'ok')
      .map(([k]) => k)
    for (const key of Object.keys(ROUTES)) {
      if (allowed.has(key) || publicRoutes.includes(key) || !key.includes('/api/')) continue
      expect(ROUTES[key]!.expect.patient, key).toBe('deny')
    }
  })
})
