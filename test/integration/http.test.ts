/**
 * The HTTP surface of a real server on port 0 (API.md "Running",
 * "Authentication", "Errors"): sessions and cookies, the CSRF rule, health and
 * metrics, error bodies, security headers and static files.
 *
 * Requests go through node:http rather than fetch so that paths reach the
 * server byte for byte (fetch would normalise `/../x` away) and any header,
 * Origin included, can be set.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD, startTestServer, type TestServer } from '../support/server.ts'

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789'
const MAX_BODY = 4096
const SESSION_TTL_MS = 12 * 3600_000
const INDEX_HTML = '<!doctype html><title>StudySync</title><ss-app></ss-app>'
const APP_JS = 'console.log("studysync")'
const SECRET = 'TOP-SECRET-OUTSIDE-THE-STATIC-DIR'

let t: TestServer
let tmp: string

beforeAll(async () => {
  // tmp/public is served; tmp/secret.json and tmp/public-evil/ sit next to it.
  tmp = await mkdtemp(join(tmpdir(), 'studysync-static-'))
  const root = join(tmp, 'public')
  await mkdir(join(root, 'assets'), { recursive: true })
  await mkdir(join(tmp, 'public-evil'), { recursive: true })
  await writeFile(join(root, 'index.html'), INDEX_HTML)
  await writeFile(join(root, 'assets', 'app.js'), APP_JS)
  await writeFile(join(tmp, 'secret.json'), JSON.stringify({ secret: SECRET }))
  await writeFile(join(tmp, 'public-evil', 'secret.json'), JSON.stringify({ secret: SECRET }))
  t = await startTestServer({
    config: {
      staticDir: root,
      metricsToken: METRICS_TOKEN,
      sessionTtlMs: SESSION_TTL_MS,
      limits: { maxBodyBytes: MAX_BODY },
    },
  })
})
afterAll(async () => {
  await t?.close()
  await rm(tmp, { recursive: true, force: true })
})

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json(): Record<string, unknown>
}

function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  const { hostname, port } = new URL(t.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method, path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          })
        })
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return send('POST', path, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const cookie = (token: string) => ({ cookie: `studysync_session=${encodeURIComponent(token)}` })

/** A fresh login; returns the token and the raw Set-Cookie header. */
async function login(username: string, password = DEMO_PASSWORD) {
  const res = await postJson('/api/v1/session', { username, password })
  expect(res.status).toBe(200)
  return { token: res.json().token as string, setCookie: res.headers['set-cookie'] ?? [], res }
}

/** Asserts the API.md error shape and returns the body. */
function expectError(res: Reply, status: number, code?: string): Record<string, unknown> {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  const body = res.json()
  expect(typeof body.error).toBe('string')
  expect(typeof body.message).toBe('string')
  expect((body.message as string).length).toBeGreaterThan(0)
  if (code) expect(body.error).toBe(code)
  return body
}

describe('POST /api/v1/session', () => {
  it('good credentials → 200 {token, user} and an HttpOnly, SameSite=Strict, Path=/ cookie without Secure over http', async () => {
    const { token, setCookie, res } = await login('bose')
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(body.user).toEqual({
      id: expect.any(String),
      name: 'BOSE',
      role: 'radiologist',
      username: 'bose',
      privileges: ['assignReadingPhysician', 'assignOtherPersonnel'],
    })
    expect(JSON.stringify(body)).not.toContain('passwordHash')
    expect(setCookie).toHaveLength(1)
    const attributes = setCookie[0]!.split(';').map((p) => p.trim())
    expect(attributes[0]).toBe(`studysync_session=${token}`)
    expect(attributes).toContain('HttpOnly')
    expect(attributes).toContain('SameSite=Strict')
    expect(attributes).toContain('Path=/')
    expect(attributes).toContain(`Max-Age=${SESSION_TTL_MS / 1000}`)
    expect(attributes.map((a) => a.toLowerCase())).not.toContain('secure')
  })

  it('a wrong password and an unknown user both get the same 401 body and no cookie', async () => {
    const wrong = await postJson('/api/v1/session', {
      username: 'bose',
      password: 'not-the-password',
    })
    const unknown = await postJson('/api/v1/session', {
      username: 'nobody',
      password: DEMO_PASSWORD,
    })
    const a = expectError(wrong, 401, 'invalid_credentials')
    const b = expectError(unknown, 401, 'invalid_credentials')
    expect(a).toEqual(b) // nothing tells which usernames exist
    expect(wrong.headers['set-cookie']).toBeUndefined()
    expect(unknown.headers['set-cookie']).toBeUndefined()
  })

  it('a disabled user cannot log in, even with the right password', async () => {
    await t.registry.update((data) => {
      const user = data.users.find((u) => u.username === 'trans')!
      user.disabled = true
    })
    try {
      expectError(
        await postJson('/api/v1/session', { username: 'trans', password: DEMO_PASSWORD }),
        401,
      )
    } finally {
      await t.registry.update((data) => {
        data.users.find((u) => u.username === 'trans')!.disabled = false
      })
    }
  })

  it('an invalid body → 400 naming each bad field', async () => {
    const missing = expectError(
      await postJson('/api/v1/session', { username: 'bose' }),
      400,
      'invalid_input',
    )
    expect(Object.keys(missing.fields as object)).toEqual(['password'])
    const both = expectError(await postJson('/api/v1/session', { username: '', password: 42 }), 400)
    expect(Object.keys(both.fields as object).sort()).toEqual(['password', 'username'])
    const notAnObject = expectError(await postJson('/api/v1/session', ['bose', 'demo']), 400)
    expect(notAnObject.fields).toBeDefined()
  })

  it('a body that is not JSON → 400; a non-JSON content type → 415', async () => {
    const broken = await send('POST', '/api/v1/session', {
      headers: { 'content-type': 'application/json' },
      body: '{"username": "bose",',
    })
    expectError(broken, 400, 'invalid_input')
    const form = await send('POST', '/api/v1/session', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=bose&password=demo',
    })
    expectError(form, 415)
    const none = await send('POST', '/api/v1/session', {
      body: '{"username":"bose","password":"demo"}',
    })
    expectError(none, 415)
  })

  it('a body over the size limit → 413', async () => {
    const res = await postJson('/api/v1/session', {
      username: 'bose',
      password: 'x'.repeat(MAX_BODY * 4),
    })
    expectError(res, 413)
    // The server is fine afterwards.
    expect((await send('GET', '/healthz')).status).toBe(200)
  })
})

