/**
 * S33: querying the audit trail, as a contract both logs must meet: newest first, filters
 * by subject, user (actor or on-behalf-of), action (exact or `prefix.*`) and time, and
 * cursor pages that cover every match exactly once.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileAuditLog } from '../../../server/audit/file-audit-log.ts'
import { MemoryAuditLog } from '../../../server/audit/memory-audit-log.ts'
import type { AuditEntry, AuditLog, AuditQuery } from '../../../server/audit/types.ts'
import { BOSE, fakeClock, input, makeTmpDir, T0, TRAN } from './helpers.ts'

type Clock = ReturnType<typeof fakeClock>
interface Harness {
  log: AuditLog
  dispose(): Promise<void>
}

const makers: [string, (clock: Clock) => Promise<Harness>][] = [
  [
    'MemoryAuditLog',
    async (clock) => ({ log: new MemoryAuditLog({ clock }), dispose: async () => {} }),
  ],
  [
    'FileAuditLog',
    async (clock) => {
      const tmp = await makeTmpDir()
      const log = await FileAuditLog.open(tmp.dir, { clock })
      return { log, dispose: () => log.close().then(tmp.remove) }
    },
  ],
  [
    // Every entry is read back from small segments on disk: the index path without the cache.
    'FileAuditLog (no cache, 1 KiB segments)',
    async (clock) => {
      const tmp = await makeTmpDir()
      const log = await FileAuditLog.open(tmp.dir, {
        clock,
        cacheEntries: 0,
        maxSegmentBytes: 1024,
      })
      return { log, dispose: () => log.close().then(tmp.remove) }
    },
  ],
]

const ids = (entries: AuditEntry[]): string[] => entries.map((e) => e.id)

/** Follows cursors until the end; returns the ids of every page. */
async function allPages(log: AuditLog, query: AuditQuery): Promise<string[][]> {
  const pages: string[][] = []
  let cursor: string | undefined
  for (;;) {
    const page = await log.query({ ...query, cursor })
    pages.push(ids(page.entries))
    if (page.nextCursor === null) return pages
    expect(page.entries.length).toBe(query.limit ?? 50) // only a full page has a next one
    cursor = page.nextCursor
  }
}

