/**
 * On-disk format of one document's files. All integers are little-endian.
 *
 * `<name>.log` — LOG_MAGIC ("SSYLOG01", 8 bytes), then records:
 *
 *     [length u32][crc32 u32][seq u64][payload: length bytes]
 *
 *   The crc32 covers the length field, the seq field and the payload, so damage anywhere
 *   in a record (header included) is caught. Seqs in one log are consecutive
 *   (n, n+1, n+2…): the first one may be anything ≥ 1 because compaction drops a prefix.
 *   A log may still hold records that the snapshot already covers (a crash between the
 *   snapshot's rename and the log's rewrite); readers skip seq ≤ snapshot seq.
 *
 * `<name>.snap` — SNAP_MAGIC ("SSYSNP01"), then [seq u64][length u32][crc32 u32][payload].
 *   The crc32 covers seq, length and payload. Snapshots are written to a temp file,
 *   fsync'd and renamed, so a damaged one is real corruption, never a torn write.
 *
 * Torn tail vs corruption: appends only ever add bytes at the end, and a batch is
 * acknowledged only after fdatasync. So a bad record with no intact record after it is
 * an unacknowledged write cut short by a crash (safe to drop); a bad record *followed*
 * by an intact one means acknowledged data was damaged, and we refuse to guess.
 */
import { crc32 } from 'node:zlib'

export const LOG_MAGIC = Buffer.from('SSYLOG01', 'latin1')
export const SNAP_MAGIC = Buffer.from('SSYSNP01', 'latin1')
export const RECORD_HEADER_BYTES = 16
export const SNAP_HEADER_BYTES = 24

/** Largest seq we accept: JS numbers stay exact below 2^53. */
const MAX_SEQ_HI = 0x1fffff

/** A framing problem at a byte offset; the store turns it into a StorageCorruptError. */
export class FormatError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail)
    this.name = 'FormatError'
  }
}

export interface LogRecord {
  seq: number
  /** Byte offset of the record's header in the file. */
  offset: number
  /** A view into the scanned buffer; copy it if the buffer is reused. */
  payload: Uint8Array
}

export interface LogScan {
  records: LogRecord[]
  /** Byte length of the intact prefix: truncate the file here when `torn`. */
  goodEnd: number
  torn: boolean
}

function recordCrc(buf: Uint8Array, off: number, len: number): number {
  const lengthField = buf.subarray(off, off + 4)
  return crc32(buf.subarray(off + 8, off + RECORD_HEADER_BYTES + len), crc32(lengthField))
}

function readSeq(buf: Buffer, off: number): number | null {
  const lo = buf.readUInt32LE(off)
  const hi = buf.readUInt32LE(off + 4)
  return hi > MAX_SEQ_HI ? null : hi * 2 ** 32 + lo
}

export function encodeRecord(seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length)
  out.writeUInt32LE(payload.length, 0)
  out.writeBigUInt64LE(BigInt(seq), 8)
  out.set(payload, RECORD_HEADER_BYTES)
  out.writeUInt32LE(recordCrc(out, 0, payload.length), 4)
  return out
}

type Parsed = { seq: number; end: number } | { bad: string }

function parseRecord(buf: Buffer, off: number): Parsed {
  if (buf.length - off < RECORD_HEADER_BYTES) return { bad: 'record header is cut short' }
  const len = buf.readUInt32LE(off)
  if (len > buf.length - off - RECORD_HEADER_BYTES) {
    return { bad: `record claims ${len} payload bytes but the file ends first` }
  }
  if (buf.readUInt32LE(off + 4) !== recordCrc(buf, off, len)) return { bad: 'checksum mismatch' }
  const seq = readSeq(buf, off + 8)
  if (seq === null || seq < 1) return { bad: 'sequence number out of range' }
  return { seq, end: off + RECORD_HEADER_BYTES + len }
}

