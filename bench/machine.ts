/** Facts about the machine and the code a run measured, for the report. */
import { execFileSync } from 'node:child_process'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { REPO_ROOT } from './servers/start.ts'

export interface Machine {
  date: string
  nproc: number
  cpuModel: string
  memTotalGiB: number
  /** `free -m` as printed. */
  free: string
  node: string
  kernel: string
  /** Filesystem type under the temp dir, where every DATA_DIR and document file lives. */
  dataFs: string
  /** Commit of the code measured; `dirty` when server/ or shared/ had uncommitted changes. */
  commit: string
  dirty: boolean
  loadAvgStart: number[]
  loadAvgEnd?: number[]
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    free: run('free', ['-m'], false),
    node: process.version,
    kernel: run('uname', ['-sr']),
    dataFs: run('df', ['--output=fstype', tmpdir()]).split('\n').at(-1)?.trim() ?? 'unknown',
    commit: run('git', ['rev-parse', '--short', 'HEAD']),
    dirty: run('git', ['status', '--porcelain', '--', 'server', 'shared']) !== '',
    loadAvgStart: loadavg().map(round2),
  }
}

export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pins every thread of this process to `cpus` (the load generator's core). */
export function pinSelf(cpuList: string): void {
  execFileSync('taskset', ['-a', '-cp', cpuList, String(process.pid)], { stdio: 'ignore' })
}

export const round2 = (n: number) => Math.round(n * 100) / 100

function run(command: string, args: string[], trimStart = true): string {
  try {
    const out = execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' }).trimEnd()
    return trimStart ? out.trimStart() : out
  } catch {
    return 'unknown'
  }
}
