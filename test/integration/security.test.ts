/**
 * Security review as tests (issue 8 §5, DESIGN §7 "Web security"): session cookie
 * and token handling, CSRF on every cookie-authenticated write, the CSP and headers
 * of the app page, no secrets in logs or the audit trail, and path traversal through
 * document names and every `:param`. Identity spoofing through awareness (S5) and
 * privilege escalation through every command are in security-authz.test.ts.
 */
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { jsonLogger } from '../../server/logger.ts'
import { docNameOf } from '../../server/storage/doc-files.ts'
import { CloseCode, parseDocName } from '../../shared/protocol.ts'
import { ensureBuilt, REPO_ROOT } from '../support/build-app.ts'
import { securityHelpers } from '../support/security-helpers.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { RawSyncClient } from '../support/sync-client.ts'

const WRONG_PASSWORD = 'Wr0ng-but-Secret-Pa55word'
const logLines: string[] = []
let t: TestServer

beforeAll(async () => {
  // The CSP check below needs the built app page: build it when missing or stale.
  ensureBuilt(REPO_ROOT)
  t = await startTestServer({
    files: true,
    logger: jsonLogger((line) => logLines.push(line)),
    config: { staticDir: join(REPO_ROOT, 'dist') },
  })
}, 120_000)
afterAll(() => t.close())

const { signIn, closeOf, registryWithoutSessions } = securityHelpers(() => t)

describe('session cookie and token handling', () => {
  it('the cookie is HttpOnly, SameSite=Strict, Path=/, bounded by Max-Age, Secure behind a TLS proxy, and carries the same 256-bit token as the body', async () => {
    const plain = await signIn('bose')
    const attrs = plain.cookie.split(';').map((a) => a.trim())
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']))
    expect(attrs.some((a) => /^Max-Age=\d+$/.test(a))).toBe(true)
    expect(attrs).not.toContain('Secure') // plain http: a Secure cookie would never come back
    expect(plain.token).toMatch(/^[A-Za-z0-9_-]{43,}$/)
    expect(attrs[0]).toBe(`studysync_session=${plain.token}`)
    const proxied = await signIn('bose', 'demo', { 'x-forwarded-proto': 'https' })
    expect(proxied.cookie.split(';').map((a) => a.trim())).toContain('Secure')
  })

  it('only a hash of the token is stored; every sign-in gets a new token; a signed-out token is dead everywhere', async () => {
    const a = await signIn('huyen')
    const b = await signIn('huyen')
    expect(a.token).not.toBe(b.token)
    const stored = JSON.stringify(t.registry.read().sessions)
    expect(stored).not.toContain(a.token)
    expect(stored).not.toContain(b.token)
    const out = await fetch(`${t.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${a.token}` },
    })
    expect(out.status).toBe(204)
    const me = await fetch(`${t.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${a.token}` },
    })
    expect(me.status).toBe(401)
    expect((await closeOf(`/sync/study/A10150?token=${a.token}`)).code).toBe(
      CloseCode.notAuthenticated,
    )
    expect(
      (await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${b.token}` } }))
        .status,
    ).toBe(200)
  })

  it('a token in the query string is accepted only where browsers cannot send a header (sync, live feed), not by the REST API', async () => {
    const { token } = await signIn('bose')
    expect((await fetch(`${t.url}/api/v1/me?token=${token}`)).status).toBe(401)
    expect((await fetch(`${t.url}/api/v1/worklist?token=${token}`)).status).toBe(401)
  })
})

describe('CSRF: cookie-authenticated writes from another origin', () => {
  it('every POST, PUT and DELETE route refuses a cookie-authenticated request from a foreign Origin (403) and changes nothing', async () => {
    const { token } = await signIn('admin')
    const writes = t.server.routes.filter(
      (r) =>
        r.method !== 'GET' &&
        !['/api/v1/session', '/api/v1/patient-session', '/api/v1/hl7'].includes(r.path),
    )
    expect(writes.length).toBeGreaterThan(15)
    const before = registryWithoutSessions()
    for (const origin of ['https://evil.example', 'null', `${t.url}.evil.example`]) {
      for (const route of writes) {
        const path = route.path.replace(/:accession/g, 'A10151').replace(/:[A-Za-z]+/g, 'x1')
        const res = await fetch(`${t.url}${path}`, {
          method: route.method,
          headers: {
            cookie: `studysync_session=${token}`,
            origin,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            view: 'info',
            into: 'A10152',
            reason: 'csrf',
            to: 'signed',
            expectedRev: 0,
          }),
        })
        expect(res.status, `${route.method} ${path} from ${origin}`).toBe(403)
      }
    }
    // Signing out is a write too: a foreign page must not be able to end the session.
    const logout = await fetch(`${t.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie: `studysync_session=${token}`, origin: 'https://evil.example' },
    })
    expect(logout.status).toBe(403)
    expect(registryWithoutSessions()).toBe(before)
  })

  it('the same writes from the app’s own origin, and WebSocket upgrades with the cookie, follow the same rule', async () => {
    const { token } = await signIn('bose')
    const own = await fetch(`${t.url}/api/v1/studies/A10151/open`, {
      method: 'POST',
      headers: {
        cookie: `studysync_session=${token}`,
        origin: t.url,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ view: 'info' }),
    })
    expect(own.status).toBe(200)
    const cookie = { cookie: `studysync_session=${token}` }
    expect(
      (await closeOf('/sync/study/A10151', { ...cookie, origin: 'https://evil.example' })).code,
    ).toBe(CloseCode.forbidden)
    expect((await closeOf('/sync/study/A10151', { ...cookie, origin: 'null' })).code).toBe(
      CloseCode.forbidden,
    )
  })
})

