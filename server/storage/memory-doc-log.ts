/**
 * In-memory DocLogStore for tests and demos. It follows the same rules as the file
 * store (seqs, compaction bounds, name checks) so the contract suite can hold both to
 * one behaviour. Nothing is durable.
 */
import { checkCompaction, encodeDocName } from './doc-log-rules.ts'
import type { DocLogStore, StoredDoc } from './types.ts'

interface MemoryDoc {
  snapshot: Uint8Array | null
  snapshotSeq: number
  updates: { seq: number; update: Uint8Array }[]
  lastSeq: number
}

/** The backing data; pass the same map to a new store to simulate a restart. */
export type MemoryDocLogData = Map<string, MemoryDoc>

export class MemoryDocLogStore implements DocLogStore {
  #closed = false

  constructor(readonly data: MemoryDocLogData = new Map()) {}

  async load(docName: string): Promise<StoredDoc> {
    this.#check(docName)
    const doc = this.data.get(docName)
    return {
      snapshot: doc?.snapshot ? new Uint8Array(doc.snapshot) : null,
      snapshotSeq: doc?.snapshotSeq ?? 0,
      updates: (doc?.updates ?? []).map((u) => ({ seq: u.seq, update: new Uint8Array(u.update) })),
      droppedTornTail: false,
    }
  }

  async append(docName: string, update: Uint8Array): Promise<number> {
    this.#check(docName)
    const doc = this.#doc(docName)
    doc.lastSeq++
    doc.updates.push({ seq: doc.lastSeq, update: new Uint8Array(update) })
    return doc.lastSeq
  }

  async compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.#check(docName)
    const doc = this.data.get(docName) ?? emptyDoc()
    checkCompaction(throughSeq, doc.snapshotSeq, doc.lastSeq)
    doc.snapshot = new Uint8Array(snapshot)
    doc.snapshotSeq = throughSeq
    doc.updates = doc.updates.filter((u) => u.seq > throughSeq)
    this.data.set(docName, doc)
  }

  async remove(docName: string): Promise<void> {
    this.#check(docName)
    this.data.delete(docName)
  }

  async list(): Promise<string[]> {
    this.#check()
    return [...this.data.keys()].sort()
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #check(docName?: string): void {
    if (this.#closed) throw new Error('MemoryDocLogStore is closed')
    if (docName !== undefined) encodeDocName(docName)
  }

  #doc(docName: string): MemoryDoc {
    let doc = this.data.get(docName)
    if (!doc) {
      doc = emptyDoc()
      this.data.set(docName, doc)
    }
    return doc
  }
}

function emptyDoc(): MemoryDoc {
  return { snapshot: null, snapshotSeq: 0, updates: [], lastSeq: 0 }
}
