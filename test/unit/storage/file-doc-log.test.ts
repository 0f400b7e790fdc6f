/**
 * FileDocLogStore behaviour the memory store cannot have: crash damage on disk,
 * group commit, and file-level crash points of compaction (DESIGN §8).
 */
import {
  appendFile,
  mkdir,
  readdir,
  readFile,
  rmdir,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileDocLogStore } from '../../../server/storage/file-doc-log.ts'
import { LOG_MAGIC, RECORD_HEADER_BYTES } from '../../../server/storage/record-format.ts'
import { StorageCorruptError } from '../../../server/storage/types.ts'
import { makeTmpDir } from './tmp-dir.ts'

const DOC = 'study/A123/report'
const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)

let tmp: Awaited<ReturnType<typeof makeTmpDir>>
let store: FileDocLogStore
let logFile: string
let snapFile: string

beforeEach(async () => {
  tmp = await makeTmpDir()
  store = new FileDocLogStore({ dir: tmp.dir })
  logFile = join(tmp.dir, `${encodeURIComponent(DOC)}.log`)
  snapFile = join(tmp.dir, `${encodeURIComponent(DOC)}.snap`)
})
afterEach(async () => {
  await store.close()
  await tmp.remove()
})

/** Closes the store (as a crash would leave the files) and opens a new one on the same dir. */
async function restart(): Promise<void> {
  await store.close()
  store = new FileDocLogStore({ dir: tmp.dir })
}

/** Appends three 10-byte updates; returns the byte offset of each record. */
async function writeThree(): Promise<number[]> {
  for (let i = 1; i <= 3; i++) await store.append(DOC, new Uint8Array(10).fill(i))
  const size = RECORD_HEADER_BYTES + 10
  return [0, 1, 2].map((i) => LOG_MAGIC.length + i * size)
}

async function flipByte(file: string, offset: number): Promise<void> {
  const buf = await readFile(file)
  buf[offset] = buf[offset]! ^ 0xff
  await writeFile(file, buf)
}

describe('FileDocLogStore: torn final record (crash mid-write)', () => {
  async function expectTornTailDropped(): Promise<void> {
    await restart()
    const loaded = await store.load(DOC)
    expect(loaded.droppedTornTail).toBe(true)
    expect(loaded.updates.map((u) => u.seq)).toEqual([1, 2])
    expect((await stat(logFile)).size).toBe(LOG_MAGIC.length + 2 * (RECORD_HEADER_BYTES + 10))
    // The repair is reported once, and appends continue after the good records.
    expect((await store.load(DOC)).droppedTornTail).toBe(false)
    expect(await store.append(DOC, bytes(4))).toBe(3)
    await restart()
    const again = await store.load(DOC)
    expect(again).toMatchObject({ droppedTornTail: false })
    expect(again.updates.map((u) => [u.seq, u.update.length])).toEqual([
      [1, 10],
      [2, 10],
      [3, 1],
    ])
  }

  it('drops a last record cut short by a few bytes', async () => {
    await writeThree()
    await truncate(logFile, (await stat(logFile)).size - 3)
    await expectTornTailDropped()
  })

  it('drops a last record cut inside its header', async () => {
    const [, , third] = await writeThree()
    await truncate(logFile, third! + 5)
    await expectTornTailDropped()
  })

  it('drops a last record whose payload has a flipped byte', async () => {
    const [, , third] = await writeThree()
    await flipByte(logFile, third! + RECORD_HEADER_BYTES + 4)
    await expectTornTailDropped()
  })

  it('drops a zero-filled tail (file length written, data not)', async () => {
    await writeThree()
    await truncate(logFile, (await stat(logFile)).size - 5)
    await appendFile(logFile, new Uint8Array(64))
    await expectTornTailDropped()
  })

  it('treats a log holding only part of its magic bytes as empty', async () => {
    await writeFile(logFile, LOG_MAGIC.subarray(0, 3))
    const loaded = await store.load(DOC)
    expect(loaded).toMatchObject({ droppedTornTail: true, updates: [] })
    expect(await store.append(DOC, bytes(1))).toBe(1)
    await restart()
    expect((await store.load(DOC)).updates).toEqual([{ seq: 1, update: bytes(1) }])
  })

  it('repairs a torn tail found by an append and reports it at the next load', async () => {
    await writeThree()
    await truncate(logFile, (await stat(logFile)).size - 1)
    await restart()
    expect(await store.append(DOC, bytes(9))).toBe(3)
    const loaded = await store.load(DOC)
    expect(loaded.droppedTornTail).toBe(true)
    expect(loaded.updates.map((u) => u.seq)).toEqual([1, 2, 3])
  })
})