describe('security headers and the Content Security Policy', () => {
  it('the CSP allows no inline or eval’d script, no plugins, no framing, no foreign base or form targets, and no scheme-wide sources', async () => {
    const res = await fetch(`${t.url}/`)
    const csp = res.headers.get('content-security-policy') ?? ''
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/)
        return [name!, sources] as const
      }),
    )
    expect(directives.get('default-src')).toEqual(["'self'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'self'"])
    expect(directives.get('form-action')).toEqual(["'self'"])
    for (const [name, sources] of directives) {
      expect(sources, name).not.toContain("'unsafe-eval'")
      expect(sources, name).not.toContain('*')
      // A bare scheme (ws:, https:) allows every host of it: data could leave for anywhere.
      for (const source of sources)
        if (name !== 'img-src') expect(source, name).not.toMatch(/^[a-z]+:$/)
    }
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
  })

  it('the built app page runs under that CSP: no inline scripts or handlers', async () => {
    const res = await fetch(`${t.url}/`)
    const html = await res.text()
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/)
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
  })
})

describe('no secrets in logs or the audit trail', () => {
  it('after sign-ins, failures, syncs, refusals and sign-outs, no token, cookie value or password appears in what the server logged or audited', async () => {
    const secrets: string[] = [WRONG_PASSWORD]
    for (const user of ['bose', 'tech', 'admin']) {
      const s = await signIn(user)
      secrets.push(s.token, s.cookie.split(';')[0]!.split('=')[1]!)
    }
    await signIn('bose', WRONG_PASSWORD)
    await signIn('no-such-user', WRONG_PASSWORD)
    const [bose, tech, admin] = [secrets[1]!, secrets[3]!, secrets[5]!]
    // Sync with the token in the query and in a cookie; a refused write; a protocol error.
    const writer = new RawSyncClient({ docName: 'study/A10153/state', token: bose })
    await writer.connect(t.wsUrl)
    const refused = writer.whenClosed()
    writer.doc.getMap('state').set('status', 'forged')
    expect((await refused).code).toBe(CloseCode.localCopyRefused)
    await closeOf(`/sync/study/A10153?token=${tech}`, {}, (ws) => ws.send(new Uint8Array([99])))
    await closeOf('/sync/study/A10153', {
      cookie: `studysync_session=${tech}`,
      origin: 'https://evil.example',
    })
    await closeOf('/sync/study/A10153?token=not-a-real-token-but-secret-looking')
    const feed = await fetch(`${t.url}/api/v1/events?token=${bose}`)
    await feed.body?.cancel()
    await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
    await fetch(`${t.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tech}` },
    })
    const { entries } = await t.audit.query({ limit: 1000 })
    const logged = logLines.join('\n')
    const audited = JSON.stringify(entries)
    expect(logLines.length).toBeGreaterThan(5)
    expect(entries.length).toBeGreaterThan(5)
    for (const secret of secrets) {
      expect(logged.includes(secret), 'a secret in the log').toBe(false)
      expect(audited.includes(secret), 'a secret in the audit trail').toBe(false)
    }
    expect(logged).not.toMatch(/"(password|token|cookie|authorization)"\s*:/i)
    expect(audited).not.toMatch(/"(password|token|cookie|authorization)"\s*:/i)
  })
})

