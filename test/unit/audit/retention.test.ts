/**
 * S33 audit retention (issue 6): whole rotated segments past the window are pruned behind
 * a durable anchor; verification starts from the anchor and still catches tampering, a
 * missing retained segment and a forged anchor; a crash mid-pruning leaves a log that
 * verifies; a bad setting is refused. Small segments (`maxSegmentBytes: 1`: every group
 * commit starts a new one) and an injected clock stand in for 64 MiB and years.
 */
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FileAuditLog, type FileAuditLogOptions } from '../../../server/audit/file-audit-log.ts'
import { ANCHOR_FILE } from '../../../server/audit/file-retention.ts'
import { MemoryAuditLog } from '../../../server/audit/memory-audit-log.ts'
import { DAY_MS } from '../../../server/audit/retention.ts'
import { type AuditEntry, RETENTION_ACTION } from '../../../server/audit/types.ts'
import { configFromEnv, parseAuditRetentionDays } from '../../../server/config.ts'
import { fakeClock, input, makeTmpDir, T0 } from './helpers.ts'

const RETENTION_MS = 30 * DAY_MS
const seg = (n: number) => `audit-${String(n).padStart(6, '0')}.jsonl`

let tmp: Awaited<ReturnType<typeof makeTmpDir>>
let clock: ReturnType<typeof fakeClock>
let log: FileAuditLog
let warnings: string[]

beforeEach(async () => {
  tmp = await makeTmpDir()
  clock = fakeClock()
  warnings = []
  log = await openLog()
})
afterEach(async () => {
  vi.useRealTimers()
  await log.close()
  await tmp.remove()
})

function openLog(opts: Partial<FileAuditLogOptions> = {}, dir = tmp.dir): Promise<FileAuditLog> {
  return FileAuditLog.open(dir, {
    clock,
    maxSegmentBytes: 1,
    retentionMs: RETENTION_MS,
    onWarning: (w) => warnings.push(w),
    ...opts,
  })
}

async function reopen(opts: Partial<FileAuditLogOptions> = {}, dir = tmp.dir): Promise<void> {
  await log.close()
  log = await openLog(opts, dir)
}

/** `count` entries in one group commit, so in one new segment, at day `day`. */
async function segmentAt(day: number, count: number): Promise<AuditEntry[]> {
  clock.advance(T0 + day * DAY_MS - clock.now())
  return Promise.all(
    Array.from({ length: count }, (_, i) => log.append(input({ details: { day, i } }))),
  )
}

/**
 * Segments 1–4: 3 entries at day 0, 3 at day 10, 2 at day 40, 1 at day 50 (the one being
 * written). With 30 days' retention at day 65, segments 1 and 2 (ids 1–6) are due.
 */
async function fourSegments(): Promise<AuditEntry[]> {
  return [
    ...(await segmentAt(0, 3)),
    ...(await segmentAt(10, 3)),
    ...(await segmentAt(40, 2)),
    ...(await segmentAt(50, 1)),
  ]
}

async function files(dir = tmp.dir): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort()
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(join(tmp.dir, file), 'utf8')).split('\n').slice(0, -1)
}

async function editLine(file: string, index: number, edit: (line: string) => string) {
  const all = await lines(file)
  all[index] = edit(all[index]!)
  await writeFile(join(tmp.dir, file), all.map((l) => `${l}\n`).join(''))
}

async function anchorOnDisk(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(tmp.dir, ANCHOR_FILE), 'utf8'))
}

async function allIds(): Promise<string[]> {
  return (await log.query({ limit: 500 })).entries.map((e) => e.id).reverse()
}

const at = (day: number) => new Date(T0 + day * DAY_MS).toISOString()

