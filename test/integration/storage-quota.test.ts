/**
 * A real, kernel-enforced storage limit (issue 8 §2 "a tiny quota"): a spawned
 * server whose RLIMIT_FSIZE is lowered with prlimit(1), so its writes to the
 * document log, the registry and the audit trail fail part-way with EFBIG just as
 * they would on a full disk — no wrapper involved. The server refuses, says so,
 * and resumes when the limit is raised; the files stay readable throughout.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FileAuditLog } from '../../server/audit/file-audit-log.ts'
import { systemClock } from '../../server/clock.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { fetchMetrics, metricValue } from '../support/metrics.ts'
import { login } from '../support/server.ts'
import { type SpawnedServer, spawnServer } from '../support/spawned.ts'
import { RawSyncClient } from '../support/sync-client.ts'

const hasPrlimit = (() => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const cleanup: (() => Promise<unknown> | undefined)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** Sets the soft limit only: lowering the hard one could not be undone without privileges. */
function setFileSizeLimit(server: SpawnedServer, bytes: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(server.process.pid), `--fsize=${bytes}:unlimited`])
}

function signIn(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
}

describe.skipIf(!hasPrlimit)('a kernel-enforced file size limit', () => {
  it('log, registry and audit writes fail with EFBIG: sync 4503, sign-in 503, logged and counted; all resume when the limit is raised, and the files reopen intact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'studysync-quota-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    let server = await spawnServer(dir)
    cleanup.push(() => server.stop())
    const [bose, admin] = [await login(server.url, 'bose'), await login(server.url, 'admin')]
    const writer = new RawSyncClient({ docName: 'study/A10130', token: bose, savedAck: true })
    cleanup.push(async () => writer.terminate())
    await writer.connect(server.wsUrl)
    const notes = writer.doc.getMap('fields').get('notes') as Y.Text
    const auditSize = await newestAuditSegmentSize(dir)
    const registrySize = (await stat(join(dir, 'registry.json'))).size
    const limit = auditSize + 1500
    expect(registrySize).toBeGreaterThan(limit) // so every registry write fails too

    setFileSizeLimit(server, limit)
    // Write 1,000 characters at a time until the document log reaches the limit.
    let closed: { code: number; reason: string } | null = null
    for (let i = 0; i < 40 && !closed; i++) {
      notes.insert(notes.length, `${i}`.padEnd(1000, '.'))
      if (notes.length > 15_000) notes.delete(0, 1000)
      const outcome = await Promise.race([writer.whenAcked(), writer.whenClosed()])
      if (outcome) closed = outcome
    }
    expect(closed?.code).toBe(CloseCode.shuttingDown)
    expect(closed?.reason).toMatch(/storage unavailable/)
    const lastEdit = Y.encodeStateVector(writer.doc)

    const refused = await signIn(server.url, 'huyen', 'demo')
    expect(refused.status).toBe(503)
    expect(await refused.json()).toMatchObject({ error: 'storage_unavailable' })
    // Failed sign-ins are audited: the audit segment fills up too, and then they answer 503.
    let auditRefused = false
    for (let i = 0; i < 10 && !auditRefused; i++) {
      auditRefused = (await signIn(server.url, 'nobody', 'wrong')).status === 503
    }
    expect(auditRefused).toBe(true)
    expect(
      metricValue(await fetchMetrics(server.url, admin), 'studysync_storage_errors_total'),
    ).toBeGreaterThanOrEqual(3)
    expect(server.output()).toMatch(/"msg":"log append failed".*EFBIG/)
    expect(server.output()).toMatch(/"msg":"storage write failed","store":"registry".*EFBIG/)
    expect(server.output()).toMatch(/"msg":"storage write failed","store":"audit".*EFBIG/)

    setFileSizeLimit(server, 'unlimited')
    await writer.connect(server.wsUrl) // resends the refused edit in its step 2
    await writer.whenAcked(Y.decodeStateVector(lastEdit))
    expect((await signIn(server.url, 'nobody', 'wrong')).status).toBe(401) // audited again
    expect((await signIn(server.url, 'huyen', 'demo')).status).toBe(200)

    writer.terminate()
    await server.stop()
    const audit = await FileAuditLog.open(join(dir, 'audit'), { clock: systemClock })
    expect(await audit.verify()).toMatchObject({ ok: true })
    await audit.close()
    server = await spawnServer(dir)
    expect(server.output()).not.toMatch(/repaired/)
    const reader = new RawSyncClient({ docName: 'study/A10130', token: bose })
    cleanup.push(async () => reader.terminate())
    await reader.connect(server.wsUrl)
    expect((reader.doc.getMap('fields').get('notes') as Y.Text).toString()).toBe(notes.toString())
  }, 60_000)
})

async function newestAuditSegmentSize(dir: string): Promise<number> {
  const segments = (await readdir(join(dir, 'audit'))).filter((f) => f.endsWith('.jsonl')).sort()
  return (await stat(join(dir, 'audit', segments.at(-1)!))).size
}
