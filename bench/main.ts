/**
 * `npm run bench`: StudySync against the reference y-websocket server and
 * Hocuspocus, side by side in one run. Prints a table, writes
 * `bench/results/<date>.json` and (unless --quick) BENCHMARKS.md.
 * `npm run bench -- --help` lists the flags.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { DataSets } from './datasets.ts'
import { describeMachine, hasTaskset, pinSelf, round2 } from './machine.ts'
import { writeBenchmarksMd } from './markdown.ts'
import { type BenchOptions, parseOptions } from './options.ts'
import { allowedCpus } from './proc.ts'
import { type ProfileResult, profileStudySync } from './profile-run.ts'
import { renderTable, summarize } from './report.ts'
import { runSuite, type SuitePlan } from './runner.ts'
import { REPO_ROOT } from './servers/start.ts'
import { fanout } from './workloads/fanout.ts'
import { manyRooms } from './workloads/many-rooms.ts'
import { offline } from './workloads/offline.ts'
import { presence } from './workloads/presence.ts'
import { scaleConnections, scaleDocuments } from './workloads/scale.ts'
import { storm } from './workloads/storm.ts'
import type { Workload } from './workloads/types.ts'

const SERVER_CORE = '0'
const LOAD_CORE = '1'

function plan(o: BenchOptions, pinned: boolean): SuitePlan {
  const writeDocs = Math.max(o.rooms.docs, o.presence.docs, o.offline.docs)
  const all: [string, Workload, number][] = [
    ['fanout', fanout(o, writeDocs), o.reps],
    ['many-rooms', manyRooms(o, writeDocs), o.reps],
    ['presence', presence(o, writeDocs), o.reps],
    ['storm', storm(o, true), o.reps],
    ...(o.storm.replay ? [['storm', storm(o, false), o.reps] as [string, Workload, number]] : []),
    ['offline', offline(o, writeDocs), o.reps],
    ['scale', scaleConnections(o), o.reps && o.scale.reps],
    ['scale', scaleDocuments(o), o.reps && o.scale.reps],
  ]
  return {
    workloads: all
      .filter(([name]) => o.only.length === 0 || o.only.includes(name))
      .map(([, workload, reps]) => ({ workload, reps })),
    servers: o.servers,
    serverCore: pinned ? SERVER_CORE : null,
  }
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2))
  if (!o) return 0
  const machine = describeMachine() // before pinning: nproc counts the CPUs this process may use
  const pinned = o.pin && hasTaskset()
  if (o.pin && !pinned) console.warn('taskset not found (util-linux): running unpinned')
  if (pinned) pinSelf(LOAD_CORE)
  const log = (line: string) => console.log(line)
  log(
    `StudySync benchmarks${o.quick ? ' (quick)' : ''}: ${machine.nproc} CPUs, load average ${machine.loadAvgStart.join(' ')}, load generator on CPU ${allowedCpus()}`,
  )
  const datasets = await DataSets.create()
  try {
    const records = await runSuite(plan(o, pinned), datasets, log)
    const profiles: ProfileResult[] = []
    for (const name of o.profile) {
      const result = await profileStudySync(o, name, datasets, pinned ? SERVER_CORE : null, log)
      if (result) profiles.push(result)
    }
    machine.loadAvgEnd = loadavg().map(round2)
    const table = renderTable(summarize(records, o.servers), o.servers)
    log(`\n${table}\n`)
    const stamp = machine.date.replace(/[:.]/g, '-')
    const resultsFile = `bench/results/${stamp}${o.quick ? '-quick' : ''}.json`
    await mkdir(join(REPO_ROOT, 'bench/results'), { recursive: true })
    await writeFile(
      join(REPO_ROOT, resultsFile),
      `${JSON.stringify({ machine, options: o, records, profiles }, null, 2)}\n`,
    )
    formatWithBiome(join(REPO_ROOT, resultsFile))
    log(`results: ${resultsFile}`)
    if (o.writeMarkdown) {
      await writeBenchmarksMd(join(REPO_ROOT, 'BENCHMARKS.md'), {
        table,
        machine,
        options: o,
        records,
        resultsFile,
        profiles,
        pinned,
        args: process.argv.slice(2),
      })
      log('wrote BENCHMARKS.md')
    }
    return records.every((r) => r.ok) ? 0 : 1
  } finally {
    await rm(datasets.dir, { recursive: true, force: true })
  }
}

/** The repository lints bench/** with Biome, JSON included: write results in its format. */
function formatWithBiome(file: string): void {
  try {
    execFileSync(join(REPO_ROOT, 'node_modules/.bin/biome'), ['format', '--write', file], {
      stdio: 'ignore',
    })
  } catch {
    // Only the layout of the JSON is at stake.
  }
}

process.exitCode = await main()
