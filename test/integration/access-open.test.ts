/** Opening a study with view-only access: read-only, no claim or assignment, and the break-the-glass unlock (S30, S31). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OpenResult } from '../../shared/api-types.ts'
import { api } from '../support/api.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

function freshStudy(skip: string[]): string {
  const data = t.registry.read()
  const granted = new Set(data.grants.map((g) => g.accession))
  const study = data.studies.find(
    (s) =>
      s.lifecycle === 'active' &&
      s.status === 'ready-to-read' &&
      !granted.has(s.accession) &&
      !skip.includes(s.accession),
  )!
  return study.accession
}

describe('opening with view-only access', () => {
  it('[S30] a view grant opens read-only and never takes an assignment', async () => {
    const accession = freshStudy([])
    const admin = api(t.url, await t.login('admin'))
    const clerk = api(t.url, await t.login('clerk'))
    const grant = await admin.post(`/api/v1/studies/${accession}/access/grants`, {
      userId: 'u-clerk',
      type: 'view',
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    })
    expect(grant.status).toBe(201)
    const opened = await clerk.post<OpenResult>(`/api/v1/studies/${accession}/open`, {
      view: 'info',
    })
    expect(opened.status).toBe(200)
    expect(opened.body.readOnly).toBe(true)
    expect(opened.body.assigned).toBe(false)
    expect(opened.body.breakGlass).toBeNull()
  })

  it('[S31] after breaking the glass the open answer says so, with the reason and when it ends', async () => {
    const accession = freshStudy([])
    const clerk = api(t.url, await t.login('clerk'))
    expect((await clerk.post(`/api/v1/studies/${accession}/open`, { view: 'info' })).status).toBe(
      403,
    )
    const reason = 'Patient at the front desk needs the order confirmed now'
    const unlocked = await clerk.post(`/api/v1/studies/${accession}/break-glass`, { reason })
    expect(unlocked.status).toBe(201)
    const opened = await clerk.post<OpenResult>(`/api/v1/studies/${accession}/open`, {
      view: 'info',
    })
    expect(opened.body.readOnly).toBe(true)
    expect(opened.body.breakGlass?.reason).toBe(reason)
    expect(Date.parse(opened.body.breakGlass!.expiresAt)).toBeGreaterThan(Date.now())
  })
})