describe('path traversal', () => {
  it.each([
    '/sync/study/..%2F..%2Fregistry.json',
    '/sync/study%2F..%2F..%2Fregistry',
    '/sync/study/..',
    '/sync/patient/..%2Fstudy%2FA10001',
    '/sync/study/A10001%00',
    '/sync/study/A10001/..%2Freport',
    '/sync/study/A10001%2Freport%2F..%2F..',
    '/sync/..%2Fregistry.json',
    '/sync/%2e%2e%2fdocs',
  ])('a document name %s is refused before the upgrade (400)', async (path) => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.wsUrl}${path}`)
      ws.on('error', () => {})
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('open', () => resolve(101))
    })
    expect(status).toBe(400)
  })

  it('hostile ids in every :param, as an admin, read nothing from disk and write no file outside the documents’ own names', async () => {
    const { token } = await signIn('admin')
    const hostile = [
      '..',
      '../registry.json',
      '..%2F..%2Fregistry.json',
      'A10001/../../x',
      '%00',
      'A'.repeat(300),
      '.',
    ]
    for (const route of t.server.routes.filter((r) => r.path.includes(':'))) {
      for (const id of hostile) {
        const path = route.path.replace(/:[A-Za-z]+/g, encodeURIComponent(id))
        const res = await fetch(`${t.url}${path}`, {
          method: route.method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body:
            route.method === 'GET'
              ? undefined
              : JSON.stringify({ into: id, view: 'info', reason: id }),
        })
        const text = await res.text()
        expect(res.status, `${route.method} ${path}`).toBeGreaterThanOrEqual(400)
        expect(res.status, `${route.method} ${path}`).toBeLessThan(500)
        expect(text).not.toContain('"passwordHash"')
        expect(text).not.toContain('root:x:0:0')
      }
    }
    // HL7 orders name accessions too: a hostile one is refused (AE/AR), creating nothing.
    const hl7 = await fetch(`${t.url}/api/v1/hl7`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: [
        'MSH|^~\\&|RIS|HOSP|SS|HOSP|20240101120000||ORM^O01|MSG1|P|2.5',
        'PID|1||../../etc^^^HOSP||DOE^JANE||19700101|F',
        'ORC|NW|../../x|../../x',
        'OBR|1|../../x|../../x|CT^CT CHEST|||20240101||||||||||||../../registry',
      ].join('\r'),
    })
    expect(await hl7.text()).toMatch(/MSA\|A[ER]/)
    // Every file in the data dir is one of ours, under a name we chose.
    for (const file of await walk(t.dataDir!)) {
      const rel = relative(t.dataDir!, file)
      const ok =
        /^\.?registry\.json(\.tmp)?$/.test(rel) ||
        /^audit\/audit-\d{6,}\.jsonl$/.test(rel) ||
        (rel.startsWith('docs/') &&
          parseDocName(docNameOf(rel.slice(5).replace(/\.tmp$/, '')) ?? '') !== null)
      expect(ok, rel).toBe(true)
    }
  }, 30_000)
})

async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else out.push(path)
  }
  return out
}
