/**
 * Test servers: a real StudySync server on 127.0.0.1 port 0, with storage in
 * memory or in a temp dir, seeded with the demo site (users bose, huyen, admin, …).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type StudySyncServer } from '../../server/app.ts'
import { MemoryAuditLog } from '../../server/audit/memory-audit-log.ts'
import { DAY_MS } from '../../server/audit/retention.ts'
import type { AuditLog } from '../../server/audit/types.ts'
import { openFileStorage, seedDemoIfEmpty } from '../../server/bootstrap.ts'
import { type Clock, systemClock } from '../../server/clock.ts'
import { type ConfigOverrides, defaultConfig } from '../../server/config.ts'
import { jsonLogger, type Logger, silentLogger } from '../../server/logger.ts'
import { createMetrics } from '../../server/metrics.ts'
import { emptyRegistry } from '../../server/registry/types.ts'
import { MemoryDocLogStore } from '../../server/storage/memory-doc-log.ts'
import { MemoryRegistryStore } from '../../server/storage/memory-registry.ts'
import type { DocLogStore, RegistryStore } from '../../server/storage/types.ts'

export const DEMO_PASSWORD = 'demo'

export interface TestServer {
  server: StudySyncServer
  url: string
  wsUrl: string
  registry: RegistryStore
  docs: DocLogStore
  audit: AuditLog
  dataDir: string | null
  login(username: string, password?: string): Promise<string>
  /** Graceful close (and removal of the temp dir unless keepData). */
  close(options?: { keepData?: boolean }): Promise<void>
}

export interface TestServerOptions {
  /** Use file storage in this dir (or a new temp dir when true). */
  files?: string | true
  config?: ConfigOverrides
  clock?: Clock
  /** Replaces the default (silent) logger, e.g. to capture what the server logs. */
  logger?: Logger
  /** Wraps the storage the server gets (after seeding), e.g. with fault injection. */
  wrapStorage?: (storage: Storage) => Storage
}

type Storage = { registry: RegistryStore; docs: DocLogStore; audit: AuditLog }

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const metrics = createMetrics()
  const clock = options.clock ?? systemClock
  let dataDir: string | null = null
  let storage: { registry: RegistryStore; docs: DocLogStore; audit: AuditLog }
  if (options.files) {
    dataDir = options.files === true ? await mkdtemp(join(tmpdir(), 'studysync-')) : options.files
    storage = await openFileStorage(dataDir, metrics, clock, undefined, {
      auditRetentionDays: options.config?.auditRetentionDays,
    })
  } else {
    storage = {
      registry: new MemoryRegistryStore(emptyRegistry()),
      docs: new MemoryDocLogStore(),
      audit: new MemoryAuditLog({
        clock,
        retentionMs:
          options.config?.auditRetentionDays && options.config.auditRetentionDays * DAY_MS,
      }),
    }
  }
  await seedDemoIfEmpty(storage, { password: DEMO_PASSWORD, clock, logger: silentLogger })
  const config = defaultConfig({ port: 0, host: '127.0.0.1', ...options.config })
  const served = options.wrapStorage?.(storage) ?? storage
  const server = createServer({
    config,
    ...served,
    clock,
    logger: options.logger ?? (process.env.STUDYSYNC_TEST_LOG ? jsonLogger() : silentLogger),
    metrics,
  })
  await server.listen()
  const url = server.url
  return {
    server,
    url,
    wsUrl: url.replace('http://', 'ws://'),
    ...storage,
    dataDir,
    login: (username, password = DEMO_PASSWORD) => login(url, username, password),
    async close({ keepData = false } = {}) {
      await server.close()
      if (dataDir && !keepData && options.files === true)
        await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export async function login(
  url: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const res = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { token: string }).token
}