describe('FileDocLogStore: corruption is refused, naming the file and the fix', () => {
  async function expectCorrupt(file: string, offset: number | null): Promise<StorageCorruptError> {
    await restart()
    const err = await store.load(DOC).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageCorruptError)
    const corrupt = err as StorageCorruptError
    expect(corrupt.file).toBe(file)
    expect(corrupt.message).toContain(file)
    expect(corrupt.message).toMatch(/Restore it from backup/)
    if (offset !== null) expect(corrupt.message).toContain(`byte offset ${offset}`)
    return corrupt
  }

  it('a damaged middle record (payload) throws StorageCorruptError with its offset', async () => {
    const [, second] = await writeThree()
    await flipByte(logFile, second! + RECORD_HEADER_BYTES + 2)
    const err = await expectCorrupt(logFile, second!)
    expect(err.message).toMatch(/move it aside/)
    // The file is left as it was for the operator: nothing was truncated.
    expect((await stat(logFile)).size).toBe(LOG_MAGIC.length + 3 * (RECORD_HEADER_BYTES + 10))
  })

  it('a damaged middle record (length field) is still caught by resynchronising', async () => {
    const [first] = await writeThree()
    await flipByte(logFile, first! + 1)
    await expectCorrupt(logFile, first!)
  })

  it('a damaged record stops appends too, rather than writing after it', async () => {
    const [, second] = await writeThree()
    await flipByte(logFile, second! + 6)
    await restart()
    await expect(store.append(DOC, bytes(1))).rejects.toBeInstanceOf(StorageCorruptError)
  })

  it('a log with foreign magic bytes is refused', async () => {
    await writeFile(logFile, 'not a log at all')
    await expectCorrupt(logFile, 0)
  })

  it('a snapshot with a flipped byte is refused', async () => {
    await writeThree()
    await store.compact(DOC, new Uint8Array(40).fill(7), 2)
    await flipByte(snapFile, 30)
    await expectCorrupt(snapFile, null)
  })

  it('a cut-short snapshot is refused', async () => {
    await writeThree()
    await store.compact(DOC, new Uint8Array(40).fill(7), 2)
    await truncate(snapFile, 50)
    await expectCorrupt(snapFile, null)
  })

  it('a log that starts after a missing snapshot is refused (edits would be lost)', async () => {
    await writeThree()
    await store.compact(DOC, bytes(1), 2)
    await unlink(snapFile)
    await restart()
    const err = await store.load(DOC).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageCorruptError)
    expect((err as StorageCorruptError).message).toContain(logFile)
  })
})

describe('FileDocLogStore: compaction crash points', () => {
  it('a crash after the snapshot rename but before the log rewrite skips covered records', async () => {
    await writeThree()
    const oldLog = await readFile(logFile)
    await store.compact(DOC, bytes(42), 2)
    await store.close()
    await writeFile(logFile, oldLog) // the log as it was before step 2
    store = new FileDocLogStore({ dir: tmp.dir })
    const loaded = await store.load(DOC)
    expect(loaded).toMatchObject({ snapshot: bytes(42), snapshotSeq: 2, droppedTornTail: false })
    expect(loaded.updates.map((u) => u.seq)).toEqual([3])
    expect(await store.append(DOC, bytes(4))).toBe(4)
    await store.compact(DOC, bytes(43), 4)
    expect(await store.load(DOC)).toMatchObject({ snapshotSeq: 4, updates: [] })
  })

  it('a compaction covering every record deletes the log; the next append recreates it', async () => {
    await writeThree()
    await store.compact(DOC, bytes(42), 3)
    expect(await readdir(tmp.dir)).toEqual([`${encodeURIComponent(DOC)}.snap`])
    await restart()
    expect(await store.list()).toEqual([DOC])
    expect(await store.load(DOC)).toMatchObject({
      snapshot: bytes(42),
      snapshotSeq: 3,
      updates: [],
    })
    expect(await store.append(DOC, bytes(4))).toBe(4)
    await restart()
    const loaded = await store.load(DOC)
    expect(loaded.updates).toEqual([{ seq: 4, update: bytes(4) }])
    expect((await readFile(logFile)).subarray(0, LOG_MAGIC.length)).toEqual(Buffer.from(LOG_MAGIC))
  })

  it('leftover temp files from a crash are ignored by list and load', async () => {
    await writeThree()
    await writeFile(`${snapFile}.tmp`, 'half a snapshot')
    await writeFile(`${logFile}.tmp`, 'half a log')
    await restart()
    expect(await store.list()).toEqual([DOC])
    expect((await store.load(DOC)).updates).toHaveLength(3)
    await store.compact(DOC, bytes(1), 3) // overwrites the leftovers
    await store.remove(DOC)
    expect(await readdir(tmp.dir)).toEqual([])
  })
})

