/** Login protection and the audit of sign-ins (issue 6 item 8, S33). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

function attempt(username: string, password: string) {
  return fetch(`${t.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
}

describe('login protection', () => {
  it('[S33] a successful and a failed sign-in are both in the audit log, durable before the response', async () => {
    expect((await attempt('perf', 'demo')).status).toBe(200)
    expect((await attempt('perf', 'wrong')).status).toBe(401)
    const entries = (await t.audit.query({ user: 'u-perf' })).entries
    expect(entries.map((e) => `${e.action}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['login.success:success', 'login.failure:failure']),
    )
    const failure = entries.find((e) => e.action === 'login.failure')!
    expect(failure.details).toMatchObject({ reason: 'bad-password' })
    expect(failure.source.ip).toBe('127.0.0.1')
  })

  it('five wrong passwords lock the username out (429 with Retry-After), even for the right password, and it is audited', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('tech', `guess-${i}`)).status).toBe(401)
    const locked = await attempt('tech', 'demo')
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await locked.json()) as { error: string }).error).toBe('locked_out')
    const entries = (await t.audit.query({ action: 'login.failure' })).entries
    expect(entries.some((e) => e.details?.reason === 'locked-out')).toBe(true)
    // Another user from elsewhere is unaffected.
    expect((await attempt('huyen', 'demo')).status).toBe(200)
  })

  it('an unknown username fails like a wrong password and is audited with the name tried', async () => {
    const res = await attempt('mallory', 'x')
    expect(res.status).toBe(401)
    const entries = (await t.audit.query({ action: 'login.failure' })).entries
    expect(
      entries.some(
        (e) => e.details?.reason === 'unknown-user' && e.subject.id === 'username:mallory',
      ),
    ).toBe(true)
  })
})