describe('GET /api/v1/me and DELETE /api/v1/session', () => {
  it('/me answers with a bearer token, with the cookie, and 401 with neither or a bogus token', async () => {
    const { token } = await login('huyen')
    const viaBearer = await send('GET', '/api/v1/me', { headers: bearer(token) })
    expect(viaBearer.status).toBe(200)
    expect(viaBearer.json().user).toMatchObject({
      name: 'HUYEN',
      role: 'radiologist',
      username: 'huyen',
    })
    const viaCookie = await send('GET', '/api/v1/me', { headers: cookie(token) })
    expect(viaCookie.status).toBe(200)
    expect(viaCookie.json()).toEqual(viaBearer.json())
    expectError(await send('GET', '/api/v1/me'), 401, 'unauthenticated')
    expectError(await send('GET', '/api/v1/me', { headers: bearer('not-a-session') }), 401)
  })

  it('another app’s malformed cookie on the same host does not break authentication (it used to answer 500)', async () => {
    const { token } = await login('huyen')
    const withForeign = await send('GET', '/api/v1/me', {
      headers: { cookie: `tracker=%E0%A4; studysync_session=${token}; other=100%` },
    })
    expect(withForeign.status).toBe(200)
    expect(withForeign.json().user).toMatchObject({ username: 'huyen' })
    const bearerAndJunk = await send('GET', '/api/v1/me', {
      headers: { ...bearer(token), cookie: 'tracker=%E0%A4' },
    })
    expect(bearerAndJunk.status).toBe(200)
    // A session cookie that does not decode reads as no session.
    expectError(
      await send('GET', '/api/v1/me', { headers: { cookie: 'studysync_session=%E0' } }),
      401,
    )
  })

  it('a cookie-authenticated logout from a foreign Origin → 403 and the session stays valid', async () => {
    const { token } = await login('perf')
    const forged = await send('DELETE', '/api/v1/session', {
      headers: { ...cookie(token), origin: 'https://evil.example' },
    })
    expectError(forged, 403, 'forbidden')
    expect(forged.headers['set-cookie']).toBeUndefined()
    expect((await send('GET', '/api/v1/me', { headers: cookie(token) })).status).toBe(200)
  })

  it('a cookie-authenticated logout from the app’s own origin → 204, clears the cookie, and the session is dead', async () => {
    const { token } = await login('perf')
    const res = await send('DELETE', '/api/v1/session', {
      headers: { ...cookie(token), origin: t.url },
    })
    expect(res.status).toBe(204)
    const cleared = res.headers['set-cookie']?.[0] ?? ''
    expect(cleared).toMatch(/^studysync_session=;/)
    expect(cleared).toContain('Max-Age=0')
    expectError(await send('GET', '/api/v1/me', { headers: cookie(token) }), 401)
    expectError(await send('GET', '/api/v1/me', { headers: bearer(token) }), 401)
  })

  it('a bearer logout needs no Origin check (no ambient credential); then /me → 401', async () => {
    const { token } = await login('tech')
    const res = await send('DELETE', '/api/v1/session', {
      headers: { ...bearer(token), origin: 'https://elsewhere.example' },
    })
    expect(res.status).toBe(204)
    expectError(await send('GET', '/api/v1/me', { headers: bearer(token) }), 401)
  })

  it('logging out without a session → 401', async () => {
    expectError(await send('DELETE', '/api/v1/session'), 401)
  })
})