describe('FileDocLogStore: group commit', () => {
  function counting(): { calls: number[]; onFsync: (ms: number, records: number) => void } {
    const calls: number[] = []
    return { calls, onFsync: (_ms, records) => calls.push(records) }
  }

  it('100 concurrent appends to one document share a handful of fsyncs', async () => {
    const fsyncs = counting()
    store = new FileDocLogStore({ dir: tmp.dir, onFsync: fsyncs.onFsync })
    const seqs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.append(DOC, bytes(i))),
    )
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(fsyncs.calls.reduce((a, b) => a + b, 0)).toBe(100)
    expect(fsyncs.calls.length).toBeLessThanOrEqual(3)
  })

  it('concurrent appends to 10 documents take about one fsync per document', async () => {
    const fsyncs = counting()
    store = new FileDocLogStore({ dir: tmp.dir, onFsync: fsyncs.onFsync })
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(`d${i % 10}`, bytes(i))))
    expect(fsyncs.calls.reduce((a, b) => a + b, 0)).toBe(100)
    expect(fsyncs.calls.length).toBeLessThanOrEqual(20)
  })

  it('appends arriving during an fsync form the next batch', async () => {
    const fsyncs = counting()
    store = new FileDocLogStore({ dir: tmp.dir, onFsync: fsyncs.onFsync })
    const first = store.append(DOC, bytes(0))
    // Queue more as soon as the first batch is being written, before it resolves.
    const more = new Promise<number[]>((resolve) =>
      setImmediate(() => resolve(Promise.all([1, 2, 3].map((i) => store.append(DOC, bytes(i)))))),
    )
    expect([await first, ...(await more)]).toEqual([1, 2, 3, 4])
    expect(fsyncs.calls).toEqual([1, 3])
  })

  it('no append resolves before an fsync has covered it', async () => {
    let durable = 0
    store = new FileDocLogStore({
      dir: tmp.dir,
      onFsync: (_ms, records) => {
        durable += records
      },
    })
    let resolved = 0
    const seen: number[] = []
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.append(`d${i % 3}`, bytes(i)).then(() => {
          resolved++
          seen.push(durable - resolved)
        }),
      ),
    )
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0)
  })

  it('a failed write rejects the appends in it; later appends continue', async () => {
    await store.load(DOC) // the store now knows the (empty) document and goes straight to writing
    await mkdir(logFile) // open(…, 'a') now fails with EISDIR, like a failing disk
    const failed = await Promise.allSettled([
      store.append(DOC, bytes(1)),
      store.append(DOC, bytes(2)),
    ])
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    await rmdir(logFile)
    expect(await store.append(DOC, bytes(3))).toBe(1)
    expect((await store.load(DOC)).updates).toEqual([{ seq: 1, update: bytes(3) }])
  })

  it('a throwing onFsync observer does not fail appends', async () => {
    store = new FileDocLogStore({
      dir: tmp.dir,
      onFsync: () => {
        throw new Error('metrics broke')
      },
    })
    expect(await store.append(DOC, bytes(1))).toBe(1)
  })

  it('close flushes queued appends', async () => {
    const pending = store.append(DOC, bytes(1))
    await store.close()
    expect(await pending).toBe(1)
    await expect(store.append(DOC, bytes(2))).rejects.toThrow(/closed/)
    store = new FileDocLogStore({ dir: tmp.dir })
    expect((await store.load(DOC)).updates).toHaveLength(1)
  })

  it('remove abandons appends queued before it, so they cannot resurrect the document', async () => {
    const pending = store.append(DOC, bytes(1))
    await store.remove(DOC)
    await expect(pending).rejects.toThrow(/removed/)
    expect(await store.list()).toEqual([])
  })

  it('keeps at most maxOpenFiles log files open', async () => {
    const openDuringFsync: number[] = []
    store = new FileDocLogStore({
      dir: tmp.dir,
      maxOpenFiles: 3,
      onFsync: () => openDuringFsync.push(store.openFiles),
    })
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 12 }, (_, d) => store.append(`d${d}`, bytes(round))))
      expect(store.openFiles).toBeLessThanOrEqual(3)
    }
    expect(openDuringFsync).toHaveLength(36)
    expect(Math.max(...openDuringFsync)).toBeLessThanOrEqual(3)
    await restart()
    for (let d = 0; d < 12; d++) expect((await store.load(`d${d}`)).updates).toHaveLength(3)
  })
})
