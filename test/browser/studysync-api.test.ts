import { expect } from '@open-wc/testing'
import { createStudySyncApi } from '../../client/api/studysync-api.ts'
import { ApiError } from '../../client/api.ts'
import type { StudySyncApi } from '../../client/app/contexts.ts'
import { describe, it } from './mocha.ts'

interface Call {
  method: string
  url: string
  body: unknown
  credentials: RequestCredentials | undefined
}

function fakeFetch(status = 200, answer: unknown = { ok: true }) {
  const calls: Call[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      credentials: init?.credentials,
    })
    return new Response(answer === null ? null : JSON.stringify(answer), {
      status,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

const CASES: [string, (api: StudySyncApi) => Promise<unknown>, string, string, unknown][] = [
  ['worklist', (api) => api.worklist(), 'GET', '/api/v1/worklist', undefined],
  ['study', (api) => api.study('A1'), 'GET', '/api/v1/studies/A1', undefined],
  [
    'open',
    (api) => api.open('A1', 'desktop'),
    'POST',
    '/api/v1/studies/A1/open',
    { view: 'desktop' },
  ],
  ['close', (api) => api.close('A1', 'info'), 'POST', '/api/v1/studies/A1/close', { view: 'info' }],
  [
    'assign',
    (api) => api.assign('A1', { role: 'readingPhysician', userId: 'u-bose', expectedRev: 3 }),
    'POST',
    '/api/v1/studies/A1/assignments',
    { role: 'readingPhysician', userId: 'u-bose', expectedRev: 3 },
  ],
  [
    'bulkAssign',
    (api) => api.bulkAssign({ accessions: ['A1', 'A2'], role: 'technologist', userId: null }),
    'POST',
    '/api/v1/assignments/bulk',
    { accessions: ['A1', 'A2'], role: 'technologist', userId: null },
  ],
  [
    'advance',
    (api) => api.advance('A1', { to: 'read', expectedRev: 4 }),
    'POST',
    '/api/v1/studies/A1/status',
    { to: 'read', expectedRev: 4 },
  ],
  [
    'report',
    (api) => api.report('A1', { action: 'amend', autoTemplate: false }),
    'POST',
    '/api/v1/studies/A1/report',
    { action: 'amend', autoTemplate: false },
  ],
  [
    'takeOver',
    (api) => api.takeOver('A1', 'on call'),
    'POST',
    '/api/v1/studies/A1/takeover',
    { reason: 'on call' },
  ],
  [
    'group',
    (api) => api.group({ accessions: ['A1', 'A2'], expectedRevs: { A1: 1, A2: 2 } }),
    'POST',
    '/api/v1/study-groups',
    { accessions: ['A1', 'A2'], expectedRevs: { A1: 1, A2: 2 } },
  ],
  [
    'mergeStudy',
    (api) => api.mergeStudy('A1', 'A2'),
    'POST',
    '/api/v1/studies/A1/merge',
    { into: 'A2' },
  ],
  ['deleteStudy', (api) => api.deleteStudy('A1'), 'DELETE', '/api/v1/studies/A1', undefined],
  [
    'mergePatient',
    (api) => api.mergePatient('P1', 'P2'),
    'POST',
    '/api/v1/patients/P1/merge',
    { into: 'P2' },
  ],
  ['deletePatient', (api) => api.deletePatient('P1'), 'DELETE', '/api/v1/patients/P1', undefined],
  ['presence', (api) => api.presence(), 'GET', '/api/v1/presence', undefined],
  ['users', (api) => api.users(), 'GET', '/api/v1/users', undefined],
]

describe('createStudySyncApi', () => {
  for (const [name, invoke, method, path, body] of CASES) {
    it(`${name}: ${method} ${path}`, async () => {
      const { fetch, calls } = fakeFetch(200, { answer: name })
      const api = createStudySyncApi({ baseUrl: 'https://studysync.test', fetch })
      expect(await invoke(api)).to.deep.equal({ answer: name })
      expect(calls).to.deep.equal([
        { method, url: `https://studysync.test${path}`, body, credentials: 'same-origin' },
      ])
    })
  }

  it('encodes ids into the path', async () => {
    const { fetch, calls } = fakeFetch()
    await createStudySyncApi({ fetch }).study('A 1/x')
    expect(calls[0]!.url).to.equal('/api/v1/studies/A%201%2Fx')
  })

  it('throws ApiError with the whole body: 409 stale carries by/at', async () => {
    const body = {
      error: 'stale',
      message: 'Updated by HUYEN at 14:02:31',
      by: 'HUYEN',
      at: '2026-11-22T14:02:31.000Z',
    }
    const api = createStudySyncApi(fakeFetch(409, body))
    const error = await api
      .assign('A1', { role: 'readingPhysician', userId: null, expectedRev: 1 })
      .catch((e) => e)
    expect(error).to.be.instanceOf(ApiError)
    expect(error).to.include({
      status: 409,
      code: 'stale',
      message: 'Updated by HUYEN at 14:02:31',
    })
    expect(error.body).to.deep.equal(body)
  })

  it('423 carries the holder; a body without JSON still gives status and code', async () => {
    const holder = { id: 'u-huyen', name: 'HUYEN' }
    const locked = await createStudySyncApi(
      fakeFetch(423, { error: 'locked', message: 'HUYEN is reading', holder }),
    )
      .assign('A1', { role: 'readingPhysician', userId: 'u-bose', expectedRev: 1 })
      .catch((e) => e)
    expect(locked.body.holder).to.deep.equal(holder)

    const bare = await createStudySyncApi(fakeFetch(502, null))
      .worklist()
      .catch((e) => e)
    expect(bare).to.include({ status: 502, code: 'http_error' })
    expect(bare.body).to.deep.equal({ error: 'http_error', message: bare.message })
  })
})
