/**
 * Server cost from /proc: CPU (utime + stime of every thread, in seconds) and
 * resident memory. Read from outside the process, so the server runs
 * unmodified and the sampling costs it nothing.
 */
import { readFileSync } from 'node:fs'

/** Clock ticks per second for /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100

export interface CpuTimes {
  userS: number
  sysS: number
  /** User + system time of the main (JavaScript) thread alone: its tid is the pid. */
  mainS: number
}

/** CPU seconds the process has used so far (all threads), split as CpuTimes. */
export function cpuTimes(pid: number): CpuTimes {
  const all = statTimes(`/proc/${pid}/stat`)
  const main = statTimes(`/proc/${pid}/task/${pid}/stat`)
  return { userS: all.user, sysS: all.sys, mainS: main.user + main.sys }
}

function statTimes(file: string): { user: number; sys: number } {
  const stat = readFileSync(file, 'utf8')
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { user: Number(fields[11]) / CLK_TCK, sys: Number(fields[12]) / CLK_TCK }
}

/** Resident set size in bytes (VmRSS), or peak resident size (VmHWM). */
export function memoryBytes(pid: number, key: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))
  if (!match) throw new Error(`no ${key} for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** CPU used between `cpuWindow()` and `stop()`, and wall time. */
export interface CpuWindow {
  stop(): CpuTimes & { cpuS: number; wallS: number }
}

export function cpuWindow(pid: number): CpuWindow {
  const start = cpuTimes(pid)
  const t0 = performance.now()
  return {
    stop: () => {
      const end = cpuTimes(pid)
      const userS = end.userS - start.userS
      const sysS = end.sysS - start.sysS
      return {
        userS,
        sysS,
        mainS: end.mainS - start.mainS,
        cpuS: userS + sysS,
        wallS: (performance.now() - t0) / 1000,
      }
    },
  }
}

/** Which CPUs this process may run on, as the kernel lists them ("1", "0-1"). */
export function allowedCpus(pid: number | 'self' = 'self'): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return status.match(/^Cpus_allowed_list:\s+(\S+)/m)?.[1] ?? '?'
}
