/**
 * The audit trail's files: `audit-000001.jsonl`, `audit-000002.jsonl`, … in one directory,
 * each a run of JSON lines (one canonical-JSON entry per line, '\n'-terminated). The chain
 * runs on across files: the first entry of a segment links to the last of the one before.
 *
 * A crash can only damage the end of the newest segment (appends go nowhere else), so a bad
 * final line there is a torn write to cut off; a bad line anywhere else is corruption.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageCorruptError } from '../storage/types.ts'
import { isAuditEntryShape } from './chain.ts'
import type { AuditEntry } from './types.ts'

const SEGMENT_FILE = /^audit-(\d{6,})\.jsonl$/
const NEWLINE = 0x0a

export const CORRUPT_REMEDY =
  'Restore the audit directory from a backup, or move the damaged segment aside and ' +
  'keep it as evidence; do not edit it by hand (verification would flag the edit)'

export function segmentName(n: number): string {
  return `audit-${String(n).padStart(6, '0')}.jsonl`
}

/** Segment numbers present in `dir`, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const numbers: number[] = []
  for (const name of await readdir(dir)) {
    const m = SEGMENT_FILE.exec(name)
    if (m) numbers.push(Number(m[1]))
  }
  return numbers.sort((a, b) => a - b)
}

export interface LineSpan {
  /** 1-based line number within the segment. */
  line: number
  start: number
  /** Exclusive, without the '\n'. */
  end: number
  terminated: boolean
}

/** The lines of `buf[0, limit)`; a last line without '\n' is reported as unterminated. */
export function* splitLines(buf: Uint8Array, limit = buf.length): Generator<LineSpan> {
  let start = 0
  let line = 0
  while (start < limit) {
    const nl = buf.indexOf(NEWLINE, start)
    line++
    if (nl === -1 || nl >= limit) {
      yield { line, start, end: limit, terminated: false }
      return
    }
    yield { line, start, end: nl, terminated: true }
    start = nl + 1
  }
}

/** Parses one stored line; null when it is not an audit entry. */
export function parseLine(buf: Buffer, start: number, end: number): AuditEntry | null {
  try {
    const value: unknown = JSON.parse(buf.toString('utf8', start, end))
    return isAuditEntryShape(value) ? value : null
  } catch {
    return null
  }
}

export interface ScannedEntry {
  entry: AuditEntry
  offset: number
  /** Bytes of the line without its '\n'. */
  length: number
}

export interface SegmentScan {
  /** Bytes up to and including the last good line's '\n': where a torn tail is cut. */
  goodEnd: number
  /** Set when the final line was torn (only possible when the segment is the newest). */
  torn: { line: number; bytes: number } | null
}

/**
 * Reads a segment, handing each entry to `onEntry` in order (entries are not collected:
 * a full segment holds ~150k). A bad final line of the newest segment is reported as torn;
 * any other bad line throws StorageCorruptError naming the file and line.
 */
export function scanSegment(
  dir: string,
  n: number,
  buf: Buffer,
  newest: boolean,
  onEntry: (scanned: ScannedEntry) => void,
): SegmentScan {
  let goodEnd = 0
  for (const span of splitLines(buf)) {
    const entry = span.terminated ? parseLine(buf, span.start, span.end) : null
    if (entry === null) {
      const isFinal = !span.terminated || span.end + 1 === buf.length
      if (newest && isFinal)
        return { goodEnd, torn: { line: span.line, bytes: buf.length - goodEnd } }
      throw corrupt(
        dir,
        n,
        `line ${span.line} ${span.terminated ? 'is not an audit entry' : 'is cut short'}`,
      )
    }
    onEntry({ entry, offset: span.start, length: span.end - span.start })
    goodEnd = span.end + 1
  }
  return { goodEnd, torn: null }
}

export function corrupt(dir: string, n: number, detail: string): StorageCorruptError {
  return new StorageCorruptError(join(dir, segmentName(n)), detail, CORRUPT_REMEDY)
}
