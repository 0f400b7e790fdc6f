/**
 * Property tests (STYLE 13): random interleavings of appends, bursts of concurrent
 * appends, compactions, removes and restarts always load exactly what a simple model
 * says; and a log cut at any byte — a crash mid-write — loads as a prefix of it.
 */
import { readFile, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FileDocLogStore } from '../../../server/storage/file-doc-log.ts'
import { type MemoryDocLogData, MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import type { DocLogStore, StoredDoc } from '../../../server/storage/types.ts'
import { makeTmpDir } from './tmp-dir.ts'

const DOCS = ['study/A1/report', 'study/A1/form', 'study/B2/report']

type Op =
  | { kind: 'append'; doc: number; update: Uint8Array }
  | { kind: 'burst'; items: { doc: number; update: Uint8Array }[] }
  | { kind: 'compact'; doc: number; keep: number; snapshot: Uint8Array }
  | { kind: 'remove'; doc: number }
  | { kind: 'reopen' }

const docIndex = fc.integer({ min: 0, max: DOCS.length - 1 })
const update = fc.uint8Array({ maxLength: 24 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append'), doc: docIndex, update }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('burst'),
      items: fc.array(fc.record({ doc: docIndex, update }), { minLength: 1, maxLength: 12 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('compact'),
      doc: docIndex,
      keep: fc.integer({ min: 0, max: 2 }), // records left after the snapshot: often none
      snapshot: update,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove'), doc: docIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reopen') }) },
) as fc.Arbitrary<Op>

interface ModelDoc {
  snapshot: Uint8Array | null
  snapshotSeq: number
  updates: { seq: number; update: Uint8Array }[]
  lastSeq: number
}

const emptyModel = (): ModelDoc => ({ snapshot: null, snapshotSeq: 0, updates: [], lastSeq: 0 })

function expected(doc: ModelDoc | undefined): StoredDoc {
  const d = doc ?? emptyModel()
  return {
    snapshot: d.snapshot,
    snapshotSeq: d.snapshotSeq,
    updates: d.updates,
    droppedTornTail: false,
  }
}

/** Applies `ops` to the store and the model, checking seqs as it goes and loads after restarts. */
async function run(ops: Op[], open: () => DocLogStore): Promise<void> {
  const model = new Map<number, ModelDoc>()
  let store = open()
  const appendBoth = (doc: number, u: Uint8Array): { seq: number; done: Promise<number> } => {
    const m = model.get(doc) ?? emptyModel()
    model.set(doc, m)
    const seq = ++m.lastSeq
    m.updates.push({ seq, update: u })
    return { seq, done: store.append(DOCS[doc]!, u) }
  }
  const checkAll = async () => {
    for (const [i, name] of DOCS.entries())
      expect(await store.load(name)).toEqual(expected(model.get(i)))
    expect(await store.list()).toEqual(DOCS.filter((_, i) => model.has(i)).sort())
  }
  try {
    for (const o of ops) {
      if (o.kind === 'append') {
        const { seq, done } = appendBoth(o.doc, o.update)
        expect(await done).toBe(seq)
      } else if (o.kind === 'burst') {
        const calls = o.items.map((item) => appendBoth(item.doc, item.update))
        expect(await Promise.all(calls.map((c) => c.done))).toEqual(calls.map((c) => c.seq))
      } else if (o.kind === 'compact') {
        const m = model.get(o.doc)
        if (!m) continue
        const through = Math.max(m.snapshotSeq, m.lastSeq - o.keep)
        await store.compact(DOCS[o.doc]!, o.snapshot, through)
        Object.assign(m, {
          snapshot: o.snapshot,
          snapshotSeq: through,
          updates: m.updates.filter((u) => u.seq > through),
        })
      } else if (o.kind === 'remove') {
        await store.remove(DOCS[o.doc]!)
        model.delete(o.doc)
      } else {
        await store.close()
        store = open()
        await checkAll()
      }
    }
    await checkAll()
  } finally {
    await store.close()
  }
}

describe('DocLogStore property: random operations load as the model says', () => {
  it('MemoryDocLogStore', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 40 }), async (ops) => {
        const data: MemoryDocLogData = new Map()
        await run(ops, () => new MemoryDocLogStore(data))
      }),
      { numRuns: 200 },
    )
  })

  it('FileDocLogStore', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 4, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (ops, maxOpenFiles) => {
          const tmp = await makeTmpDir()
          try {
            await run(ops, () => new FileDocLogStore({ dir: tmp.dir, maxOpenFiles }))
          } finally {
            await tmp.remove()
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('FileDocLogStore property: a log cut at any byte loads as a prefix', () => {
  it('drops only the cut record, reports it, and keeps accepting appends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(update, { minLength: 1, maxLength: 15 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (updates, where) => {
          const tmp = await makeTmpDir()
          const name = DOCS[0]!
          const logFile = join(tmp.dir, `${encodeURIComponent(name)}.log`)
          let store = new FileDocLogStore({ dir: tmp.dir })
          try {
            // One burst, as a crash interrupting a group commit would find it.
            await Promise.all(updates.map((u) => store.append(name, u)))
            await store.close()
            const bounds = recordEnds(await readFile(logFile))
            const cut = Math.floor(where * (await stat(logFile)).size)
            await truncate(logFile, cut)

            store = new FileDocLogStore({ dir: tmp.dir })
            const loaded = await store.load(name)
            const kept = bounds.filter((end) => end <= cut).length
            expect(loaded.updates).toEqual(
              updates.slice(0, kept).map((u, i) => ({ seq: i + 1, update: u })),
            )
            expect(loaded.droppedTornTail).toBe(cut !== 0 && !bounds.includes(cut) && cut !== 8)
            expect(await store.append(name, Uint8Array.of(1))).toBe(kept + 1)
          } finally {
            await store.close()
            await tmp.remove()
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})

/** Byte offsets where each record ends, read from the length fields. */
function recordEnds(buf: Buffer): number[] {
  const ends: number[] = []
  for (let off = 8; off < buf.length; off += 16 + buf.readUInt32LE(off)) {
    ends.push(off + 16 + buf.readUInt32LE(off))
  }
  return ends
}