describe('health and metrics', () => {
  it('/healthz and /readyz answer 200', async () => {
    const health = await send('GET', '/healthz')
    expect(health.status).toBe(200)
    expect(health.json()).toEqual({ ok: true })
    const ready = await send('GET', '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.json()).toEqual({ ok: true })
  })

  it('/metrics without credentials → 401; with a non-admin session → 403; with a bad token → 401', async () => {
    expectError(await send('GET', '/metrics'), 401)
    const { token } = await login('bose')
    expectError(await send('GET', '/metrics', { headers: bearer(token) }), 403)
    expectError(await send('GET', '/metrics', { headers: bearer('wrong-metrics-token') }), 401)
  })

  it('/metrics for an admin session and for the metrics token → 200 Prometheus text', async () => {
    const { token } = await login('admin')
    for (const headers of [bearer(token), bearer(METRICS_TOKEN)]) {
      const res = await send('GET', '/metrics', { headers })
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/plain/)
      expect(res.text).toMatch(/^# TYPE studysync_connections gauge$/m)
      expect(res.text).toMatch(/^studysync_connections \d+$/m)
      expect(res.text).toMatch(/^# TYPE studysync_log_fsync_seconds histogram$/m)
      expect(res.text).toMatch(/^studysync_log_fsync_seconds_count \d+$/m)
    }
  })
})

describe('routing, errors and headers', () => {
  it('an unknown /api path → 404 JSON', async () => {
    expectError(await send('GET', '/api/v1/nothing-here'), 404, 'not_found')
    expectError(
      await send('POST', '/api/v2/session', {
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
      404,
    )
  })

  it('a known path with the wrong method → 405 JSON', async () => {
    expectError(await send('GET', '/api/v1/session'), 405, 'method_not_allowed')
    expectError(await send('PUT', '/api/v1/me'), 405)
    expectError(await send('POST', '/healthz'), 405)
  })

  it('a 405 names the allowed methods in Allow', async () => {
    expect((await send('GET', '/api/v1/session')).headers.allow).toBe('DELETE, POST')
    expect((await send('POST', '/healthz')).headers.allow).toBe('GET')
  })

  it('security headers are on every response: API, error, static file', async () => {
    const responses = [
      await send('GET', '/healthz'),
      await send('GET', '/api/v1/me'),
      await send('GET', '/api/v1/nothing-here'),
      await send('GET', '/'),
      await send('GET', '/assets/app.js'),
      await send('GET', '/assets/missing.js'),
    ]
    for (const res of responses) {
      expect(res.headers['content-security-policy']).toContain("default-src 'self'")
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('DENY')
    }
  })
})

describe('static files', () => {
  it('serves index.html at / and assets with their content types', async () => {
    const index = await send('GET', '/')
    expect(index.status).toBe(200)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-cache')
    expect(index.text).toBe(INDEX_HTML)
    expect((await send('GET', '/index.html')).text).toBe(INDEX_HTML)
    const js = await send('GET', '/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toContain('immutable')
    expect(js.text).toBe(APP_JS)
  })

  it('client-side routes fall back to the app shell', async () => {
    for (const path of ['/worklist', '/study/A10001', '/worklist?filter=stat']) {
      const res = await send('GET', path)
      expect(res.status, path).toBe(200)
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8')
      expect(res.text, path).toBe(INDEX_HTML)
    }
  })

  it('a missing asset is a 404, not the app shell', async () => {
    const res = await send('GET', '/assets/missing.js')
    expectError(res, 404)
    expect(res.text).not.toContain('<ss-app>')
  })

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/../secret.json',
    '/%2e%2e/secret.json',
    '/%2E%2E/secret.json',
    '/..%2fsecret.json',
    '/%2e%2e%2fsecret.json',
    '/assets/..%2f..%2fsecret.json',
    '/assets/%2e%2e/%2e%2e/secret.json',
    '/..%2fpublic-evil%2fsecret.json',
    '/..%5csecret.json',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('%s never escapes the static dir (404)', async (path) => {
    const res = await send('GET', path)
    expect(res.status).toBe(404)
    expect(res.text).not.toContain(SECRET)
    expect(res.text).not.toContain('"devDependencies"')
    expect(res.text).not.toContain('root:')
  })

  it('static files are served to GET only', async () => {
    expectError(
      await send('POST', '/assets/app.js', {
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
      404,
    )
  })
})
