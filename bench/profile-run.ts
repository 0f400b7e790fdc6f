/**
 * `--profile`: StudySync alone on a workload (many rooms by default) under
 * `node --cpu-prof`, then the hot functions inside the measurement window,
 * and the log's fsync counts from /metrics.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DataSets } from './datasets.ts'
import type { BenchOptions } from './options.ts'
import { type ProfileSummary, summarizeProfile } from './profile.ts'
import { fmt } from './report.ts'
import { REPO_ROOT, startServer } from './servers/start.ts'
import { fanout } from './workloads/fanout.ts'
import { manyRooms } from './workloads/many-rooms.ts'
import { presence } from './workloads/presence.ts'
import { storm } from './workloads/storm.ts'
import type { Metrics, Workload } from './workloads/types.ts'

export type ProfileResult = ProfileSummary & {
  workload: string
  run: Metrics
  /** The whole main-thread profile, kept for flame graphs (repository-relative; not committed). */
  profileFile: string
}

/** Where profiles are kept: `*.cpuprofile` is git-ignored (a few hundred KB each). */
const KEPT_PROFILES = 'bench/results/profiles'

export async function profileStudySync(
  o: BenchOptions,
  name: string,
  datasets: DataSets,
  core: string | null,
  log: (line: string) => void,
): Promise<ProfileResult | null> {
  const docs = Math.max(o.rooms.docs, o.presence.docs, o.offline.docs)
  const workload = profiled(o, name, docs)
  const set = await datasets.prepare(workload.docSet)
  const dir = await mkdtemp(join(datasets.dir, 'profile-'))
  let window: { startUs: number; endUs: number } | null = null
  const server = await startServer('studysync', {
    set,
    datasets,
    core,
    cpuProfileDir: dir,
    env: { METRICS_TOKEN },
  })
  let metrics: Metrics = {}
  try {
    metrics = await workload.run(server, {
      log,
      note: () => {},
      onWindow: (startUs, endUs) => {
        window = { startUs, endUs }
      },
    })
    Object.assign(metrics, await fsyncCounts(server.endpoint.wsBase.replace('ws://', 'http://')))
  } finally {
    await server.stop()
  }
  // One profile per thread: `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`; thread 0 is
  // the main thread (tsx's module loader runs in another).
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
  const file = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0]
  if (!file) {
    log('profile: no .cpuprofile was written')
    return null
  }
  // Kept whole (not only the window) for a flame graph: Chrome DevTools (Performance → Load
  // profile) or speedscope.app open .cpuprofile files as they are.
  const profileFile = `${KEPT_PROFILES}/studysync-${name}.cpuprofile`
  await mkdir(join(REPO_ROOT, KEPT_PROFILES), { recursive: true })
  await copyFile(join(dir, file), join(REPO_ROOT, profileFile))
  const summary = {
    ...(await summarizeProfile(join(dir, file), window)),
    workload: name,
    run: metrics,
    profileFile,
  }
  log(
    `profile: StudySync ${name}, main thread ${summary.busyMs.toFixed(0)} ms busy in the window; of the server's CPU ${fmt(metrics.sysPct)} % kernel, ${fmt(metrics.mainThreadPct)} % main thread; ${fmt(metrics.fsyncs)} log fsyncs`,
  )
  log(`  (whole profile for a flame graph: ${profileFile})`)
  for (const h of summary.functions) {
    log(`  ${h.pct.toFixed(1).padStart(5)} %  ${h.name} ${h.where}`)
  }
  await rm(dir, { recursive: true, force: true })
  return summary
}

function profiled(o: BenchOptions, name: string, docs: number): Workload {
  switch (name) {
    case 'fanout':
      return fanout(o, docs)
    case 'presence':
      return presence(o, docs)
    case 'storm':
      return storm(o, true)
    default:
      return manyRooms(o, docs)
  }
}

const METRICS_TOKEN = 'bench-profile'

/** Log fsyncs and the records they made durable, from the server's /metrics. */
async function fsyncCounts(url: string): Promise<Metrics> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  })
  const text = await res.text()
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1])
  return {
    fsyncs: value('studysync_log_fsync_seconds_count'),
    fsyncRecords: value('studysync_log_fsync_records_sum'),
  }
}