describe.each(makers)('S33 %s query', (_name, make) => {
  let clock: Clock
  let h: Harness
  beforeEach(async () => {
    clock = fakeClock()
    h = await make(clock)
  })
  afterEach(() => h.dispose())

  /** Appends one at a time, a second apart. */
  async function appendAll(inputs: Parameters<AuditLog['append']>[0][]): Promise<AuditEntry[]> {
    const out: AuditEntry[] = []
    for (const i of inputs) {
      out.push(await h.log.append(i))
      clock.advance(1000)
    }
    return out
  }

  it('returns entries newest first, exactly as append returned them', async () => {
    const appended = await appendAll([1, 2, 3, 4, 5].map((i) => input({ details: { i } })))
    const { entries, nextCursor } = await h.log.query({})
    expect(ids(entries)).toEqual(['5', '4', '3', '2', '1'])
    expect(entries).toEqual([...appended].reverse())
    expect(nextCursor).toBeNull()
    expect(entries[4]!.at).toBe(new Date(T0).toISOString())
  })

  it('filters by subject id', async () => {
    await appendAll([
      input({ subject: { type: 'study', id: 'A1' } }),
      input({ subject: { type: 'study', id: 'A2' } }),
      input({ subject: { type: 'patient', id: 'A1' } }),
    ])
    expect(ids((await h.log.query({ subject: 'A1' })).entries)).toEqual(['3', '1'])
    expect(ids((await h.log.query({ subject: 'nope' })).entries)).toEqual([])
  })

  it('filters by user as actor or as the person acted for', async () => {
    await appendAll([
      input({ actor: BOSE }),
      input({ actor: TRAN, onBehalfOf: BOSE }),
      input({ actor: TRAN }),
      input({ actor: 'SYSTEM', action: 'study.update' }),
    ])
    expect(ids((await h.log.query({ user: BOSE.id })).entries)).toEqual(['2', '1'])
    expect(ids((await h.log.query({ user: TRAN.id })).entries)).toEqual(['3', '2'])
    expect(ids((await h.log.query({ user: 'SYSTEM' })).entries)).toEqual(['4'])
  })

  it('filters by exact action, or by prefix with .*', async () => {
    await appendAll(
      [
        'study.open',
        'study.merge',
        'study.open.audit',
        'studyx.open',
        'study',
        'claim.acquire',
      ].map((action) => input({ action })),
    )
    expect(ids((await h.log.query({ action: 'study.open' })).entries)).toEqual(['1'])
    expect(ids((await h.log.query({ action: 'study.*' })).entries)).toEqual(['3', '2', '1'])
    expect(ids((await h.log.query({ action: 'study.open.*' })).entries)).toEqual(['3'])
    expect(ids((await h.log.query({ action: 'study' })).entries)).toEqual(['5'])
  })

  it('filters by time, both ends inclusive', async () => {
    await appendAll([1, 2, 3, 4, 5].map(() => input())) // at T0, T0+1s, … T0+4s
    const iso = (s: number): string => new Date(T0 + s * 1000).toISOString()
    expect(ids((await h.log.query({ from: iso(1), to: iso(3) })).entries)).toEqual(['4', '3', '2'])
    expect(ids((await h.log.query({ from: iso(3) })).entries)).toEqual(['5', '4'])
    expect(ids((await h.log.query({ to: iso(0) })).entries)).toEqual(['1'])
    expect(ids((await h.log.query({ from: iso(4), to: iso(1) })).entries)).toEqual([])
  })

  it('combines filters', async () => {
    await appendAll([
      input({
        actor: TRAN,
        onBehalfOf: BOSE,
        action: 'study.update',
        subject: { type: 'study', id: 'A1' },
      }),
      input({ actor: TRAN, action: 'study.update', subject: { type: 'study', id: 'A1' } }),
      input({ actor: BOSE, action: 'claim.acquire', subject: { type: 'study', id: 'A1' } }),
    ])
    const q = { user: BOSE.id, action: 'study.*', subject: 'A1' }
    expect(ids((await h.log.query(q)).entries)).toEqual(['1'])
  })

  it('pages with a default limit of 50 and caps the limit at 500', async () => {
    await Promise.all(
      Array.from({ length: 520 }, (_, i) => h.log.append(input({ details: { i } }))),
    )
    const first = await h.log.query({})
    expect(first.entries).toHaveLength(50)
    expect(first.entries[0]!.id).toBe('520')
    expect(first.nextCursor).not.toBeNull()
    const big = await h.log.query({ limit: 10_000 })
    expect(big.entries).toHaveLength(500)
    const rest = await h.log.query({ limit: 500, cursor: big.nextCursor! })
    expect(ids(rest.entries)).toEqual(Array.from({ length: 20 }, (_, i) => String(20 - i)))
    expect(rest.nextCursor).toBeNull()
  })

  it('keeps later pages stable while entries are appended between pages', async () => {
    await appendAll([1, 2, 3, 4, 5].map(() => input()))
    const page1 = await h.log.query({ limit: 2 })
    await appendAll([6, 7].map(() => input()))
    const page2 = await h.log.query({ limit: 2, cursor: page1.nextCursor! })
    expect([ids(page1.entries), ids(page2.entries)]).toEqual([
      ['5', '4'],
      ['3', '2'],
    ])
  })

  it('refuses malformed queries with RangeError', async () => {
    await expect(h.log.query({ from: 'yesterday' })).rejects.toThrow(RangeError)
    await expect(h.log.query({ cursor: 'abc' })).rejects.toThrow(RangeError)
    await expect(h.log.query({ cursor: '0' })).rejects.toThrow(RangeError)
    await expect(h.log.query({ limit: 0 })).rejects.toThrow(RangeError)
    await expect(h.log.query({ limit: 2.5 })).rejects.toThrow(RangeError)
  })

  it('refuses a bad entry without using up an id', async () => {
    await expect(h.log.append(input({ details: { n: Number.NaN } }))).rejects.toThrow(TypeError)
    await expect(h.log.append(input({ action: 'study.*' }))).rejects.toThrow(TypeError)
    await expect(h.log.append(input({ outcome: 'maybe' as never }))).rejects.toThrow(TypeError)
    expect((await h.log.append(input())).id).toBe('1')
  })

  it('is not affected by the caller changing its objects after append', async () => {
    const details = { reason: 'ER' }
    const pending = h.log.append(input({ details }))
    details.reason = 'changed'
    expect((await pending).details).toEqual({ reason: 'ER' })
    expect((await h.log.query({})).entries[0]!.details).toEqual({ reason: 'ER' })
    expect((await h.log.verify()).ok).toBe(true)
  })
})

