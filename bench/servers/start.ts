/**
 * Starts one server under test as its own process on the server core, over a
 * prepared document set, and returns where clients connect. StudySync runs
 * exactly as `npm start` runs it (`node --import tsx server/main.ts`, without
 * the static build); the peers run through the launchers beside this file,
 * under the same `node --import tsx`.
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { DEFAULT_LIMITS } from '../../server/config.ts'
import { login } from '../../test/support/server.ts'
import type { DataSets, PreparedDocSet } from '../datasets.ts'
import { memoryBytes } from '../proc.ts'
import { jsonUrl, spawnServerProcess } from './process.ts'
import type { RunningServer, ServerKind } from './types.ts'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface StartOptions {
  set: PreparedDocSet
  datasets: DataSets
  /** taskset CPU list, or null to run unpinned. */
  core: string | null
  /** Write a V8 CPU profile (StudySync only) into this directory. */
  cpuProfileDir?: string
  /** Extra environment (StudySync only; e.g. METRICS_TOKEN). */
  env?: Record<string, string>
}

/** The demo user the load generator signs in as (a radiologist: may edit every study form). */
const BENCH_USER = 'bose'
/**
 * Clients per signed-in session. StudySync may cap open connections per
 * session (`limits.maxConnectionsPerSession`, a tab's handful of documents);
 * each session carries at most that many, and sign-ins happen before any
 * measurement starts.
 */
const CONNECTIONS_PER_SESSION =
  (DEFAULT_LIMITS as unknown as Record<string, number | undefined>).maxConnectionsPerSession ?? 64

/** Node flags every server gets: tsx, and the GC hook used before reading RSS. */
const PRELOAD = ['--expose-gc', '--import', 'tsx', '--import', './bench/servers/gc-hook.ts']
const GC_SETTLE_MS = 300

async function settledRss(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2')
  await new Promise((resolve) => setTimeout(resolve, GC_SETTLE_MS))
  return memoryBytes(pid)
}

export async function startServer(kind: ServerKind, options: StartOptions): Promise<RunningServer> {
  switch (kind) {
    case 'studysync':
      return startStudySync(options)
    case 'yws':
      return startPeer(kind, 'bench/servers/yws-entry.ts', options, ywsUrl)
    case 'hocuspocus':
      return startPeer(kind, 'bench/servers/hocuspocus-entry.ts', options, (line) =>
        jsonUrl(line, 'hocuspocus listening'),
      )
  }
}

async function startStudySync(options: StartOptions): Promise<RunningServer> {
  const dataDir = await options.datasets.studysyncDataDir(options.set)
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : []
  const proc = spawnServerProcess({
    args: [...profile, ...PRELOAD, 'server/main.ts'],
    env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...options.env },
    cwd: REPO_ROOT,
    core: options.core,
    ready: (line) => jsonUrl(line, 'StudySync listening'),
  })
  try {
    const url = await proc.ready
    const tokens: string[] = []
    return {
      kind: 'studysync',
      pid: proc.pid,
      endpoint: {
        kind: 'studysync',
        wsBase: url.replace('http://', 'ws://'),
        token: (i) => tokens[Math.floor(i / CONNECTIONS_PER_SESSION)]!,
      },
      settledRss: () => settledRss(proc.pid),
      async prepareClients(n) {
        const needed = Math.ceil(n / CONNECTIONS_PER_SESSION)
        while (tokens.length < needed) tokens.push(await login(url, BENCH_USER))
      },
      async stop() {
        await proc.stop()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await proc.stop()
    throw error
  }
}

async function startPeer(
  kind: ServerKind,
  entry: string,
  options: StartOptions,
  ready: (line: string) => string | null,
): Promise<RunningServer> {
  const proc = spawnServerProcess({
    args: [...PRELOAD, entry],
    env: { BENCH_DOCS_DIR: options.set.peerDocsDir },
    cwd: REPO_ROOT,
    core: options.core,
    ready,
  })
  const url = await proc.ready
  return {
    kind,
    pid: proc.pid,
    endpoint: { kind, wsBase: url.replace('http://', 'ws://'), token: () => 'bench' },
    prepareClients: async () => {},
    settledRss: () => settledRss(proc.pid),
    stop: () => proc.stop(),
  }
}

/** `running at '127.0.0.1' on port 40123` (the reference server's only output). */
function ywsUrl(line: string): string | null {
  const match = line.match(/^running at '([^']+)' on port (\d+)/)
  return match ? `http://${match[1]}:${match[2]}` : null
}
