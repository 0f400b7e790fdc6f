/**
 * Reading one document's files from disk: decode the snapshot, scan the log, repair a
 * torn tail, and turn format problems into StorageCorruptError with a remedy.
 */
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeDocName } from './doc-log-rules.ts'
import { readIfExists } from './fs-durable.ts'
import {
  decodeSnapshot,
  FormatError,
  type LogRecord,
  type LogScan,
  scanLog,
} from './record-format.ts'
import { StorageCorruptError } from './types.ts'

export interface DocPaths {
  log: string
  snap: string
  logTmp: string
  snapTmp: string
}

const LOG_EXT = '.log'
const SNAP_EXT = '.snap'

export function docPaths(dir: string, docName: string): DocPaths {
  const base = join(dir, encodeDocName(docName))
  const log = base + LOG_EXT
  const snap = base + SNAP_EXT
  return { log, snap, logTmp: `${log}.tmp`, snapTmp: `${snap}.tmp` }
}

/** The document a directory entry belongs to, or null for temp and foreign files. */
export function docNameOf(fileName: string): string | null {
  const ext = [LOG_EXT, SNAP_EXT].find((e) => fileName.endsWith(e))
  if (!ext) return null
  try {
    return decodeURIComponent(fileName.slice(0, -ext.length))
  } catch {
    return null
  }
}

export interface DiskDoc {
  snapshot: Uint8Array | null
  snapshotSeq: number
  /** Records after the snapshot, oldest first (views into the file's buffer). */
  records: LogRecord[]
  lastSeq: number
  /** Bytes of the log after any repair; 0 when there is no log (or only a torn header). */
  logSize: number
  torn: boolean
}

const LOG_REMEDY =
  'Restore it from backup, or move it aside to start this document from its last snapshot ' +
  '(edits made after that snapshot will be lost)'
const SNAP_REMEDY =
  'Restore it from backup. Moving only the snapshot aside will not help, because the log no ' +
  'longer holds the edits it covers; moving both it and the .log aside starts the document empty'

function corrupt(file: string, err: unknown, remedy: string): unknown {
  if (!(err instanceof FormatError)) return err
  return new StorageCorruptError(file, `${err.message} at byte offset ${err.offset}`, remedy)
}

async function readSnapshot(file: string): Promise<{ seq: number; payload: Uint8Array | null }> {
  const buf = await readIfExists(file)
  if (!buf) return { seq: 0, payload: null }
  try {
    return decodeSnapshot(buf)
  } catch (err) {
    throw corrupt(file, err, SNAP_REMEDY)
  }
}

async function readLog(file: string): Promise<LogScan> {
  const buf = await readIfExists(file)
  if (!buf) return { records: [], goodEnd: 0, torn: false }
  try {
    return scanLog(buf)
  } catch (err) {
    throw corrupt(file, err, LOG_REMEDY)
  }
}

/** Cuts the log back to its intact prefix, durably, so later appends follow good data. */
async function truncateDurably(file: string, length: number): Promise<void> {
  const handle = await open(file, 'r+')
  try {
    await handle.truncate(length)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/** Reads and validates a document; repairs (truncates) a torn log tail on the way. */
export async function readDoc(paths: DocPaths): Promise<DiskDoc> {
  // Both at once: a document load waits for one read, not two in a row.
  const [snap, scan] = await Promise.all([readSnapshot(paths.snap), readLog(paths.log)])
  const first = scan.records[0]
  if (first && first.seq > snap.seq + 1) {
    const detail = `the log starts at seq ${first.seq} but the snapshot covers only through seq ${snap.seq}, so edits are missing`
    throw new StorageCorruptError(
      paths.log,
      detail,
      'Restore this log and its .snap from the same backup',
    )
  }
  if (scan.torn) await truncateDurably(paths.log, scan.goodEnd)
  const lastLogSeq = scan.records.at(-1)?.seq ?? 0
  return {
    snapshot: snap.payload,
    snapshotSeq: snap.seq,
    records: scan.records.filter((r) => r.seq > snap.seq),
    lastSeq: Math.max(snap.seq, lastLogSeq),
    logSize: scan.goodEnd,
    torn: scan.torn,
  }
}
