/**
 * Storage faults (issue 8 §2, DESIGN §8): a full disk (ENOSPC) or an I/O error
 * (EIO) in the document log, the registry or the audit trail. The server refuses
 * the write with a clear error (sync: 4503 'storage unavailable'; HTTP: 503
 * `storage_unavailable`), logs it, counts it in studysync_storage_errors_total,
 * applies and broadcasts nothing it could not store, and carries on once the
 * fault clears. The stores are real files wrapped by test/support/faults.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FileAuditLog } from '../../server/audit/file-audit-log.ts'
import { systemClock } from '../../server/clock.ts'
import { jsonLogger } from '../../server/logger.ts'
import { emptyRegistry } from '../../server/registry/types.ts'
import { FileDocLogStore } from '../../server/storage/file-doc-log.ts'
import { LowdbRegistryStore } from '../../server/storage/lowdb-registry.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { api } from '../support/api.ts'
import { FaultSwitch, faultyAudit, faultyDocLog, faultyRegistry } from '../support/faults.ts'
import { metricValue } from '../support/metrics.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { RawSyncClient, stateVectorOf } from '../support/sync-client.ts'

const docFaults = new FaultSwitch()
const registryFaults = new FaultSwitch()
const auditFaults = new FaultSwitch()
const logs: { level: string; msg: string; [k: string]: unknown }[] = []
const clients: RawSyncClient[] = []
let t: TestServer
let admin: string

beforeAll(async () => {
  t = await startTestServer({
    files: true,
    logger: jsonLogger((line) => logs.push(JSON.parse(line))),
    wrapStorage: (s) => ({
      docs: faultyDocLog(s.docs, docFaults),
      registry: faultyRegistry(s.registry, registryFaults),
      audit: faultyAudit(s.audit, auditFaults),
    }),
  })
  admin = await t.login('admin')
})
afterAll(async () => {
  for (const c of clients) c.terminate()
  await t.close()
})

function client(docName: string, token: string): RawSyncClient {
  const c = new RawSyncClient({ docName, token, savedAck: true })
  clients.push(c)
  return c
}

async function storageErrors(): Promise<number> {
  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
  return metricValue(await res.text(), 'studysync_storage_errors_total')
}

function logged(msg: string, pattern: RegExp): boolean {
  return logs.some((l) => l.msg === msg && pattern.test(JSON.stringify(l)))
}

function description(c: RawSyncClient): unknown {
  return c.doc.getMap('fields').get('description')
}

describe('storage faults', () => {
  it('a full disk while logging a sync write: the writer is closed 4503, nothing is applied or broadcast, it is logged and counted; once space returns the edit arrives', async () => {
    const [bose, huyen] = await Promise.all([t.login('bose'), t.login('huyen')])
    const writer = client('study/A10120', bose)
    const watcher = client('study/A10120', huyen)
    await Promise.all([writer.connect(t.wsUrl), watcher.connect(t.wsUrl)])
    writer.doc.getMap('fields').set('description', 'BEFORE THE FAULT')
    await writer.whenAcked()
    await watcher.whenHas(stateVectorOf(writer.doc))
    const errorsBefore = await storageErrors()

    docFaults.fail('ENOSPC')
    writer.doc.getMap('fields').set('description', 'WRITTEN WHILE THE DISK WAS FULL')
    const closed = await writer.whenClosed()
    expect(closed.code).toBe(CloseCode.shuttingDown)
    expect(closed.reason).toMatch(/storage unavailable/)
    const room = await t.server.rooms.with('study/A10120', (r) => r)
    expect(room.doc.getMap('fields').get('description')).toBe('BEFORE THE FAULT')
    // The watcher is still connected and served: a round trip proves nothing was broadcast before it.
    const probe = client('study/A10120', huyen)
    await probe.connect(t.wsUrl)
    expect(description(probe)).toBe('BEFORE THE FAULT')
    expect(description(watcher)).toBe('BEFORE THE FAULT')
    expect(watcher.open).toBe(true)
    expect(await storageErrors()).toBeGreaterThan(errorsBefore)
    expect(logged('log append failed', /ENOSPC/)).toBe(true)

    docFaults.clear()
    await writer.connect(t.wsUrl) // its copy still holds the edit and sends it in its step 2
    await writer.whenAcked()
    await watcher.whenHas(stateVectorOf(writer.doc))
    expect(description(watcher)).toBe('WRITTEN WHILE THE DISK WAS FULL')
  })

  it('a registry write that fails with EIO: sign-in and commands answer 503 storage_unavailable, change nothing, and work again once the fault clears', async () => {
    const adminApi = api(t.url, admin)
    const before = (
      await adminApi.get<{ state: { rev: number; technologist: unknown } }>(
        '/api/v1/studies/A10121',
      )
    ).body.state
    const errorsBefore = await storageErrors()

    registryFaults.fail('EIO')
    const signIn = await fetch(`${t.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bose', password: 'demo' }),
    })
    expect(signIn.status).toBe(503)
    expect(signIn.headers.get('retry-after')).toBe('5')
    expect(signIn.headers.get('set-cookie')).toBeNull()
    const body = (await signIn.json()) as { error: string; message: string }
    expect(body.error).toBe('storage_unavailable')
    expect(body.message).toMatch(/storage is unavailable|cannot write to its storage/i)
    const assign = () =>
      adminApi.post('/api/v1/studies/A10121/assignments', {
        role: 'technologist',
        userId: 'u-tech',
        expectedRev: before.rev,
      })
    const refused = await assign()
    expect(refused.status).toBe(503)
    expect(refused.body.error).toBe('storage_unavailable')
    const during = (await adminApi.get<{ state: { rev: number } }>('/api/v1/studies/A10121')).body
      .state
    expect(during).toEqual(before)
    expect(await storageErrors()).toBeGreaterThanOrEqual(errorsBefore + 2)
    expect(logged('storage write failed', /"store":"registry".*EIO/)).toBe(true)

    registryFaults.clear()
    expect((await assign()).status).toBe(200)
    expect(await t.login('bose')).toMatch(/.{20,}/)
  })

  it('an audit append that fails with ENOSPC: a sign-in answers 503 and hands out no token; sign-ins work again once space returns', async () => {
    auditFaults.fail('ENOSPC')
    const res = await fetch(`${t.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'huyen', password: 'demo' }),
    })
    expect(res.status).toBe(503)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await res.json()).toMatchObject({ error: 'storage_unavailable' })
    expect(logged('storage write failed', /"store":"audit".*ENOSPC/)).toBe(true)
    auditFaults.clear()
    expect(await t.login('huyen')).toMatch(/.{20,}/)
  })

  it('a document that cannot be read (EIO): sync closes 4503, the REST read answers 503; once the fault clears it loads', async () => {
    const bose = await t.login('bose')
    const errorsBefore = await storageErrors()
    docFaults.fail('EIO')
    const reader = client('study/A10122', bose)
    await expect(reader.connect(t.wsUrl)).rejects.toThrow(/4503 storage unavailable/)
    const rest = await api(t.url, bose).get('/api/v1/studies/A10122')
    expect(rest.status).toBe(503)
    expect(rest.body.error).toBe('storage_unavailable')
    expect(await storageErrors()).toBeGreaterThanOrEqual(errorsBefore + 2)
    expect(logged('document failed to load', /EIO/)).toBe(true)
    docFaults.clear()
    await reader.connect(t.wsUrl)
    expect((await api(t.url, bose).get('/api/v1/studies/A10122')).status).toBe(200)
  })

  it('an HL7 update whose form change cannot be logged is not acknowledged AA (the sender would never resend it); once the log works, the resent message applies', async () => {
    const system = await t.login('system')
    const patientId = t.registry.read().patients[2]!.id
    const send = async (id: string) => {
      const res = await fetch(`${t.url}/api/v1/hl7`, {
        method: 'POST',
        headers: { authorization: `Bearer ${system}`, 'content-type': 'x-application/hl7-v2+er7' },
        body: [
          `MSH|^~\\&|HIS|GENHOSP|STUDYSYNC|RADIOLOGY|20240316080000||ADT^A08^ADT_A01|${id}|P|2.5.1`,
          'EVN|A08|20240316080000',
          `PID|1||${patientId}^^^GENHOSP^MR||DURABLE^DORA`,
        ].join('\r'),
      })
      return /MSA\|(A[AER])/.exec(await res.text())?.[1]
    }
    await t.server.rooms.with(`patient/${patientId}`, (r) => r) // loaded: only the append fails
    docFaults.fail('EIO')
    expect(await send('FAULT1')).not.toBe('AA')
    docFaults.clear()
    // Memory already holds the change; "unchanged" would be a lie unless it is logged first.
    expect(await send('FAULT2')).toBe('AA')
    const stored = await t.docs.load(`patient/${patientId}`)
    const replay = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(replay, stored.snapshot)
    for (const { update } of stored.updates) Y.applyUpdate(replay, update)
    expect(replay.getMap('fields').get('name')).toBe('DURABLE^DORA')
  })

  it('the files are intact after all of it: every store reopens, the edits are there, the audit chain verifies', async () => {
    for (const c of clients.splice(0)) c.terminate()
    await t.close({ keepData: true })
    const dir = t.dataDir!
    const registry = await LowdbRegistryStore.open(`${dir}/registry.json`, emptyRegistry)
    expect(registry.read().studies.find((s) => s.accession === 'A10121')?.technologist?.id).toBe(
      'u-tech',
    )
    await registry.close()
    const docs = new FileDocLogStore({ dir: `${dir}/docs` })
    for (const name of await docs.list()) await docs.load(name) // throws on any damage
    await docs.close()
    const audit = await FileAuditLog.open(`${dir}/audit`, { clock: systemClock })
    expect((await audit.verify()).ok).toBe(true)
    await audit.close()
    // Reopened for afterAll's close.
    t = await startTestServer({ files: dir })
    const reader = client('study/A10120', await t.login('perf'))
    await reader.connect(t.wsUrl)
    expect(description(reader)).toBe('WRITTEN WHILE THE DISK WAS FULL')
  })
})
