import { describe, expect, it } from 'vitest'
import { ApiError, createApiClient } from '../../../client/api.ts'

type Call = { url: string; init: RequestInit | undefined }

function fakeFetch(respond: (call: Call) => Response) {
  const calls: Call[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init }
    calls.push(call)
    return respond(call)
  }) as typeof globalThis.fetch
  return { fetch, calls }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const BOSE = { id: 'u-bose', name: 'BOSE', role: 'radiologist' }

describe('client/api.ts: session endpoints (API.md "Authentication")', () => {
  it('login POSTs {username, password} as JSON and returns the token and user', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { token: 'tok', user: BOSE }))
    const session = await createApiClient({ fetch }).login('bose', 'demo')
    expect(session).toEqual({ token: 'tok', user: BOSE })
    expect(calls[0]?.url).toBe('/api/v1/session')
    expect(calls[0]?.init?.method).toBe('POST')
    expect(calls[0]?.init?.credentials).toBe('same-origin')
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ username: 'bose', password: 'demo' })
  })

  it('login throws an ApiError carrying status and error code on 401', async () => {
    const { fetch } = fakeFetch(() => json(401, { error: 'bad_credentials', message: 'nope' }))
    const error = await createApiClient({ fetch })
      .login('bose', 'wrong')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 401, code: 'bad_credentials', message: 'nope' })
  })

  it('me returns the user (bare or wrapped in {user}) and null on 401', async () => {
    const bare = fakeFetch(() => json(200, BOSE))
    expect(await createApiClient({ fetch: bare.fetch }).me()).toEqual(BOSE)
    const wrapped = fakeFetch(() => json(200, { user: BOSE }))
    expect(await createApiClient({ fetch: wrapped.fetch }).me()).toEqual(BOSE)
    const anonymous = fakeFetch(() => json(401, { error: 'unauthenticated', message: '' }))
    expect(await createApiClient({ fetch: anonymous.fetch }).me()).toBeNull()
  })

  it('rejects a 200 that does not carry a user', async () => {
    const { fetch } = fakeFetch(() => json(200, { token: 'tok' }))
    await expect(createApiClient({ fetch }).login('a', 'b')).rejects.toBeInstanceOf(ApiError)
  })

  it('logout DELETEs the session and treats an expired one (401) as done', async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 401 }))
    await createApiClient({ fetch, baseUrl: 'http://h' }).logout()
    expect(calls[0]).toMatchObject({ url: 'http://h/api/v1/session', init: { method: 'DELETE' } })
    const failing = fakeFetch(() => json(500, { error: 'internal', message: 'boom' }))
    await expect(createApiClient({ fetch: failing.fetch }).logout()).rejects.toMatchObject({
      status: 500,
    })
  })
})
