/**
 * Retention on disk for the file audit log: which segments are due, the anchor file
 * (`audit-anchor.json`), and the check that entries are sound before they are removed.
 *
 * Order of a pruning, each step durable before the next, so a crash anywhere leaves a
 * state that verifies or that the next start-up finishes:
 *   1. check the doomed segments' chain from the current anchor (a broken chain is kept
 *      as evidence, never pruned away);
 *   2. append the `audit.retention.prune` record (with the new anchor) to the chain;
 *   3. write the anchor file (temp file, fsync, rename, directory fsync);
 *   4. delete the doomed segments and fsync the directory.
 * A crash after 2 leaves a record newer than the anchor file: start-up writes the anchor
 * from the record. A crash after 3 leaves segments the anchor covers: start-up deletes
 * them, and verification never reads them.
 */
import { join } from 'node:path'
import { fsyncDir, readIfExists, unlinkIfExists, writeAndRename } from '../storage/fs-durable.ts'
import { StorageCorruptError } from '../storage/types.ts'
import { ChainVerifier, canonicalJson, GENESIS_HASH } from './chain.ts'
import { anchorFields, isRetentionAnchor, RetainedChainCheck, sameAnchor } from './retention.ts'
import { parseLine, segmentName, splitLines } from './segments.ts'
import type { AuditVerifyResult, RetentionAnchor } from './types.ts'

export const ANCHOR_FILE = 'audit-anchor.json'

/** The anchor file: the anchor plus the newest segment number it covers. */
export interface FileAnchor extends RetentionAnchor {
  prunedThroughSegment: number
}

/** What retention needs to know of a segment; kept up to date by the log. */
export interface SegmentStats {
  n: number
  entries: number
  /** The newest `at` of its entries (-Infinity when empty). */
  newestAtMs: number
}

const ANCHOR_REMEDY =
  'Restore the audit directory from a backup; do not edit the anchor by hand ' +
  '(verification checks it against the retention entries in the chain)'

/** The anchor file, or null when nothing was ever pruned. Throws StorageCorruptError when it is not an anchor. */
export async function readAnchorFile(dir: string): Promise<FileAnchor | null> {
  const path = join(dir, ANCHOR_FILE)
  const buf = await readIfExists(path)
  if (buf === null) return null
  let value: unknown
  try {
    value = JSON.parse(buf.toString('utf8'))
  } catch {
    throw new StorageCorruptError(path, 'it is not JSON', ANCHOR_REMEDY)
  }
  const segment = (value as { prunedThroughSegment?: unknown } | null)?.prunedThroughSegment
  if (!isRetentionAnchor(value) || !Number.isSafeInteger(segment) || (segment as number) < 1) {
    throw new StorageCorruptError(path, 'it is not a retention anchor', ANCHOR_REMEDY)
  }
  return { ...anchorFields(value), prunedThroughSegment: segment as number }
}

/** Replaces the anchor file durably: after this resolves, a crash cannot lose or tear it. */
export async function writeAnchorFile(dir: string, anchor: FileAnchor): Promise<void> {
  const file = join(dir, ANCHOR_FILE)
  const body = { ...anchorFields(anchor), prunedThroughSegment: anchor.prunedThroughSegment }
  await writeAndRename(`${file}.tmp`, file, Buffer.from(`${canonicalJson(body)}\n`, 'utf8'))
  await fsyncDir(dir)
}

/**
 * The oldest segments whose every entry is older than `cutoffMs`: a leading run only (the
 * chain must stay unbroken), never the newest segment (it is being written).
 */
export function segmentsDue<S extends SegmentStats>(segments: readonly S[], cutoffMs: number): S[] {
  const due: S[] = []
  for (const seg of segments.slice(0, -1)) {
    if (!(seg.newestAtMs < cutoffMs)) break
    due.push(seg)
  }
  while (due.length > 0 && due.at(-1)!.entries === 0) due.pop()
  return due
}

export type PrunableCheck =
  | { ok: true; entries: number; last: { id: string; hash: string } }
  | { ok: false; brokenAt: string }

/** Re-reads the doomed segments and checks their chain from the current anchor. */
export async function checkPrunable(
  dir: string,
  numbers: readonly number[],
  anchor: RetentionAnchor | null,
): Promise<PrunableCheck> {
  const verifier = new ChainVerifier(
    anchor
      ? { afterId: Number(anchor.prunedThroughId), prevHash: anchor.prunedThroughHash }
      : { afterId: 0, prevHash: GENESIS_HASH },
  )
  let last: { id: string; hash: string } | null = null
  for (const n of numbers) {
    const buf = (await readIfExists(join(dir, segmentName(n)))) ?? Buffer.alloc(0)
    for (const span of splitLines(buf)) {
      const entry = span.terminated ? parseLine(buf, span.start, span.end) : undefined
      if (verifier.check(entry)) last = { id: entry.id, hash: entry.hash }
    }
  }
  const result = verifier.result
  if (!result.ok) return { ok: false, brokenAt: result.brokenAt }
  if (last === null)
    return { ok: false, brokenAt: String(Number(anchor?.prunedThroughId ?? 0) + 1) }
  return { ok: true, entries: verifier.count, last }
}

/** Deletes segment files and fsyncs the directory; returns the error instead of throwing (the caller retries later). */
export async function deleteSegments(
  dir: string,
  numbers: readonly number[],
): Promise<Error | null> {
  try {
    for (const n of numbers) await unlinkIfExists(join(dir, segmentName(n)))
    await fsyncDir(dir)
    return null
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * AuditLog.verify for the file log: re-reads the anchor file (it must still be the one the
 * log wrote) and the retained segments, and checks the chain from the anchor. `segments`
 * and `committed` come from memory: the newest segment is read only up to its committed
 * size, and the chain must reach entry `committed`.
 */
export async function verifySegments(
  dir: string,
  segments: readonly { path: string; size: number }[],
  committed: number,
  expected: FileAnchor | null,
): Promise<AuditVerifyResult> {
  const stored = await readAnchorFile(dir).catch(() => undefined)
  if (stored === undefined || !sameFileAnchor(stored, expected)) {
    return {
      ok: false,
      entries: 0,
      brokenAt: String(Number(expected?.prunedThroughId ?? 0) + 1),
      reason: `${ANCHOR_FILE} is missing, unreadable or changed on disk since the log wrote it`,
      ...(expected ? { anchor: anchorFields(expected) } : {}),
    }
  }
  const check = new RetainedChainCheck(stored)
  for (const [i, seg] of segments.entries()) {
    const buf = (await readIfExists(seg.path)) ?? Buffer.alloc(0)
    const limit = i === segments.length - 1 ? Math.min(seg.size, buf.length) : buf.length
    for (const span of splitLines(buf, limit)) {
      check.check(span.terminated ? parseLine(buf, span.start, span.end) : undefined)
    }
  }
  return check.finish(committed)
}

function sameFileAnchor(a: FileAnchor | null, b: FileAnchor | null): boolean {
  return sameAnchor(a, b) && a?.prunedThroughSegment === b?.prunedThroughSegment
}
