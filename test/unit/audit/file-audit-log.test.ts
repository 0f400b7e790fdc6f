/**
 * S33: FileAuditLog behaviour the memory log cannot have (DESIGN §7–8): it survives
 * restarts and continues the chain, verification re-reads the files and catches edits,
 * deletions and reordering, a crash's torn tail is cut off, corruption elsewhere stops
 * start-up, segments rotate without breaking the chain, and appends share fsyncs.
 */
import { appendFile, mkdir, readdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GENESIS_HASH } from '../../../server/audit/chain.ts'
import { FileAuditLog, type FileAuditLogOptions } from '../../../server/audit/file-audit-log.ts'
import type { AuditEntry } from '../../../server/audit/types.ts'
import { StorageCorruptError } from '../../../server/storage/types.ts'
import { fakeClock, input, makeTmpDir } from './helpers.ts'

const SEG1 = 'audit-000001.jsonl'

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
  await log.close()
  await tmp.remove()
})

function openLog(opts: Partial<FileAuditLogOptions> = {}): Promise<FileAuditLog> {
  return FileAuditLog.open(tmp.dir, { clock, onWarning: (w) => warnings.push(w), ...opts })
}

/** Closes the log (the files stay as a crash would leave them) and opens it again. */
async function reopen(opts: Partial<FileAuditLogOptions> = {}): Promise<void> {
  await log.close()
  log = await openLog(opts)
}

async function appendN(n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = []
  for (let i = 0; i < n; i++) {
    out.push(await log.append(input({ details: { i } })))
    clock.advance(1000)
  }
  return out
}

async function readLines(file = SEG1): Promise<string[]> {
  const text = await readFile(join(tmp.dir, file), 'utf8')
  return text.split('\n').slice(0, -1)
}

async function writeLines(lines: string[], file = SEG1): Promise<void> {
  await writeFile(join(tmp.dir, file), lines.map((l) => `${l}\n`).join(''))
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(tmp.dir)).filter((f) => f.endsWith('.jsonl')).sort()
}

describe('S33 FileAuditLog storage', () => {
  it('stores one canonical JSON entry per line', async () => {
    const [a, b] = await appendN(2)
    const lines = await readLines()
    expect(lines.map((l) => JSON.parse(l))).toEqual([a, b])
    expect(a!.prevHash).toBe(GENESIS_HASH)
    expect(b!.prevHash).toBe(a!.hash)
  })

  it('survives reopening and continues the chain (ids and prevHash)', async () => {
    const before = await appendN(3)
    await reopen()
    const next = await log.append(input({ action: 'study.merge' }))
    expect(next.id).toBe('4')
    expect(next.prevHash).toBe(before[2]!.hash)
    const { entries } = await log.query({})
    expect(entries).toEqual([next, ...[...before].reverse()])
    expect(await log.verify()).toEqual({ ok: true, entries: 4 })
  })

  it('writes what was queued before close, and refuses appends after it', async () => {
    const pending = Promise.all([log.append(input()), log.append(input())])
    await log.close()
    expect(ids(await pending)).toEqual(['1', '2'])
    await expect(log.append(input())).rejects.toThrow(/closed/)
    await reopen()
    expect(log.size).toBe(2)
  })
})

