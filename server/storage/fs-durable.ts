/**
 * Small filesystem helpers for durable writes. Node's `fs` never fsyncs on its own:
 * a rename or a new file is only crash-proof once its directory is fsync'd too.
 */
import { readFile } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'

/** fsyncs a directory so that renames, creations and deletions in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** fdatasyncs a file that something else (lowdb, a rename) has written. */
export async function fdatasyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes `data` to `tmp`, fsyncs it, and renames it over `file`. The caller fsyncs the
 * directory (it may batch several renames). Without the fsync before the rename, a crash
 * can leave `file` renamed but empty on filesystems that reorder metadata and data.
 */
export async function writeAndRename(tmp: string, file: string, data: Uint8Array): Promise<void> {
  const handle = await open(tmp, 'w')
  try {
    await writeFully(handle, data)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(tmp, file)
}

/** `write` may write fewer bytes than asked (disk full, signals): loop until done. */
export async function writeFully(
  handle: { write(b: Uint8Array, o: number, l: number): Promise<{ bytesWritten: number }> },
  data: Uint8Array,
): Promise<void> {
  let done = 0
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done)
    if (bytesWritten === 0) throw new Error('write made no progress')
    done += bytesWritten
  }
}

/**
 * The file's bytes, or null when it does not exist. Callback `readFile` rather than the
 * promise API: it costs half the CPU per file (≈ 35 vs 70 µs for a 6 KB file here), which
 * a connect storm loading a thousand documents from disk pays once per document.
 */
export function readIfExists(file: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    readFile(file, (err, data) => {
      if (!err) resolve(data)
      else if (isErrno(err, 'ENOENT')) resolve(null)
      else reject(err)
    })
  })
}

/** Deletes a file; true if it existed. */
export async function unlinkIfExists(file: string): Promise<boolean> {
  try {
    await unlink(file)
    return true
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false
    throw err
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code
}
