/**
 * Opens the embedded storage under DATA_DIR and seeds the demo site into an
 * empty one. Shared by `npm start`, `npm run dev` and spawned test servers.
 */
import { access, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { FileAuditLog } from './audit/file-audit-log.ts'
import { DAY_MS } from './audit/retention.ts'
import type { AuditLog } from './audit/types.ts'
import { hashPassword } from './auth/passwords.ts'
import type { Clock } from './clock.ts'
import { buildDemoSite } from './demo/seed.ts'
import type { Logger } from './logger.ts'
import type { Metrics } from './metrics.ts'
import { emptyRegistry } from './registry/types.ts'
import { FileDocLogStore } from './storage/file-doc-log.ts'
import { LowdbRegistryStore } from './storage/lowdb-registry.ts'
import { type DocLogStore, type RegistryStore, StorageCorruptError } from './storage/types.ts'

export interface OpenedStorage {
  registry: RegistryStore
  docs: DocLogStore
  seeded: boolean
}

/** Storage settings from the config; absent fields take the defaults. */
export interface StorageOptions {
  /** Prune audit entries older than this many days (null or absent: keep forever). */
  auditRetentionDays?: number | null
}

export async function openFileStorage(
  dataDir: string,
  metrics: Metrics,
  clock: Clock,
  logger?: Logger,
  options: StorageOptions = {},
): Promise<{ registry: RegistryStore; docs: DocLogStore; audit: AuditLog }> {
  await mkdir(join(dataDir, 'docs'), { recursive: true })
  await mkdir(join(dataDir, 'audit'), { recursive: true })
  await refuseOrphanedData(dataDir)
  const registry = await LowdbRegistryStore.open(join(dataDir, 'registry.json'), emptyRegistry)
  const docs = new FileDocLogStore({
    dir: join(dataDir, 'docs'),
    onFsync: (ms, records) => {
      metrics.fsyncSeconds.observe(ms / 1000)
      metrics.fsyncRecords.observe(records)
    },
  })
  const audit = await FileAuditLog.open(join(dataDir, 'audit'), {
    clock,
    onWarning: (message) => logger?.warn('audit log repaired at start-up', { message }),
    onRetentionWarning: (message) => logger?.warn('audit retention', { message }),
    retentionMs: daysToMs(options.auditRetentionDays),
  })
  return { registry, docs, audit }
}

function daysToMs(days: number | null | undefined): number | null {
  return days === null || days === undefined ? null : days * DAY_MS
}

/**
 * A missing registry.json is created afresh only in a data dir that holds nothing else.
 * Beside existing documents or audit segments it was lost or moved, and starting with
 * an empty registry would silently drop every user, study and grant (issue 8).
 */
async function refuseOrphanedData(dataDir: string): Promise<void> {
  const file = join(dataDir, 'registry.json')
  const exists = await access(file).then(
    () => true,
    () => false,
  )
  if (exists) return
  const docs = (await readdir(join(dataDir, 'docs'))).filter((f) => /\.(log|snap)$/.test(f))
  const audit = (await readdir(join(dataDir, 'audit'))).filter((f) => f.endsWith('.jsonl'))
  if (docs.length === 0 && audit.length === 0) return
  throw new StorageCorruptError(
    file,
    `it is missing, but ${docs.length} document files and ${audit.length} audit segments exist beside it`,
    'Restore it from backup; to start a new site, use an empty data dir',
  )
}

/** Seeds the demo site when the registry has no users yet. Returns whether it seeded. */
export async function seedDemoIfEmpty(
  storage: { registry: RegistryStore; docs: DocLogStore },
  options: { password: string; clock: Clock; logger: Logger },
): Promise<boolean> {
  if (storage.registry.read().users.length > 0) return false
  const site = buildDemoSite({ hashPassword, password: options.password, now: options.clock.now() })
  await Promise.all([...site.docs].map(([name, update]) => storage.docs.append(name, update)))
  await storage.registry.update((data) => {
    data.users = site.users
    data.patients = site.patients
    data.studies = site.studies
    Object.assign(data, site.access)
    data.settings.demo = true
  })
  options.logger.info('seeded demo site', {
    users: site.users.length,
    patients: site.patients.length,
    studies: site.studies.length,
  })
  return true
}
