/**
 * Medians per server over the successful repetitions, ratios to the
 * reference server (@y/websocket-server) from the same run, and the issue's
 * targets. Rendered as one Markdown table for stdout and BENCHMARKS.md.
 */
import type { RunRecord } from './runner.ts'
import type { ServerKind } from './servers/types.ts'
import { median } from './stats.ts'

const REFERENCE: ServerKind = 'yws'

interface Target {
  /** StudySync ÷ reference must not exceed this. */
  ratio?: number
  /** StudySync's own value must not exceed this. */
  absolute?: number
  text: string
}

interface MetricSpec {
  workload: string
  key: string
  label: string
  target?: Target
}

/** The rows of the table, in order; lower is better for every one except counts held. */
export const TABLE: readonly MetricSpec[] = [
  { workload: 'fanout', key: 'p50Ms', label: 'latency p50 (ms)' },
  {
    workload: 'fanout',
    key: 'p99Ms',
    label: 'latency p99 (ms)',
    target: { ratio: 1, text: '≤ 1.0×' },
  },
  {
    workload: 'fanout',
    key: 'cpuUsPerWrite',
    label: 'server CPU per write (µs)',
    target: { ratio: 0.6, text: '≤ 0.6×' },
  },
  { workload: 'many-rooms', key: 'p50Ms', label: 'latency p50 (ms)' },
  { workload: 'many-rooms', key: 'p99Ms', label: 'latency p99 (ms)' },
  {
    workload: 'many-rooms',
    key: 'cpuUsPerWrite',
    label: 'server CPU per write (µs)',
    target: { ratio: 0.6, text: '≤ 0.6×' },
  },
  { workload: 'many-rooms', key: 'serverCpuPct', label: 'server CPU (% of a core)' },
  {
    workload: 'many-rooms',
    key: 'rssKiBPerConn',
    label: 'RSS per connection (KiB)',
    target: { ratio: 0.7, absolute: 16, text: '≤ 0.7×, ≤ 16 KiB' },
  },
  { workload: 'presence', key: 'p50Ms', label: 'latency p50 (ms)' },
  { workload: 'presence', key: 'p99Ms', label: 'latency p99 (ms)' },
  {
    workload: 'presence',
    key: 'cpuUsPerUpdate',
    label: 'server CPU per update (µs)',
    target: { ratio: 0.6, text: '≤ 0.6×' },
  },
  {
    workload: 'storm',
    key: 'syncedS',
    label: 'time until all synced (s)',
    target: { absolute: 0.75, text: '≤ 0.75 s' },
  },
  { workload: 'storm', key: 'cpuMsPerConnect', label: 'server CPU per connect (ms)' },
  { workload: 'storm', key: 'rssKiBPerDoc', label: 'RSS per loaded document (KiB)' },
  { workload: 'storm-replay', key: 'syncedS', label: 'time until all synced (s)' },
  { workload: 'storm-replay', key: 'cpuMsPerConnect', label: 'server CPU per connect (ms)' },
  { workload: 'offline', key: 'convergedS', label: 'time to converge (s)' },
  { workload: 'offline', key: 'cpuUsPerEdit', label: 'server CPU per offline edit (µs)' },
  {
    workload: 'scale-conns',
    key: 'kibPerUnit',
    label: 'RSS per idle connection (KiB, slope)',
    target: { ratio: 0.7, absolute: 16, text: '≤ 0.7×, ≤ 16 KiB' },
  },
  { workload: 'scale-conns', key: 'maxHeld', label: 'idle connections held ≤ limit (measured)' },
  {
    workload: 'scale-conns',
    key: 'projectedAtLimit',
    label: 'idle connections at limit (projected)',
  },
  { workload: 'scale-docs', key: 'kibPerUnit', label: 'RSS per loaded document (KiB, slope)' },
  { workload: 'scale-docs', key: 'maxHeld', label: 'loaded documents held ≤ limit (measured)' },
  {
    workload: 'scale-docs',
    key: 'projectedAtLimit',
    label: 'loaded documents at limit (projected)',
  },
]

export interface Row {
  spec: MetricSpec
  medians: Partial<Record<ServerKind, number>>
  /** "3/3": successful (verified) runs out of all runs, per server. */
  verified: Partial<Record<ServerKind, string>>
  ratios: Partial<Record<ServerKind, number>>
  met: boolean | null
}

export function summarize(records: readonly RunRecord[], servers: readonly ServerKind[]): Row[] {
  const rows: Row[] = []
  for (const spec of TABLE) {
    const runs = records.filter((r) => r.workload === spec.workload)
    if (runs.length === 0) continue
    const row: Row = { spec, medians: {}, verified: {}, ratios: {}, met: null }
    for (const server of servers) {
      const mine = runs.filter((r) => r.server === server)
      const ok = mine.filter((r) => r.ok)
      row.verified[server] = `${ok.length}/${mine.length}`
      row.medians[server] = median(ok.map((r) => r.metrics[spec.key] ?? Number.NaN))
    }
    const reference = row.medians[REFERENCE]
    for (const server of servers) {
      if (reference !== undefined) row.ratios[server] = row.medians[server]! / reference
    }
    row.met = targetMet(spec.target, row.medians.studysync, row.ratios.studysync)
    rows.push(row)
  }
  return rows
}

function targetMet(target: Target | undefined, value?: number, ratio?: number): boolean | null {
  if (!target || value === undefined || !Number.isFinite(value)) return null
  if (target.ratio !== undefined && !(ratio !== undefined && ratio <= target.ratio)) return false
  if (target.absolute !== undefined && !(value <= target.absolute)) return false
  return true
}

export function renderTable(rows: readonly Row[], servers: readonly ServerKind[]): string {
  const others = servers.filter((s) => s !== REFERENCE)
  const head = [
    'workload',
    'metric',
    ...servers.map(name),
    ...others.map((s) => `${name(s)} ÷ ref`),
    'target (StudySync)',
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`]
  for (const row of rows) {
    const cells = [
      row.spec.workload,
      row.spec.label,
      ...servers.map((s) => `${fmt(row.medians[s])} (${row.verified[s]})`),
      ...others.map((s) => ratio(row.ratios[s])),
      row.spec.target
        ? `${row.spec.target.text} ${row.met === null ? '–' : row.met ? 'met' : 'NOT met'}`
        : '',
    ]
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

function name(kind: ServerKind): string {
  return { studysync: 'StudySync', yws: 'y-websocket (ref)', hocuspocus: 'Hocuspocus' }[kind]
}

export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a'
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  return String(Number(value.toPrecision(3)))
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}×`
}
