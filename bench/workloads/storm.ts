/**
 * Connect storm: a freshly started server (a restart: nothing in memory)
 * holds N documents of E entries each on disk — compacted, as a graceful
 * restart leaves them, or (`storm-replay`) as E separate records to replay,
 * as a crash leaves them; N clients connect at once, one per document. Measured: time from the first connect until every client
 * holds its document's whole seeded history (checked by state vector), and
 * server CPU per connect.
 */

import { closeAll, connectAll } from '../client/pool.ts'
import { RawClient } from '../client/raw-client.ts'
import { docNameOf, holdsSeed } from '../content.ts'
import type { BenchOptions } from '../options.ts'
import { cpuWindow } from '../proc.ts'
import { monotonicUs, type Workload } from './types.ts'

export function storm(o: BenchOptions, compacted: boolean): Workload {
  const { clients: count, entries } = o.storm
  return {
    name: compacted ? 'storm' : 'storm-replay',
    docSet: { count, entries, compacted },
    async run(server, ctx) {
      const clients = Array.from(
        { length: count },
        (_, i) =>
          new RawClient(server.endpoint, docNameOf(i), i, {
            ready: (doc) => holdsSeed(doc, i, entries),
          }),
      )
      try {
        await server.prepareClients(count)
        const rssBase = await server.settledRss()
        const cpu = cpuWindow(server.pid)
        const startUs = monotonicUs()
        const t0 = performance.now()
        await connectAll(clients, Number.POSITIVE_INFINITY, 120_000)
        const seconds = (performance.now() - t0) / 1000
        const { cpuS } = cpu.stop()
        ctx.onWindow?.(startUs, monotonicUs())
        return {
          syncedS: seconds,
          cpuMsPerConnect: (cpuS * 1000) / count,
          rssKiBPerDoc: ((await server.settledRss()) - rssBase) / 1024 / count,
        }
      } finally {
        await closeAll(clients)
      }
    },
  }
}
