import { expect, fixture, html } from '@open-wc/testing'
import { createStudySyncApi } from '../../client/api/studysync-api.ts'
import type { Route, SignedInUser, StudySyncApi } from '../../client/app/contexts.ts'
import { parseRoute, routeHash } from '../../client/app/router.ts'
import '../../client/app/ss-top-bar.ts'
import { control, hasControl } from './dom.ts'
import { describe, it } from './mocha.ts'

interface Call {
  method: string
  url: string
  body: unknown
}

function recordingApi(answer: unknown = {}) {
  const calls: Call[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    })
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { api: createStudySyncApi({ fetch: fetch as typeof globalThis.fetch }), calls }
}

const CASES: [string, (api: StudySyncApi) => Promise<unknown>, string, string, unknown][] = [
  ['studyAccess', (a) => a.studyAccess('A1'), 'GET', '/api/v1/studies/A1/access', undefined],
  [
    'addGrant',
    (a) => a.addGrant('A1', { userId: 'u-clerk', type: 'view', validUntil: null }),
    'POST',
    '/api/v1/studies/A1/access/grants',
    { userId: 'u-clerk', type: 'view', validUntil: null },
  ],
  [
    'withdrawGrant',
    (a) => a.withdrawGrant('A1', 'grant 1'),
    'DELETE',
    '/api/v1/studies/A1/access/grants/grant%201',
    undefined,
  ],
  [
    'breakGlass',
    (a) => a.breakGlass('A1', 'a good reason here'),
    'POST',
    '/api/v1/studies/A1/break-glass',
    { reason: 'a good reason here' },
  ],
  [
    'breakGlassQueue',
    (a) => a.breakGlassQueue(),
    'GET',
    '/api/v1/break-glass?pending=1',
    undefined,
  ],
  [
    'acknowledgeBreakGlass',
    (a) => a.acknowledgeBreakGlass('bg-1'),
    'POST',
    '/api/v1/break-glass/bg-1/acknowledge',
    undefined,
  ],
  [
    'regenerateReferenceNumbers',
    (a) => a.regenerateReferenceNumbers('A1'),
    'POST',
    '/api/v1/studies/A1/reference-numbers/regenerate',
    undefined,
  ],
  [
    'withdrawReferenceNumber',
    (a) => a.withdrawReferenceNumber('A1', 'ref-1'),
    'DELETE',
    '/api/v1/studies/A1/reference-numbers/ref-1',
    undefined,
  ],
  [
    'setReferencePin',
    (a) => a.setReferencePin('A1', 'ref-1', '2580'),
    'PUT',
    '/api/v1/studies/A1/reference-numbers/ref-1/pin',
    { pin: '2580' },
  ],
  [
    'revokeBucket',
    (a) => a.revokeBucket('bucket-1'),
    'DELETE',
    '/api/v1/buckets/bucket-1',
    undefined,
  ],
  [
    'removeFromBucket',
    (a) => a.removeFromBucket('bucket-1', 'A1'),
    'DELETE',
    '/api/v1/buckets/bucket-1/studies/A1',
    undefined,
  ],
  ['audit (no filters)', (a) => a.audit({}), 'GET', '/api/v1/audit', undefined],
  [
    'audit',
    (a) =>
      a.audit({
        subject: 'A1',
        user: 'u-bose',
        action: 'access.*',
        from: '2026-11-22T08:00:00.000Z',
        cursor: '57',
        limit: 50,
      }),
    'GET',
    '/api/v1/audit?subject=A1&user=u-bose&action=access.*&from=2026-11-22T08%3A00%3A00.000Z&cursor=57&limit=50',
    undefined,
  ],
  ['verifyAudit', (a) => a.verifyAudit(), 'GET', '/api/v1/audit/verify', undefined],
  [
    'exportAudit',
    (a) => a.exportAudit({ subject: 'A1', to: '' }),
    'GET',
    '/api/v1/audit/export?format=fhir&subject=A1',
    undefined,
  ],
]

describe('StudySyncApi: access and audit paths (API.md "Access and audit")', () => {
  for (const [name, run, method, url, body] of CASES) {
    it(`${name} → ${method} ${url}`, async () => {
      const { api, calls } = recordingApi()
      await run(api)
      expect(calls).to.deep.equal([{ method, url, body }])
    })
  }
})

describe('routes and navigation for access and audit', () => {
  const table: [string, Route][] = [
    ['#/study/A10005/access', { page: 'access', accession: 'A10005' }],
    ['#/admin/audit', { page: 'audit' }],
  ]
  for (const [hash, route] of table) {
    it(`${hash} ⇄ ${route.page}`, () => {
      expect(parseRoute(hash)).to.deep.equal(route)
      expect(routeHash(route)).to.equal(hash)
    })
  }

  const user = (role: string, privileges: string[] = []) =>
    ({ id: 'u', name: 'U', username: 'u', role, privileges }) as unknown as SignedInUser

  it('the top bar links to the audit trail for admins and Read Audit holders only', async () => {
    for (const [who, sees] of [
      [user('admin'), true],
      [user('systemAdmin'), true],
      [user('radiologist', ['readAudit']), true],
      [user('radiologist'), false],
      [user('clerk'), false],
    ] as const) {
      const bar = await fixture(
        html`<ss-top-bar .user=${who} .route=${{ page: 'audit' }}></ss-top-bar>`,
      )
      expect(hasControl(bar, 'Audit', 'a'), `${who.role} ${who.privileges}`).to.equal(sees)
      if (sees) {
        const link = control<HTMLAnchorElement>(bar, 'Audit', 'a')
        expect(link.getAttribute('href')).to.equal('#/admin/audit')
        expect(link.getAttribute('aria-current')).to.equal('page')
      }
    }
  })
})
