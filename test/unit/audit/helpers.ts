/** Shared fixtures for the audit tests: a movable clock, entry builders, temp dirs. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuditEntryInput } from '../../../server/audit/types.ts'

export const T0 = Date.parse('2026-11-22T09:00:00.000Z')

/** A clock that only moves when told to. */
export function fakeClock(start = T0): { now(): number; advance(ms: number): void } {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
  }
}

export const BOSE = { id: 'u-bose', name: 'Dr Bose' }
export const TRAN = { id: 'u-tran', name: 'T. Tran (transcriptionist)' }

export function input(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    actor: BOSE,
    action: 'study.open',
    subject: { type: 'study', id: 'A123' },
    patientId: 'P1',
    outcome: 'success',
    source: { ip: '10.0.0.7', session: 's-1' },
    ...overrides,
  }
}

export async function makeTmpDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'studysync-audit-'))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}
