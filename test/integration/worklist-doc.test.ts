/** The server-owned `worklist` document: kept in step with study state, bounded in growth (issue 3 item 7). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol.ts'
import { api } from '../support/api.ts'
import { connectClient, nextClose, type TestClient, until, whenSynced } from '../support/clients.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const clients: TestClient[] = []
beforeAll(async () => {
  // Rebuild once the document is 1.2× what its rows need (3× in production), to keep the test short.
  t = await startTestServer({ config: { worklistBloatFactor: 1.2 } })
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

type Row = { accession: string; readingPhysician: { name: string } | null; rev: number }

describe('worklist document', () => {
  it('rows follow study state: an assignment updates the row, a deletion removes it', async () => {
    const client = connectClient(t.wsUrl, 'worklist', await t.login('huyen'))
    clients.push(client)
    await whenSynced(client)
    const rows = client.doc.getMap<Row>('rows')
    const active = t.registry.read().studies.filter((s) => s.lifecycle === 'active')
    expect(rows.size).toBe(active.length)

    const study = active.find((s) => s.status === 'ready-to-read' && !s.readingPhysician)!
    const admin = api(t.url, await t.login('admin'))
    await admin.post(`/api/v1/studies/${study.accession}/assignments`, {
      role: 'readingPhysician',
      userId: 'u-bose',
      expectedRev: study.rev,
    })
    await until(client.doc, () => rows.get(study.accession)?.readingPhysician?.name === 'BOSE')

    expect((await admin.delete(`/api/v1/studies/${study.accession}`)).status).toBe(200)
    await until(client.doc, () => !rows.has(study.accession))
  })

  it('stays bounded: after thousands of row changes it is rebuilt and clients resync a fresh copy', async () => {
    const client = connectClient(t.wsUrl, 'worklist', await t.login('bose'))
    clients.push(client)
    await whenSynced(client)
    const room = await t.server.rooms.with('worklist', (r) => r)
    const before = Y.encodeStateAsUpdate(room.doc).byteLength
    const closed = nextClose(client)
    const accessions = t.registry
      .read()
      .studies.filter((s) => s.lifecycle === 'active')
      .map((s) => s.accession)
    for (let i = 0; i < 3000; i++) {
      const accession = accessions[i % accessions.length]!
      await t.registry.update((data) => {
        const s = data.studies.find((x) => x.accession === accession)!
        s.rev++
      })
      await t.server.domain.projector.study(accession)
    }
    // The rebuild closed the old copy's connection with 4409 (reset and resync).
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    const fresh = connectClient(t.wsUrl, 'worklist', await t.login('bose'))
    clients.push(fresh)
    await whenSynced(fresh)
    const size = Y.encodeStateAsUpdate(fresh.doc).byteLength
    expect(size).toBeLessThan(before * 1.2 + 4096)
    const sample = accessions[7]!
    expect(fresh.doc.getMap<Row>('rows').get(sample)?.rev).toBe(
      t.registry.read().studies.find((s) => s.accession === sample)!.rev,
    )
  })
})
