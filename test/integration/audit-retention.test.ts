/**
 * S33 audit retention through the HTTP API (issue 6): a server started with
 * AUDIT_RETENTION_DAYS prunes expired audit segments at start-up; `GET /api/v1/audit/verify`
 * then reports ok with the retention anchor, the viewer's queries no longer return pruned
 * entries, the pruning is itself on the record (FHIR: a Security Alert, action D), and
 * tampering with a retained entry still fails verification at that entry. A bad setting
 * stops `npm start` with a clear message. The clock is injected; no sleeps.
 */
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileAuditLog } from '../../server/audit/file-audit-log.ts'
import { DAY_MS } from '../../server/audit/retention.ts'
import type { AuditEntry, AuditVerifyResult } from '../../server/audit/types.ts'
import { type Client, client } from '../support/http.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { spawnServer } from '../support/spawned.ts'

const T0 = Date.parse('2026-01-05T08:00:00.000Z')
let now = T0
const clock = { now: () => now }

let dataDir: string
let t: TestServer
let admin: Client
/** Entries in the segments due for pruning: the first server's sign-ins, then two old ones. */
let prunable = 0

beforeAll(async () => {
  // Day 0: a server signs two people in, so audit-000001.jsonl holds their sign-ins.
  const first = await startTestServer({ files: true, clock })
  await first.login('admin')
  await first.login('clerk')
  await first.close({ keepData: true })
  dataDir = first.dataDir!
  // Day 1: three more entries, each in a segment of its own (audit-000002…4).
  now = T0 + DAY_MS
  const audit = join(dataDir, 'audit')
  const log = await FileAuditLog.open(audit, { clock, maxSegmentBytes: 1 })
  prunable = log.size + 2
  for (const marker of ['old-1', 'old-2', 'kept']) {
    await log.append({
      actor: 'SYSTEM',
      action: 'system.housekeeping',
      subject: { type: 'system', id: marker },
      outcome: 'success',
      source: { ip: 'server', session: null },
    })
  }
  await log.close()
  // Day 101, 30 days' retention: segments 1–3 are due; 4 is the one being written.
  now = T0 + 101 * DAY_MS
  t = await startTestServer({ files: dataDir, clock, config: { auditRetentionDays: 30 } })
  admin = client(t.url, await t.login('admin'))
})
afterAll(async () => {
  await t?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('[S33] audit retention through the API', () => {
  it('[S33] retention prunes expired segments at start-up and verify reports ok with the anchor', async () => {
    expect(prunable).toBeGreaterThan(2)
    const res = await admin.get<AuditVerifyResult>('/api/v1/audit/verify')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      ok: true,
      anchor: {
        prunedThroughId: String(prunable),
        prunedEntries: prunable,
        prunedThroughAt: new Date(T0 + DAY_MS).toISOString(),
        prunedAt: new Date(now).toISOString(),
      },
    })
    expect(res.body.entries).toBeGreaterThanOrEqual(3) // kept, the record, admin's sign-in
  })

  it('[S33] the viewer no longer finds pruned entries, and finds the pruning itself', async () => {
    const all = await admin.get<{ entries: AuditEntry[] }>('/api/v1/audit?limit=500')
    expect(all.status).toBe(200)
    expect(all.body.entries.every((e) => Number(e.id) > prunable)).toBe(true)
    expect(all.body.entries.map((e) => e.subject.id)).toContain('kept')
    expect(all.body.entries.map((e) => e.subject.id)).not.toContain('old-1')
    const clerk = await admin.get<{ entries: AuditEntry[] }>('/api/v1/audit?user=u-clerk')
    expect(clerk.body.entries).toEqual([])
    const records = await admin.get<{ entries: AuditEntry[] }>(
      '/api/v1/audit?action=audit.retention.prune',
    )
    expect(records.body.entries).toHaveLength(1)
    expect(records.body.entries[0]).toMatchObject({
      actor: 'SYSTEM',
      outcome: 'success',
      details: { prunedEntries: prunable, prunedSegments: 3, retentionDays: 30 },
    })
    const fhir = await admin.get<{
      entry: { resource: { type: { code: string }; action: string } }[]
    }>('/api/v1/audit/export?format=fhir&action=audit.retention.prune')
    expect(fhir.body.entry.map((e) => [e.resource.type.code, e.resource.action])).toEqual([
      ['110113', 'D'],
    ])
  })

  it('[S33] tampering with a retained entry after pruning makes verify fail at that entry', async () => {
    const [kept] = (await admin.get<{ entries: AuditEntry[] }>('/api/v1/audit?subject=kept')).body
      .entries
    await flipInSegment(join(dataDir, 'audit', 'audit-000004.jsonl'), '"kept"', '"kEpt"')
    const res = await admin.get<AuditVerifyResult>('/api/v1/audit/verify')
    expect(res.body).toMatchObject({
      ok: false,
      brokenAt: kept!.id,
      anchor: { prunedEntries: prunable },
    })
  })

  it('[S33] a garbage AUDIT_RETENTION_DAYS stops start-up with a clear error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'studysync-retention-'))
    try {
      const error = await spawnServer(empty, { AUDIT_RETENTION_DAYS: 'six years' }).then(
        async (s) => {
          await s.stop()
          return null
        },
        (e: Error) => e,
      )
      expect(error?.message).toMatch(/server exited \(1\) before listening/)
      expect(error?.message).toContain(
        'StudySync cannot start: AUDIT_RETENTION_DAYS must be a whole number of days',
      )
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})

/** Replaces `from` with `to` (same length) in place in one segment file. */
async function flipInSegment(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  const at = text.indexOf(from)
  expect(at).toBeGreaterThanOrEqual(0)
  const handle = await open(file, 'r+')
  try {
    await handle.write(Buffer.from(to), 0, to.length, Buffer.byteLength(text.slice(0, at)))
  } finally {
    await handle.close()
  }
}