describe('S33 audit retention (file log)', () => {
  it('[S33] retention prunes whole expired segments and verify still passes', async () => {
    const entries = await fourSegments()
    expect(await files()).toEqual([seg(1), seg(2), seg(3), seg(4)])
    const result = await log.applyRetention(T0 + 65 * DAY_MS)
    const anchor = {
      prunedThroughId: '6',
      prunedThroughHash: entries[5]!.hash,
      prunedThroughAt: at(10),
      prunedEntries: 6,
      prunedAt: at(65),
    }
    expect(result).toEqual({ prunedEntries: 6, prunedSegments: 2, anchor })
    // Segments 1 and 2 are gone; 3 (day 40, inside the window) and 4 (being written) stay.
    expect(await files()).toEqual([seg(3), seg(4), seg(5)])
    expect(await anchorOnDisk()).toEqual({ ...anchor, prunedThroughSegment: 2 })
    const verified = await log.verify()
    expect(verified).toEqual({ ok: true, entries: 4, anchor })
    // Queries no longer find pruned entries; the pruning itself is on the record.
    expect(await allIds()).toEqual(['7', '8', '9', '10'])
    const [record] = (await log.query({ action: RETENTION_ACTION })).entries
    expect(record).toMatchObject({
      id: '10',
      actor: 'SYSTEM',
      outcome: 'success',
      details: { prunedEntries: 6, prunedSegments: 2, retentionDays: 30, anchor },
    })
  })

  it('[S33] retention never prunes the segment being written, nor a segment with any entry inside the window', async () => {
    await segmentAt(0, 3)
    await segmentAt(10, 3)
    // Segment 3 holds one old entry and one inside the window: it stays whole.
    await Promise.all([
      log.append(input({ details: { old: true } })),
      (async () => {
        clock.advance(30 * DAY_MS)
        return log.append(input({ details: { young: true } }))
      })(),
    ])
    await segmentAt(45, 1)
    // At day 60 the cutoff is day 30: segment 3's newest entry (day 40) is inside the window.
    expect((await log.applyRetention(T0 + 60 * DAY_MS)).prunedSegments).toBe(2)
    expect(await files()).toEqual([seg(3), seg(4), seg(5)])
    // Exactly at the window's edge is not past it.
    expect((await log.applyRetention(T0 + 70 * DAY_MS)).prunedEntries).toBe(0)
    // Long after, everything but the segment being written (the first run's record) goes.
    const later = await log.applyRetention(T0 + 1000 * DAY_MS)
    expect(later).toMatchObject({ prunedEntries: 3, prunedSegments: 2 })
    expect(await files()).toEqual([seg(5), seg(6)]) // the first run's record, then this one's
    expect(await log.verify()).toMatchObject({ ok: true, anchor: { prunedThroughId: '9' } })
  })

  it('[S33] tampering with one retained entry after pruning makes verify fail at that entry', async () => {
    await fourSegments()
    await log.applyRetention(T0 + 65 * DAY_MS)
    await editLine(seg(3), 1, (l) => l.replace('"Dr Bose"', '"Dr Boss"')) // entry 8
    expect(await log.verify()).toMatchObject({
      ok: false,
      brokenAt: '8',
      anchor: { prunedThroughId: '6' },
    })
    await reopen()
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '8' })
  })

  it('[S33] deleting a retained segment is detected, while running and after a restart', async () => {
    await fourSegments()
    await log.applyRetention(T0 + 65 * DAY_MS)
    await rm(join(tmp.dir, seg(3))) // entries 7 and 8, the first retained ones
    const running = await log.verify()
    expect(running).toMatchObject({ ok: false, brokenAt: '7' })
    expect(running.reason).toMatch(/first retained/)
    await reopen()
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '7' })
  })

  it('[S33] a forged anchor that passes a retained segment off as pruned is detected, and deletes nothing', async () => {
    const entries = await fourSegments()
    await log.applyRetention(T0 + 65 * DAY_MS)
    await log.close()
    const forged = {
      ...(await anchorOnDisk()),
      prunedThroughId: '8',
      prunedThroughHash: entries[7]!.hash,
      prunedEntries: 8,
      prunedThroughSegment: 3,
    }
    await writeFile(join(tmp.dir, ANCHOR_FILE), JSON.stringify(forged))
    log = await openLog()
    const result = await log.verify()
    expect(result).toMatchObject({ ok: false, brokenAt: '9', anchor: { prunedThroughId: '8' } })
    expect(result.reason).toMatch(/does not match the newest audit\.retention\.prune entry/)
    expect(await files()).toContain(seg(3)) // kept as evidence
    expect((await log.applyRetention(T0 + 1000 * DAY_MS)).prunedEntries).toBe(0)
    expect(await files()).toContain(seg(3))
    const [refusal] = (await log.query({ action: RETENTION_ACTION })).entries
    expect(refusal).toMatchObject({ outcome: 'failure' })
    expect(warnings.join('\n')).toMatch(/pruned nothing/)
  })

  it('[S33] a tampered or removed anchor file is detected by a running log', async () => {
    await fourSegments()
    await log.applyRetention(T0 + 65 * DAY_MS)
    const good = await readFile(join(tmp.dir, ANCHOR_FILE))
    await writeFile(
      join(tmp.dir, ANCHOR_FILE),
      good.toString().replace(/"prunedEntries":6/, '"prunedEntries":5'),
    )
    expect(await log.verify()).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/audit-anchor\.json/),
    })
    await rm(join(tmp.dir, ANCHOR_FILE))
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '7' })
    await writeFile(join(tmp.dir, ANCHOR_FILE), good)
    expect(await log.verify()).toMatchObject({ ok: true })
    // At start-up a lost anchor is written again from the retention entry in the chain.
    await log.close()
    await rm(join(tmp.dir, ANCHOR_FILE))
    log = await openLog({ retentionMs: null })
    expect(await log.verify()).toMatchObject({ ok: true, anchor: { prunedThroughId: '6' } })
    expect(await readFile(join(tmp.dir, ANCHOR_FILE))).toEqual(good)
  })

  it('[S33] entries that do not verify are never pruned: the refusal is audited and they are kept', async () => {
    await fourSegments()
    await editLine(seg(1), 1, (l) => l.replace('"Dr Bose"', '"Dr Boss"')) // entry 2
    const result = await log.applyRetention(T0 + 65 * DAY_MS)
    expect(result).toEqual({ prunedEntries: 0, prunedSegments: 0, anchor: null })
    expect(await files()).toContain(seg(1))
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '2' })
    const refusals = (await log.query({ action: RETENTION_ACTION })).entries
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toMatchObject({ outcome: 'failure', details: { brokenAt: '2' } })
    await log.applyRetention(T0 + 66 * DAY_MS) // the hourly retry warns again, audits once
    expect((await log.query({ action: RETENTION_ACTION })).entries).toHaveLength(1)
    expect(warnings.filter((w) => /pruned nothing/.test(w))).toHaveLength(2)
  })

  it('[S33] a crash between writing the anchor and deleting the segments leaves a log that verifies', async () => {
    await fourSegments()
    await log.close()
    const backup = await makeTmpDir()
    try {
      for (const f of await files()) await copyFile(join(tmp.dir, f), join(backup.dir, f))
      log = await openLog()
      await log.applyRetention(T0 + 65 * DAY_MS)
      await log.close()
      // The crash: the record and the anchor are durable, segments 1 and 2 are still there.
      for (const f of [seg(1), seg(2)]) await copyFile(join(backup.dir, f), join(tmp.dir, f))
      log = await openLog({ retentionMs: null })
      expect(await log.verify()).toMatchObject({
        ok: true,
        entries: 4,
        anchor: { prunedEntries: 6 },
      })
      expect(await files()).toEqual([seg(3), seg(4), seg(5)]) // start-up finished the deletion
      expect(await allIds()).toEqual(['7', '8', '9', '10'])
      expect(warnings.join('\n')).toMatch(/finished a retention pruning cut short: deleted 2/)
    } finally {
      await backup.remove()
    }
  })

  it('[S33] a crash between recording the pruning and writing the anchor is finished at start-up', async () => {
    await fourSegments()
    await log.close()
    const backup = await makeTmpDir()
    try {
      for (const f of await files()) await copyFile(join(tmp.dir, f), join(backup.dir, f))
      log = await openLog()
      const { anchor } = await log.applyRetention(T0 + 65 * DAY_MS)
      await log.close()
      // The crash: the record is in the chain, but no anchor was written and nothing deleted.
      await rm(join(tmp.dir, ANCHOR_FILE))
      for (const f of [seg(1), seg(2)]) await copyFile(join(backup.dir, f), join(tmp.dir, f))
      log = await openLog({ retentionMs: null })
      expect(await log.verify()).toEqual({ ok: true, entries: 4, anchor })
      expect(await files()).toEqual([seg(3), seg(4), seg(5)])
      expect(warnings.join('\n')).toMatch(
        /wrote audit-anchor\.json from the audit\.retention\.prune entry/,
      )
    } finally {
      await backup.remove()
    }
  })

  it('[S33] after pruning, a restart continues the chain and verifies; a later pruning moves the anchor on', async () => {
    await fourSegments()
    await log.applyRetention(T0 + 65 * DAY_MS)
    const last = (await log.query({ limit: 1 })).entries[0]!
    await reopen()
    const next = await log.append(input({ action: 'study.merge' }))
    expect(next).toMatchObject({ id: '11', prevHash: last.hash })
    expect(await log.verify()).toMatchObject({ ok: true, entries: 5, anchor: { prunedEntries: 6 } })
    const second = await log.applyRetention(T0 + 1000 * DAY_MS)
    expect(second.prunedEntries).toBe(4) // ids 7–10 (segments 3–5)
    expect(second.anchor).toMatchObject({ prunedThroughId: '10', prunedEntries: 10 })
    await reopen()
    expect(await log.verify()).toMatchObject({ ok: true, entries: 2, anchor: second.anchor })
    expect(await allIds()).toEqual(['11', '12'])
  })

  it('[S33] prunes at start-up, then on its timer until closed', async () => {
    await fourSegments()
    await log.close()
    clock.advance(15 * DAY_MS) // day 65
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    log = await openLog({ retentionIntervalMs: 3_600_000 })
    expect(await files()).toEqual([seg(3), seg(4), seg(5)])
    clock.advance(100 * DAY_MS)
    vi.advanceTimersByTime(3_600_000) // the hourly run starts and holds the lock…
    // …so verify waits for it: segments 3 and 4 are gone, 5 was being written when it started.
    expect(await log.verify()).toMatchObject({ ok: true, anchor: { prunedThroughId: '9' } })
    expect(await files()).toEqual([seg(5), seg(6)])
    await log.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('[S33] keeps everything when retention is off (the default)', async () => {
    await reopen({ retentionMs: undefined })
    await fourSegments()
    expect(await log.applyRetention(T0 + 1000 * DAY_MS)).toEqual({
      prunedEntries: 0,
      prunedSegments: 0,
      anchor: null,
    })
    expect(await files()).toHaveLength(4)
  })

  it('[S33] queries and verifications under way finish before a pruning removes their segments', async () => {
    await reopen({ cacheEntries: 0 }) // queries read entries back from the segment files
    await fourSegments()
    const [page, verified, pruned, after] = await Promise.all([
      log.query({ limit: 500 }),
      log.verify(),
      log.applyRetention(T0 + 65 * DAY_MS),
      log.query({ limit: 500 }),
    ])
    expect(page.entries.map((e) => e.id)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1'])
    expect(verified).toEqual({ ok: true, entries: 9 })
    expect(pruned.prunedEntries).toBe(6)
    expect(after.entries.map((e) => e.id)).toEqual(['10', '9', '8', '7'])
  })
})

describe('S33 audit retention (memory log)', () => {
  it('[S33] prunes the oldest expired entries (never the newest), verifies from the anchor and continues the chain', async () => {
    const mem = new MemoryAuditLog({ clock, retentionMs: RETENTION_MS })
    for (const day of [0, 10, 40]) {
      clock.advance(T0 + day * DAY_MS - clock.now())
      await mem.append(input({ details: { day } }))
    }
    const result = await mem.applyRetention(T0 + 65 * DAY_MS)
    expect(result).toMatchObject({ prunedEntries: 2, anchor: { prunedThroughId: '2' } })
    expect(mem.entries.map((e) => e.id)).toEqual(['3', '4'])
    expect(mem.entries[1]).toMatchObject({
      action: RETENTION_ACTION,
      details: { prunedEntries: 2 },
    })
    expect(await mem.verify()).toEqual({ ok: true, entries: 2, anchor: result.anchor })
    expect((await mem.query({})).entries.map((e) => e.id)).toEqual(['4', '3'])
    const next = await mem.append(input())
    expect(next).toMatchObject({ id: '5', prevHash: mem.entries[1]!.hash })
    const later = await mem.applyRetention(T0 + 1000 * DAY_MS)
    expect(later.prunedEntries).toBe(2) // 3 and 4; the newest stays, like the segment being written
    expect(mem.entries.map((e) => e.id)).toEqual(['5', '6'])
    expect(await mem.verify()).toMatchObject({ ok: true, anchor: { prunedEntries: 4 } })
    expect(await new MemoryAuditLog({ clock }).applyRetention()).toEqual({
      prunedEntries: 0,
      prunedSegments: 0,
      anchor: null,
    })
  })
})

describe('S33 audit retention setting', () => {
  it('[S33] garbage or invalid retention config is refused with a clear error at start-up', async () => {
    for (const bad of ['abc', '0', '-5', '1.5', '7d', '2190 days', '36501', '1e3', '0x10']) {
      expect(() => configFromEnv({ AUDIT_RETENTION_DAYS: bad }), bad).toThrow(
        /AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500/,
      )
    }
    expect(configFromEnv({}).auditRetentionDays).toBeNull()
    expect(parseAuditRetentionDays('')).toBeNull()
    expect(parseAuditRetentionDays('forever')).toBeNull()
    expect(configFromEnv({ AUDIT_RETENTION_DAYS: '2190' }).auditRetentionDays).toBe(2190)
    for (const bad of [0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
      await expect(openLog({ retentionMs: bad }, join(tmp.dir, 'other'))).rejects.toThrow(
        RangeError,
      )
      expect(() => new MemoryAuditLog({ clock, retentionMs: bad })).toThrow(RangeError)
    }
  })
})
