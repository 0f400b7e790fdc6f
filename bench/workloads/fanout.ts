/** Fan-out: one document, one writer and N readers, W writes per second. */
import type { BenchOptions } from '../options.ts'
import type { Workload } from './types.ts'
import { runWrites } from './writes.ts'

/** Documents seeded for the write workloads carry this much history. */
export const WRITE_SET_ENTRIES = 20

export function fanout(o: BenchOptions, docCount: number): Workload {
  return {
    name: 'fanout',
    docSet: { count: docCount, entries: WRITE_SET_ENTRIES, compacted: true },
    run: (server, ctx) =>
      runWrites(
        server,
        {
          docs: 1,
          clientsPerDoc: o.fanout.readers + 1,
          writersPerDoc: 1,
          rate: o.fanout.rate,
          seconds: o.seconds,
        },
        ctx,
      ),
  }
}
