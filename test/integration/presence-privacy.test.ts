/** Live presence goes only to users who may see the study (S3, S30). */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectClient, whenSynced } from '../support/clients.ts'
import { watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

it('[S3] a presence change reaches staff who can open the study, never a clerk without access to it', async () => {
  const data = t.registry.read()
  const granted = new Set(
    data.grants.filter((g) => g.userId === 'u-clerk' || g.groupId).map((g) => g.accession),
  )
  const accession = data.studies.find(
    (s) => s.lifecycle === 'active' && !granted.has(s.accession),
  )!.accession
  const admin = watchFeed(t.server.hub, 'u-admin')
  const clerk = watchFeed(t.server.hub, 'u-clerk')
  const bose = connectClient(t.wsUrl, `study/${accession}`, await t.login('bose'))
  await whenSynced(bose)
  bose.provider.awareness.setLocalStateField('mode', 'viewing')
  const seen = await admin.event(
    (e) => e.type === 'presence' && e.data.subject.id === accession && e.data.entries.length > 0,
  )
  expect(seen.type).toBe('presence')
  // Both feeds are served in the same broadcast, so the clerk's would be here by now.
  expect(
    clerk.events.filter(
      (d) => d.event.type === 'presence' && d.event.data.subject.id === accession,
    ),
  ).toEqual([])
  bose.destroy()
  admin.stop()
  clerk.stop()
})
