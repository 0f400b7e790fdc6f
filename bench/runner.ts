/**
 * Runs each workload on every server, alternating the servers (A, B, C, A, B,
 * C, …) so that slow drifts of a shared machine fall on all of them alike.
 * Every run gets a freshly started server process over a fresh copy of the
 * workload's documents.
 */
import { loadavg } from 'node:os'
import type { DataSets } from './datasets.ts'
import { startServer } from './servers/start.ts'
import type { ServerKind } from './servers/types.ts'
import type { Metrics, Workload } from './workloads/types.ts'

export interface RunRecord {
  workload: string
  server: ServerKind
  rep: number
  ok: boolean
  metrics: Metrics
  error?: string
  notes: string[]
  /** 1-minute load average when the run started (other jobs share this machine). */
  loadAvg1: number
  seconds: number
}

export interface SuitePlan {
  workloads: { workload: Workload; reps: number }[]
  servers: ServerKind[]
  /** taskset CPU list for the servers, or null. */
  serverCore: string | null
}

export async function runSuite(
  plan: SuitePlan,
  datasets: DataSets,
  log: (line: string) => void,
): Promise<RunRecord[]> {
  const records: RunRecord[] = []
  for (const { workload, reps } of plan.workloads) {
    if (reps === 0) continue
    const t0 = performance.now()
    const set = await datasets.prepare(workload.docSet)
    log(`${workload.name}: ${set.count} documents × ${set.entries} entries ready in ${s(t0)} s`)
    for (let rep = 0; rep < reps; rep++) {
      for (const server of plan.servers) {
        const record = await runOne(workload, server, rep, plan.serverCore, datasets, set, log)
        records.push(record)
        log(describe(record))
      }
    }
  }
  return records
}

async function runOne(
  workload: Workload,
  kind: ServerKind,
  rep: number,
  core: string | null,
  datasets: DataSets,
  set: Awaited<ReturnType<DataSets['prepare']>>,
  log: (line: string) => void,
): Promise<RunRecord> {
  const t0 = performance.now()
  const notes: string[] = []
  const base = { workload: workload.name, server: kind, rep, notes, loadAvg1: loadavg()[0]! }
  const server = await startServer(kind, { set, datasets, core })
  try {
    const metrics = await workload.run(server, { log, note: (m) => notes.push(m) })
    return { ...base, ok: true, metrics, seconds: s(t0) }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { ...base, ok: false, metrics: {}, error: message, seconds: s(t0) }
  } finally {
    await server.stop()
  }
}

function describe(r: RunRecord): string {
  const head = `  ${r.workload} #${r.rep + 1} ${r.server.padEnd(10)} ${r.seconds.toFixed(0).padStart(3)} s`
  if (!r.ok) return `${head}  FAILED: ${r.error}`
  const body = Object.entries(r.metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(3)}`)
    .join(' ')
  return `${head}  ${body}${r.notes.length ? `  (${r.notes.join('; ')})` : ''}`
}

const s = (t0: number) => Math.round((performance.now() - t0) / 100) / 10