describe('S33 FileAuditLog verify re-reads the stored log', () => {
  it('is ok on a good log, and on an empty one', async () => {
    expect(await log.verify()).toEqual({ ok: true, entries: 0 })
    await appendN(5)
    expect(await log.verify()).toEqual({ ok: true, entries: 5 })
  })

  it('detects an entry whose details were edited on disk', async () => {
    await appendN(5)
    const lines = await readLines()
    const e = JSON.parse(lines[2]!)
    e.details = { i: 'forged' }
    lines[2] = JSON.stringify(e)
    await writeLines(lines)
    expect(await log.verify()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: '3',
      reason: expect.any(String),
    })
    // Memory still has the original: the query cache is not what verify looks at.
    expect((await log.query({ limit: 3 })).entries[2]!.details).toEqual({ i: 2 })
  })

  it('detects an edit whose own hash was recomputed, at the next link', async () => {
    await appendN(5)
    const lines = await readLines()
    const { computeHash } = await import('../../../server/audit/chain.ts')
    const e = JSON.parse(lines[2]!)
    e.outcome = 'failure'
    e.hash = computeHash(e.prevHash, e)
    lines[2] = JSON.stringify(e)
    await writeLines(lines)
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '4' })
  })

  it('detects a deleted line', async () => {
    await appendN(5)
    const lines = await readLines()
    lines.splice(2, 1)
    await writeLines(lines)
    expect(await log.verify()).toEqual({
      ok: false,
      entries: 4,
      brokenAt: '3',
      reason: expect.any(String),
    })
  })

  it('detects a reordered pair', async () => {
    await appendN(5)
    const lines = await readLines()
    ;[lines[1], lines[2]] = [lines[2]!, lines[1]!]
    await writeLines(lines)
    expect(await log.verify()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: '2',
      reason: expect.any(String),
    })
  })

  it('detects entries cut off the end while the log is open', async () => {
    await appendN(5)
    await writeLines((await readLines()).slice(0, 3))
    expect(await log.verify()).toEqual({
      ok: false,
      entries: 3,
      brokenAt: '4',
      reason: expect.any(String),
    })
  })

  it('still opens a tampered log, so verify can say where it breaks', async () => {
    await appendN(4)
    const lines = await readLines()
    lines[0] = lines[0]!.replace('"10.0.0.7"', '"10.0.0.8"')
    await writeLines(lines)
    await reopen()
    expect(await log.verify()).toEqual({
      ok: false,
      entries: 4,
      brokenAt: '1',
      reason: expect.any(String),
    })
  })

  it('reports no false break while appends run during verification', async () => {
    await appendN(10)
    const burst = Array.from({ length: 50 }, () => log.append(input()))
    const [result] = await Promise.all([log.verify(), ...burst])
    expect(result).toMatchObject({ ok: true })
    expect(await log.verify()).toEqual({ ok: true, entries: 60 })
  })

  it('query notices an entry changed on disk under it', async () => {
    await reopen({ cacheEntries: 0 })
    await appendN(3)
    const lines = await readLines()
    lines[1] = lines[1]!.replace('"study.open"', '"study.xxxx"')
    await writeLines(lines)
    await expect(log.query({})).rejects.toThrow(StorageCorruptError)
  })
})

describe('S33 FileAuditLog crash damage', () => {
  const file = (): string => join(tmp.dir, SEG1)

  it.each([
    ['a half-written line', '{"action":"study.open","actor":{"id":"u-b'],
    ['a complete line with no newline', null],
    ['zero bytes from an unwritten block', '\0'.repeat(300)],
    ['an unparsable final line', 'garbage\n'],
  ])('cuts off %s on open, warns, and appends continue', async (_what, tail) => {
    const before = await appendN(3)
    const size = (await stat(file())).size
    const whole = JSON.stringify({ ...before[2], id: '4', prevHash: before[2]!.hash })
    await appendFile(file(), tail ?? whole)
    await reopen()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(file())
    expect(warnings[0]).toMatch(/torn final line \(line 4/)
    expect((await stat(file())).size).toBe(size)
    const next = await log.append(input())
    expect(next).toMatchObject({ id: '4', prevHash: before[2]!.hash })
    expect(await log.verify()).toEqual({ ok: true, entries: 4 })
  })

  it('throws StorageCorruptError naming the file and line for a bad line in the middle', async () => {
    await appendN(4)
    const lines = await readLines()
    lines[1] = '{"not":"an entry"}'
    await writeLines(lines)
    await log.close()
    const err = await openLog().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageCorruptError)
    expect((err as StorageCorruptError).file).toBe(file())
    expect((err as StorageCorruptError).message).toContain('line 2')
    log = await FileAuditLog.open(join(tmp.dir, 'spare'), { clock }) // for afterEach
  })

  it('treats a torn line in an older segment as corruption, not a crash tail', async () => {
    await reopen({ maxSegmentBytes: 1 }) // every batch starts a new segment
    await appendN(3)
    const [first] = await segmentFiles()
    await appendFile(join(tmp.dir, first!), '{"torn":')
    await log.close()
    const err = await openLog().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageCorruptError)
    expect((err as StorageCorruptError).file).toBe(join(tmp.dir, first!))
    expect(warnings).toEqual([])
    log = await FileAuditLog.open(join(tmp.dir, 'spare'), { clock })
  })
})