describe('S33 pagination (property)', () => {
  const subjects = ['A1', 'A2', 'A3']
  const users = [BOSE, TRAN, { id: 'u-kim', name: 'Kim' }]
  const actions = ['study.open', 'study.merge', 'claim.acquire', 'login.failure']
  const arbEntry = fc.record({
    subject: fc.constantFrom(...subjects),
    actor: fc.constantFrom(...users),
    onBehalfOf: fc.option(fc.constantFrom(...users), { nil: undefined }),
    action: fc.constantFrom(...actions),
    step: fc.integer({ min: 0, max: 3 }), // seconds until the next entry; 0 = same instant
  })
  const arbQuery = fc.record(
    {
      subject: fc.constantFrom(...subjects),
      user: fc.constantFrom(...users.map((u) => u.id)),
      action: fc.constantFrom(...actions, 'study.*'),
      from: fc.integer({ min: 0, max: 40 }),
      to: fc.integer({ min: 0, max: 40 }),
      limit: fc.integer({ min: 1, max: 7 }),
    },
    { requiredKeys: ['limit'] },
  )

  it.each(makers)('%s: pages cover every match exactly once, newest first', async (_name, make) => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbEntry, { maxLength: 40 }), arbQuery, async (specs, q) => {
        const clock = fakeClock()
        const h = await make(clock)
        try {
          const appended: AuditEntry[] = []
          for (const s of specs) {
            const e = input({ actor: s.actor, onBehalfOf: s.onBehalfOf, action: s.action })
            appended.push(await h.log.append({ ...e, subject: { type: 'study', id: s.subject } }))
            clock.advance(s.step * 1000)
          }
          const iso = (s: number | undefined): string | undefined =>
            s === undefined ? undefined : new Date(T0 + s * 1000).toISOString()
          const query = { ...q, from: iso(q.from), to: iso(q.to) }
          const expected = appended
            .filter((e) => modelMatches(e, query))
            .map((e) => e.id)
            .reverse()
          expect((await allPages(h.log, query)).flat()).toEqual(expected)
        } finally {
          await h.dispose()
        }
      }),
      { numRuns: 40 },
    )
  })
})

/** The query rules restated plainly, as the model the logs are checked against. */
function modelMatches(e: AuditEntry, q: AuditQuery): boolean {
  const actorId = e.actor === 'SYSTEM' ? 'SYSTEM' : e.actor.id
  if (q.subject !== undefined && e.subject.id !== q.subject) return false
  if (q.user !== undefined && actorId !== q.user && e.onBehalfOf?.id !== q.user) return false
  if (q.action?.endsWith('.*')) {
    if (!e.action.startsWith(q.action.slice(0, -1))) return false
  } else if (q.action !== undefined && e.action !== q.action) return false
  if (q.from !== undefined && e.at < q.from) return false
  return q.to === undefined || e.at <= q.to
}
