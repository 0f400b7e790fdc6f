/**
 * Storage fault injection (issue 8 §2): wrappers around the real stores that fail
 * with ENOSPC or EIO while a switch is on, the way a full or failing disk does —
 * after the caller's work, before anything reaches the files.
 */
import type { AuditEntryInput, AuditLog } from '../../server/audit/types.ts'
import type { RegistryData } from '../../server/registry/types.ts'
import type { DocLogStore, RegistryStore } from '../../server/storage/types.ts'

export type Errno = 'ENOSPC' | 'EIO'

/** One switch per store: `fail('ENOSPC')`, then `clear()`. Counts the failures it caused. */
export class FaultSwitch {
  private errno: Errno | null = null
  hits = 0

  fail(errno: Errno): void {
    this.errno = errno
  }

  clear(): void {
    this.errno = null
  }

  /** Throws the injected error when on. */
  check(syscall: string, path: string): void {
    if (!this.errno) return
    this.hits++
    throw errnoError(this.errno, syscall, path)
  }
}

export function errnoError(errno: Errno, syscall: string, path: string): NodeJS.ErrnoException {
  const text = errno === 'ENOSPC' ? 'no space left on device' : 'i/o error'
  const error: NodeJS.ErrnoException = new Error(`${errno}: ${text}, ${syscall} '${path}'`)
  error.code = errno
  error.syscall = syscall
  error.path = path
  return error
}

/** A DocLogStore whose appends, compactions and loads fail while the switch is on. */
export function faultyDocLog(inner: DocLogStore, faults: FaultSwitch): DocLogStore {
  return {
    async load(name) {
      faults.check('read', `${name}.log`)
      return inner.load(name)
    },
    async append(name, update) {
      faults.check('write', `${name}.log`)
      return inner.append(name, update)
    },
    async compact(name, snapshot, throughSeq) {
      faults.check('write', `${name}.snap`)
      return inner.compact(name, snapshot, throughSeq)
    },
    remove: (name) => inner.remove(name),
    list: () => inner.list(),
    close: () => inner.close(),
  }
}

/** A RegistryStore whose writes fail (after the mutator ran, so the draft is thrown away). */
export function faultyRegistry(inner: RegistryStore, faults: FaultSwitch): RegistryStore {
  return {
    read: () => inner.read(),
    close: () => inner.close(),
    update<T>(mutate: (data: RegistryData) => T): Promise<T> {
      return inner.update((data) => {
        const result = mutate(data)
        faults.check('write', 'registry.json')
        return result
      })
    },
  }
}

/** An AuditLog whose appends fail while the switch is on. */
export function faultyAudit(inner: AuditLog, faults: FaultSwitch): AuditLog {
  return {
    async append(entry: AuditEntryInput) {
      faults.check('write', 'audit-000001.jsonl')
      return inner.append(entry)
    },
    query: (q) => inner.query(q),
    verify: () => inner.verify(),
    applyRetention: (now) => inner.applyRetention(now),
    close: () => inner.close(),
  }
}
