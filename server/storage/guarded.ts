/**
 * Storage faults as one typed error (issue 8). A full disk or an I/O error while the
 * registry or the audit trail is written surfaces from deep inside a command as a bare
 * ENOSPC/EIO (or a store's own "refusing further writes" error). These wrappers turn
 * each into a StorageUnavailableError, report it once (log + metric), and leave
 * everything else alone, so the HTTP layer can answer 503 with a clear message
 * instead of a generic 500.
 */
import type { AuditLog } from '../audit/types.ts'
import type { RegistryData } from '../registry/types.ts'
import { type RegistryStore, StorageCorruptError } from './types.ts'

export type StoreName = 'registry' | 'audit' | 'documents'

/** A write (or read) the server needed could not be made: the request is refused, not half-done. */
export class StorageUnavailableError extends Error {
  constructor(
    readonly store: StoreName,
    cause: unknown,
  ) {
    super(
      `${store} storage is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    )
    this.name = 'StorageUnavailableError'
  }
}

export type StorageFaultListener = (store: StoreName, error: unknown) => void

/**
 * The registry, with persistence failures wrapped. Errors thrown by the caller's own
 * mutator (a domain refusal such as a stale rev) pass through untouched: only what
 * fails after it — writing the file — is a storage fault.
 */
export function guardRegistry(inner: RegistryStore, onFault: StorageFaultListener): RegistryStore {
  return {
    read: () => inner.read(),
    close: () => inner.close(),
    async update<T>(mutate: (data: RegistryData) => T): Promise<T> {
      let mutatorThrew = false
      try {
        return await inner.update((data) => {
          try {
            return mutate(data)
          } catch (error) {
            mutatorThrew = true
            throw error
          }
        })
      } catch (error) {
        if (mutatorThrew) throw error
        onFault('registry', error)
        throw new StorageUnavailableError('registry', error)
      }
    },
  }
}

/** The audit trail, with failed appends wrapped (a write the server must make before answering). */
export function guardAudit(inner: AuditLog, onFault: StorageFaultListener): AuditLog {
  return {
    query: (query) => inner.query(query),
    verify: () => inner.verify(),
    applyRetention: (now) => inner.applyRetention(now),
    close: () => inner.close(),
    async append(entry) {
      try {
        return await inner.append(entry)
      } catch (error) {
        onFault('audit', error)
        throw new StorageUnavailableError('audit', error)
      }
    },
  }
}

/** errno codes that mean "the disk", not "this request". */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EFBIG', 'EMFILE', 'ENFILE'])

/** How the HTTP layer should answer an error that reached it, if it is a storage fault. */
export function storageFaultOf(error: unknown): 'unavailable' | 'corrupt' | null {
  if (error instanceof StorageUnavailableError) return 'unavailable'
  if (error instanceof StorageCorruptError) return 'corrupt'
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' && STORAGE_ERRNOS.has(code) ? 'unavailable' : null
}
