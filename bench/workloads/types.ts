/** The contract between the runner and a workload. */
import type { DocSet } from '../datasets.ts'
import type { RunningServer } from '../servers/types.ts'

/** Named numbers from one run of one workload on one server. */
export type Metrics = Record<string, number>

export interface RunContext {
  /** Called with the measurement window, in monotonic microseconds (profiles use it). */
  onWindow?(startUs: number, endUs: number): void
  log(message: string): void
  /** Attaches a remark to this run's result (e.g. why a scale climb stopped). */
  note(message: string): void
}

export interface Workload {
  name: string
  /** Documents the server must hold on disk before the run. */
  docSet: DocSet
  /** Runs once against a freshly started server; throws when verification fails. */
  run(server: RunningServer, ctx: RunContext): Promise<Metrics>
}

/** Monotonic time in microseconds, on the clock V8 stamps CPU profile samples with. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