describe('S33 FileAuditLog segment rotation', () => {
  it('starts a new segment once one is full, and the chain runs on across them', async () => {
    await reopen({ maxSegmentBytes: 1500 })
    const entries = await appendN(20)
    const files = await segmentFiles()
    expect(files.length).toBeGreaterThan(3)
    expect(files[0]).toBe(SEG1)
    expect(files[1]).toBe('audit-000002.jsonl')
    for (const f of files) expect((await stat(join(tmp.dir, f))).size).toBeLessThan(1500 + 1000)
    const firstOfSecond = JSON.parse((await readLines(files[1]))[0]!)
    const lastOfFirst = JSON.parse((await readLines(files[0])).at(-1)!)
    expect(firstOfSecond.prevHash).toBe(lastOfFirst.hash)
    expect(await log.verify()).toEqual({ ok: true, entries: 20 })

    await reopen({ maxSegmentBytes: 1500, cacheEntries: 0 })
    expect(await log.verify()).toEqual({ ok: true, entries: 20 })
    const next = await log.append(input())
    expect(next).toMatchObject({ id: '21', prevHash: entries[19]!.hash })
    const { entries: all } = await log.query({ limit: 500 })
    expect(all).toEqual([next, ...[...entries].reverse()])
  })

  it('verify catches tampering in an older segment and a missing segment', async () => {
    await reopen({ maxSegmentBytes: 1500 })
    await appendN(12)
    const files = await segmentFiles()
    const second = await readLines(files[1])
    const brokenId = JSON.parse(second[0]!).id as string
    await writeLines([second[0]!.replace('"Dr Bose"', '"Dr Boss"'), ...second.slice(1)], files[1])
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: brokenId })
  })
})

describe('S33 FileAuditLog write failure', () => {
  it('fails closed: after a failed write every append is refused until reopened', async () => {
    await reopen({ maxSegmentBytes: 1 }) // each batch starts a new segment
    await log.append(input())
    const blocker = join(tmp.dir, 'audit-000002.jsonl')
    await mkdir(blocker) // the next segment cannot be created
    await expect(log.append(input())).rejects.toThrow(/audit log write failed/)
    await expect(log.append(input())).rejects.toThrow(/refusing further appends/)
    await rmdir(blocker)
    await expect(log.append(input())).rejects.toThrow(/refusing further appends/)
    await reopen({ maxSegmentBytes: 1 })
    expect(await log.append(input())).toMatchObject({ id: '2' })
    expect(await log.verify()).toEqual({ ok: true, entries: 2 })
  })
})

describe('S33 FileAuditLog group commit', () => {
  it('makes 200 concurrent appends durable with far fewer fsyncs, ids in call order', async () => {
    const fsyncs: number[] = []
    await reopen({ onFsync: (_ms, entries) => fsyncs.push(entries) })
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.append(input({ details: { call: i } }))),
    )
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)))
    expect(results.map((r) => r.details!.call)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    for (let i = 1; i < results.length; i++) expect(results[i]!.prevHash).toBe(results[i - 1]!.hash)
    expect(fsyncs.reduce((a, b) => a + b, 0)).toBe(200)
    expect(fsyncs.length).toBeLessThanOrEqual(5)
    // Durable means on disk when the promises resolve, before any close.
    expect(await readLines()).toHaveLength(200)
    await reopen()
    expect(await log.verify()).toEqual({ ok: true, entries: 200 })
  })

  it('lets appends made during a flush share the next fsync', async () => {
    const fsyncs: number[] = []
    await reopen({ onFsync: (_ms, entries) => fsyncs.push(entries) })
    const first = log.append(input())
    await new Promise((resolve) => setImmediate(resolve)) // the flush has taken the first batch
    const rest = Array.from({ length: 30 }, () => log.append(input()))
    const all = await Promise.all([first, ...rest])
    expect(ids(all)).toEqual(Array.from({ length: 31 }, (_, i) => String(i + 1)))
    expect(fsyncs).toEqual([1, 30])
  })

  it('keeps appending when the fsync observer throws', async () => {
    await reopen({
      onFsync: () => {
        throw new Error('metrics broke')
      },
    })
    expect((await log.append(input())).id).toBe('1')
  })
})

function ids(entries: AuditEntry[]): string[] {
  return entries.map((e) => e.id)
}
