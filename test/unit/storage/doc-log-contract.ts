/**
 * The behaviour every DocLogStore must have (DESIGN §8, STYLE 5). Adapters call
 * `docLogContract` from a *.test.ts file with a factory for a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocLogStore } from '../../../server/storage/types.ts'

export interface DocLogHarness {
  store: DocLogStore
  /** Opens the same storage again, as after a restart. The old store is closed first. */
  reopen: () => Promise<DocLogStore>
  cleanup: () => Promise<void>
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)

export function docLogContract(name: string, makeStore: () => Promise<DocLogHarness>): void {
  describe(`DocLogStore contract: ${name}`, () => {
    let harness: DocLogHarness
    let store: DocLogStore

    beforeEach(async () => {
      harness = await makeStore()
      store = harness.store
    })
    afterEach(async () => {
      await store.close()
      await harness.cleanup()
    })

    async function restart(): Promise<DocLogStore> {
      await store.close()
      store = await harness.reopen()
      return store
    }

    it('loads a document never written as empty, without creating it', async () => {
      expect(await store.load('study/A1/report')).toEqual({
        snapshot: null,
        snapshotSeq: 0,
        updates: [],
        droppedTornTail: false,
      })
      expect(await store.list()).toEqual([])
    })

    it('loads appends back in order with increasing seqs starting at 1', async () => {
      expect(await store.append('d', bytes(1))).toBe(1)
      expect(await store.append('d', bytes(2, 2))).toBe(2)
      expect(await store.append('d', bytes())).toBe(3)
      const loaded = await store.load('d')
      expect(loaded.updates).toEqual([
        { seq: 1, update: bytes(1) },
        { seq: 2, update: bytes(2, 2) },
        { seq: 3, update: bytes() },
      ])
      expect(loaded.snapshot).toBeNull()
    })

    it('keeps data across a restart and continues the seqs', async () => {
      await store.append('d', bytes(1))
      await store.append('d', bytes(2))
      await restart()
      expect((await store.load('d')).updates.map((u) => u.seq)).toEqual([1, 2])
      expect(await store.append('d', bytes(3))).toBe(3)
      await restart()
      expect((await store.load('d')).updates.map((u) => u.update)).toEqual([
        bytes(1),
        bytes(2),
        bytes(3),
      ])
    })

    it('copies buffers: mutating an appended or loaded array changes nothing stored', async () => {
      const update = bytes(7, 7)
      const pending = store.append('d', update)
      update[0] = 0
      await pending
      const loaded = await store.load('d')
      loaded.updates[0]!.update[1] = 0
      expect((await store.load('d')).updates[0]!.update).toEqual(bytes(7, 7))
    })

    it('compaction keeps later records: load = snapshot + records after it', async () => {
      for (let i = 1; i <= 5; i++) await store.append('d', bytes(i))
      await store.compact('d', bytes(9, 9, 9), 3)
      const expected = {
        snapshot: bytes(9, 9, 9),
        snapshotSeq: 3,
        updates: [
          { seq: 4, update: bytes(4) },
          { seq: 5, update: bytes(5) },
        ],
        droppedTornTail: false,
      }
      expect(await store.load('d')).toEqual(expected)
      await restart()
      expect(await store.load('d')).toEqual(expected)
    })

    it('continues seqs after compacting everything, before and after a restart', async () => {
      await store.append('d', bytes(1))
      await store.append('d', bytes(2))
      await store.compact('d', bytes(8), 2)
      expect(await store.load('d')).toMatchObject({ snapshotSeq: 2, updates: [] })
      expect(await store.append('d', bytes(3))).toBe(3)
      await restart()
      expect(await store.append('d', bytes(4))).toBe(4)
      await store.compact('d', bytes(8, 8), 4)
      await store.compact('d', bytes(8, 8, 8), 4) // same seq again: replaces the snapshot
      await restart()
      expect(await store.load('d')).toMatchObject({ snapshot: bytes(8, 8, 8), snapshotSeq: 4 })
      expect(await store.append('d', bytes(5))).toBe(5)
    })

    it('refuses a compaction beyond the last seq or behind the snapshot, changing nothing', async () => {
      await store.append('d', bytes(1))
      await store.append('d', bytes(2))
      await store.compact('d', bytes(8), 1)
      const before = await store.load('d')
      await expect(store.compact('d', bytes(0), 3)).rejects.toThrow(RangeError)
      await expect(store.compact('d', bytes(0), 0)).rejects.toThrow(RangeError)
      await expect(store.compact('d', bytes(0), 1.5)).rejects.toThrow(RangeError)
      await expect(store.compact('never-written', bytes(0), 1)).rejects.toThrow(RangeError)
      expect(await store.load('d')).toEqual(before)
    })

    it('remove deletes everything; the name then starts afresh', async () => {
      await store.append('a', bytes(1))
      await store.append('a', bytes(2))
      await store.compact('a', bytes(9), 1)
      await store.append('b', bytes(1))
      await store.remove('a')
      await store.remove('never-written') // not an error
      expect(await store.list()).toEqual(['b'])
      expect(await store.load('a')).toEqual(await emptyDoc())
      await restart()
      expect(await store.list()).toEqual(['b'])
      expect(await store.append('a', bytes(5))).toBe(1)
      expect((await store.load('a')).updates).toEqual([{ seq: 1, update: bytes(5) }])
    })

    it('lists every stored document, sorted, keeping distinct names distinct', async () => {
      const names = ['study/B2/report', 'study/A1/report', 'a%2Fb', 'a/b', 'x.y_z-1']
      for (const [i, n] of names.entries()) await store.append(n, bytes(i))
      await store.compact('x.y_z-1', bytes(), 1)
      expect(await store.list()).toEqual([...names].sort())
      await restart()
      expect(await store.list()).toEqual([...names].sort())
      for (const [i, n] of names.entries()) {
        const doc = await store.load(n)
        expect([...(doc.snapshot ?? []), ...doc.updates.flatMap((u) => [...u.update])]).toEqual(
          n === 'x.y_z-1' ? [] : [i],
        )
      }
    })

    it('rejects an empty document name', async () => {
      await expect(store.append('', bytes(1))).rejects.toThrow(TypeError)
      await expect(store.load('')).rejects.toThrow(TypeError)
    })

    it('concurrent appends to many documents are all durable, in per-document call order', async () => {
      const docs = Array.from({ length: 8 }, (_, d) => `study/S${d}/report`)
      const calls = docs.flatMap((doc, d) =>
        Array.from({ length: 25 }, (_, i) => ({ doc, update: bytes(d, i) })),
      )
      // Interleave documents the way a busy server would.
      calls.sort((x, y) => x.update[1]! - y.update[1]! || x.update[0]! - y.update[0]!)
      const seqs = await Promise.all(calls.map((c) => store.append(c.doc, c.update)))
      for (const doc of docs) {
        const mine = calls.flatMap((c, k) => (c.doc === doc ? [seqs[k]] : []))
        expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
      }
      await restart()
      for (const [d, doc] of docs.entries()) {
        const loaded = await store.load(doc)
        expect(loaded.updates.map((u) => u.update)).toEqual(
          Array.from({ length: 25 }, (_, i) => bytes(d, i)),
        )
      }
    })

    it('round-trips a Yjs document through appends, a compaction and a restart', async () => {
      const source = new Y.Doc()
      const appends: Promise<number>[] = []
      source.on('update', (update: Uint8Array) =>
        appends.push(store.append('study/Y1/report', update)),
      )
      source.getText('findings').insert(0, 'No acute findings.')
      source.getMap('fields').set('modality', 'CT')
      source.getText('findings').insert(0, 'Chest: ')
      await Promise.all(appends)

      // Compact through seq 2 with a snapshot that holds exactly updates 1 and 2.
      const partial = new Y.Doc()
      for (const u of (await store.load('study/Y1/report')).updates.slice(0, 2)) {
        Y.applyUpdate(partial, u.update)
      }
      await store.compact('study/Y1/report', Y.encodeStateAsUpdate(partial), 2)

      source.getMap('fields').set('status', 'read')
      source.getText('findings').delete(0, 7)
      await Promise.all(appends)
      await restart()

      const loaded = await store.load('study/Y1/report')
      const restored = new Y.Doc()
      Y.applyUpdate(restored, loaded.snapshot!)
      for (const u of loaded.updates) Y.applyUpdate(restored, u.update)
      expect(restored.getText('findings').toString()).toBe('No acute findings.')
      expect(restored.getMap('fields').toJSON()).toEqual({ modality: 'CT', status: 'read' })
      expect(Y.encodeStateVector(restored)).toEqual(Y.encodeStateVector(source))
    })
  })
}

async function emptyDoc() {
  return { snapshot: null, snapshotSeq: 0, updates: [], droppedTornTail: false }
}
