/**
 * An in-memory audit log for tests. Same chaining, validation and query rules as the file
 * log; "durable" means held in this object, and `verify` checks the in-memory chain.
 */
import type { Clock } from '../clock.ts'
import { AuditIndex } from './audit-index.ts'
import { ChainVerifier, GENESIS_HASH } from './chain.ts'
import { chainEntry, prepareEntry } from './entry.ts'
import type { AuditEntry, AuditEntryInput, AuditLog, AuditQuery } from './types.ts'

export class MemoryAuditLog implements AuditLog {
  readonly #clock: Clock
  readonly #entries: AuditEntry[] = []
  readonly #index = new AuditIndex()
  #closed = false

  constructor(opts: { clock: Clock }) {
    this.#clock = opts.clock
  }

  /** Every entry, oldest first (for tests). */
  get entries(): readonly AuditEntry[] {
    return this.#entries
  }

  async append(input: AuditEntryInput): Promise<AuditEntry> {
    this.#throwIfClosed()
    const prepared = prepareEntry(input, this.#clock.now())
    const prev = this.#entries.at(-1)
    const { entry } = chainEntry(prepared, this.#entries.length + 1, prev?.hash ?? GENESIS_HASH)
    this.#entries.push(entry)
    this.#index.push(entry)
    return entry
  }

  async query(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    this.#throwIfClosed()
    const { positions, nextCursor } = this.#index.select(query)
    return { entries: positions.map((pos) => this.#entries[pos]!), nextCursor }
  }

  async verify(): Promise<{ ok: boolean; entries: number; brokenAt?: string }> {
    this.#throwIfClosed()
    const verifier = new ChainVerifier()
    for (const entry of this.#entries) verifier.check(entry)
    const result = verifier.result
    return result.ok
      ? { ok: true, entries: verifier.count }
      : { ok: false, entries: verifier.count, brokenAt: result.brokenAt }
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #throwIfClosed(): void {
    if (this.#closed) throw new Error('MemoryAuditLog is closed')
  }
}