/**
 * Is there an intact record anywhere after the bad one at `off`? We resynchronise byte by
 * byte because the bad record's own length field may be the damaged part. Seqs are
 * consecutive and each record takes ≥ 16 bytes, which bounds the seq a candidate at `p`
 * can carry; that cheap test rejects almost every offset before we pay for a CRC.
 */
function intactRecordAfter(buf: Buffer, off: number, lastSeq: number): boolean {
  for (let p = off + 1; p + RECORD_HEADER_BYTES <= buf.length; p++) {
    const seq = readSeq(buf, p + 8)
    if (seq === null || seq < 1) continue
    if (lastSeq > 0 && (seq <= lastSeq || seq > lastSeq + 1 + (p - off) / RECORD_HEADER_BYTES)) {
      continue
    }
    if (!('bad' in parseRecord(buf, p))) return true
  }
  return false
}

/** Scans a whole log file. Throws FormatError on corruption that is not a torn tail. */
export function scanLog(buf: Buffer): LogScan {
  const head = buf.subarray(0, LOG_MAGIC.length)
  if (!head.equals(LOG_MAGIC)) {
    // A crash while the file's first write was in flight leaves a prefix of the magic,
    // or (on some filesystems) a length with zeros behind it: nothing was acknowledged.
    const tornHeader =
      buf.length < LOG_MAGIC.length && LOG_MAGIC.subarray(0, buf.length).equals(buf)
    if (tornHeader || buf.every((b) => b === 0)) {
      return { records: [], goodEnd: 0, torn: buf.length > 0 }
    }
    throw new FormatError(0, 'not a StudySync document log (bad magic bytes)')
  }
  const records: LogRecord[] = []
  let off = LOG_MAGIC.length
  let lastSeq = 0
  while (off < buf.length) {
    const r = parseRecord(buf, off)
    if ('bad' in r) {
      if (intactRecordAfter(buf, off, lastSeq)) {
        throw new FormatError(off, `${r.bad}, and intact records follow it`)
      }
      return { records, goodEnd: off, torn: true }
    }
    if (lastSeq > 0 && r.seq !== lastSeq + 1) {
      throw new FormatError(off, `record seq ${r.seq} does not follow seq ${lastSeq}`)
    }
    records.push({
      seq: r.seq,
      offset: off,
      payload: buf.subarray(off + RECORD_HEADER_BYTES, r.end),
    })
    lastSeq = r.seq
    off = r.end
  }
  return { records, goodEnd: off, torn: false }
}

export function encodeSnapshot(seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(SNAP_HEADER_BYTES + payload.length)
  SNAP_MAGIC.copy(out, 0)
  out.writeBigUInt64LE(BigInt(seq), 8)
  out.writeUInt32LE(payload.length, 16)
  out.set(payload, SNAP_HEADER_BYTES)
  out.writeUInt32LE(snapCrc(out), 20)
  return out
}

function snapCrc(buf: Buffer): number {
  return crc32(buf.subarray(SNAP_HEADER_BYTES), crc32(buf.subarray(8, 20)))
}

/** Decodes a snapshot file. Any damage throws FormatError: snapshots are never torn. */
export function decodeSnapshot(buf: Buffer): { seq: number; payload: Uint8Array } {
  if (buf.length < SNAP_HEADER_BYTES) throw new FormatError(0, 'snapshot header is cut short')
  if (!buf.subarray(0, 8).equals(SNAP_MAGIC)) {
    throw new FormatError(0, 'not a StudySync snapshot (bad magic bytes)')
  }
  const seq = readSeq(buf, 8)
  const len = buf.readUInt32LE(16)
  if (seq === null) throw new FormatError(8, 'snapshot sequence number out of range')
  if (buf.length !== SNAP_HEADER_BYTES + len) {
    throw new FormatError(16, `snapshot claims ${len} payload bytes but holds ${buf.length - 24}`)
  }
  if (buf.readUInt32LE(20) !== snapCrc(buf)) throw new FormatError(20, 'snapshot checksum mismatch')
  return { seq, payload: buf.subarray(SNAP_HEADER_BYTES) }
}
