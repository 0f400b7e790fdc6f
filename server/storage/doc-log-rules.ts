/** Rules every DocLogStore enforces the same way, so the memory store is a faithful stand-in. */

/** Longest encoded name that still fits NAME_MAX (255) with our ".snap.tmp" suffix. */
const MAX_ENCODED_NAME = 240

/** Throws on a document name that cannot be stored; returns its file-safe encoding. */
export function encodeDocName(docName: string): string {
  if (typeof docName !== 'string' || docName.length === 0) {
    throw new TypeError('document name must be a non-empty string')
  }
  // encodeURIComponent escapes "/" and "%", so distinct names map to distinct files and
  // no name can climb out of the directory ("..%2F" is just a file name).
  const encoded = encodeURIComponent(docName)
  if (encoded.length > MAX_ENCODED_NAME) {
    throw new RangeError(`document name is too long to store (${encoded.length} bytes encoded)`)
  }
  return encoded
}

/**
 * A snapshot may only cover records that exist, and may not go backwards: the log no
 * longer holds the records an older snapshot would need.
 */
export function checkCompaction(throughSeq: number, snapshotSeq: number, lastSeq: number): void {
  if (!Number.isSafeInteger(throughSeq) || throughSeq < snapshotSeq || throughSeq > lastSeq) {
    throw new RangeError(
      `compact throughSeq ${throughSeq} must be an integer from the current snapshot seq ` +
        `${snapshotSeq} to the last appended seq ${lastSeq}`,
    )
  }
}
