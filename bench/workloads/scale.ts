/**
 * Scale: how many idle connections, and how many loaded documents, one
 * server holds within a memory limit. Bounded steps: connect up to each step's
 * count (clients synced and verified by state vector, then idle), let the
 * server settle, read its RSS after a full garbage collection; stop after the last step, at the first step
 * over the limit, or at the first failure. Reported: the largest step held
 * within the limit, the marginal cost per unit (least-squares slope over the
 * steps), and the count the slope projects at the limit.
 */

import { closeAll, connectAll } from '../client/pool.ts'
import { RawClient } from '../client/raw-client.ts'
import { docNameOf, holdsSeed } from '../content.ts'
import type { BenchOptions } from '../options.ts'
import type { RunningServer } from '../servers/types.ts'
import { slope } from '../stats.ts'
import { type Metrics, type RunContext, sleep, type Workload } from './types.ts'

export const SCALE_ENTRIES = 20
/** Documents the idle connections are spread over. */
const IDLE_DOCS = 100
const SETTLE_MS = 500

export interface Step {
  count: number
  rssMiB: number
}

export function scaleConnections(o: BenchOptions): Workload {
  return {
    name: 'scale-conns',
    docSet: { count: IDLE_DOCS, entries: SCALE_ENTRIES, compacted: true },
    run: (server, ctx) => climb(server, ctx, o.scale.conns, o.scale.limitMiB, (i) => i % IDLE_DOCS),
  }
}

export function scaleDocuments(o: BenchOptions): Workload {
  const max = Math.max(...o.scale.docs)
  return {
    name: 'scale-docs',
    docSet: { count: max, entries: SCALE_ENTRIES, compacted: true },
    run: (server, ctx) => climb(server, ctx, o.scale.docs, o.scale.limitMiB, (i) => i),
  }
}

async function climb(
  server: RunningServer,
  ctx: RunContext,
  steps: number[],
  limitMiB: number,
  docFor: (i: number) => number,
): Promise<Metrics> {
  const clients: RawClient[] = []
  const held: Step[] = []
  const base = (await server.settledRss()) / 2 ** 20
  let stoppedBy = 'last step'
  try {
    await server.prepareClients(Math.max(...steps))
    for (const count of [...steps].sort((a, b) => a - b)) {
      const fresh: RawClient[] = []
      while (clients.length < count) {
        const i = clients.length
        const doc = docFor(i)
        const client = new RawClient(server.endpoint, docNameOf(doc), i, {
          light: true,
          ready: (d) => holdsSeed(d, doc, SCALE_ENTRIES),
        })
        clients.push(client)
        fresh.push(client)
      }
      try {
        await connectAll(fresh, 200, 180_000)
      } catch (error) {
        stoppedBy = `failed at ${count}: ${(error as Error).message}`
        break
      }
      await sleep(SETTLE_MS)
      const rssMiB = (await server.settledRss()) / 2 ** 20
      ctx.log(`  ${count}: ${rssMiB.toFixed(0)} MiB`)
      if (rssMiB > limitMiB) {
        stoppedBy = `over ${limitMiB} MiB at ${count}`
        break
      }
      held.push({ count, rssMiB })
    }
  } finally {
    await closeAll(clients)
  }
  return summarize(held, base, limitMiB, stoppedBy, ctx)
}

function summarize(
  held: Step[],
  baseMiB: number,
  limitMiB: number,
  stoppedBy: string,
  ctx: RunContext,
): Metrics {
  if (stoppedBy !== 'last step') ctx.note(`stopped: ${stoppedBy}`)
  const last = held.at(-1)
  if (!last) return { maxHeld: 0, baseMiB }
  const perUnitMiB =
    held.length >= 2
      ? slope(held.map((s) => ({ x: s.count, y: s.rssMiB })))
      : (last.rssMiB - baseMiB) / last.count
  return {
    maxHeld: last.count,
    rssAtMaxMiB: last.rssMiB,
    baseMiB,
    kibPerUnit: perUnitMiB * 1024,
    projectedAtLimit: Math.floor(last.count + (limitMiB - last.rssMiB) / perUnitMiB),
  }
}
