/**
 * Storage adapters. Small on purpose (automerge-repo's StorageAdapterInterface
 * is the model): compaction policy lives above them, in the room. Every adapter
 * must pass `test/unit/storage/doc-log-contract.ts` / `registry-contract.ts`.
 */
import type { RegistryData } from '../registry/types.ts'

/** What a document's stored history loads as. */
export interface StoredDoc {
  /** The latest snapshot (a Yjs update that subsumes every record up to `snapshotSeq`). */
  snapshot: Uint8Array | null
  snapshotSeq: number
  /** Updates appended after the snapshot, oldest first, with their sequence numbers. */
  updates: { seq: number; update: Uint8Array }[]
  /** True when a torn final record (crash mid-write) was found and dropped. */
  droppedTornTail: boolean
}

/** Append-only, durable per-document update log with snapshots. */
export interface DocLogStore {
  /** Loads a document's history. A document never written loads as empty (snapshot null, no updates). */
  load(docName: string): Promise<StoredDoc>
  /**
   * Appends one update and resolves with its sequence number once it is durable
   * (fsync'd). Concurrent appends — to one document or many — share fsyncs (group commit).
   * Sequence numbers increase per document, starting after the snapshot's.
   */
  append(docName: string, update: Uint8Array): Promise<number>
  /**
   * Atomically replaces the snapshot with one covering every record with seq ≤ throughSeq;
   * later records are kept. A crash at any point leaves either the old or the new state.
   */
  compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void>
  /** Removes everything stored for a document. */
  remove(docName: string): Promise<void>
  /** Names of every stored document. */
  list(): Promise<string[]>
  /** Flushes pending appends and releases file handles. */
  close(): Promise<void>
}

/** The registry: small, structured, rarely written (users, sessions, patients, studies, settings). */
export interface RegistryStore {
  /** The current data. Callers must not mutate it outside `update`. */
  read(): Readonly<RegistryData>
  /**
   * Runs `mutate` on the data and persists the result durably before resolving.
   * Updates are serialised: each sees the previous one's result. If `mutate`
   * throws, nothing changes and the error propagates.
   */
  update<T>(mutate: (data: RegistryData) => T): Promise<T>
  close(): Promise<void>
}

/** Thrown at start-up when a stored file cannot be read: names the file and what to do. */
export class StorageCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly remedy: string,
  ) {
    super(`Storage file ${file} is unreadable: ${detail}. ${remedy}`)
    this.name = 'StorageCorruptError'
  }
}
