/** Many rooms: D documents × 2 clients, both writing, W writes per second in all. */
import type { BenchOptions } from '../options.ts'
import { WRITE_SET_ENTRIES } from './fanout.ts'
import type { Workload } from './types.ts'
import { runWrites } from './writes.ts'

export function manyRooms(o: BenchOptions, docCount: number): Workload {
  return {
    name: 'many-rooms',
    docSet: { count: docCount, entries: WRITE_SET_ENTRIES, compacted: true },
    run: (server, ctx) =>
      runWrites(
        server,
        {
          docs: o.rooms.docs,
          clientsPerDoc: 2,
          writersPerDoc: 2,
          rate: o.rooms.rate,
          seconds: o.seconds,
        },
        ctx,
      ),
  }
}
