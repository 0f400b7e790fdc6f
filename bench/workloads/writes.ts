/**
 * Writers append tokens (`~<write number>~`) to the `notes` of their study
 * form at a fixed total rate; every other client of the document records the
 * latency of each token it receives. Shared by fan-out and many rooms.
 *
 * Verified before any number counts: every client received every token
 * written to its document by others (100 % delivery), all clients of a
 * document end with identical notes, and those notes hold every token.
 */
import type * as Y from 'yjs'
import { closeAll, connectAll, waitFor } from '../client/pool.ts'
import { RawClient } from '../client/raw-client.ts'
import { docNameOf, notesOf } from '../content.ts'
import { cpuWindow } from '../proc.ts'
import type { RunningServer } from '../servers/types.ts'
import { percentile } from '../stats.ts'
import { paced } from './pacer.ts'
import { type Metrics, monotonicUs, type RunContext } from './types.ts'

export interface WriteLoad {
  docs: number
  clientsPerDoc: number
  writersPerDoc: number
  /** Writes per second, all writers together. */
  rate: number
  seconds: number
}

/** Longest wait for the last deliveries after the last write. */
const DRAIN_MS = 20_000
const CONNECT_CONCURRENCY = 100
const TOKEN = /~(\d+)~/g

interface Member {
  client: RawClient
  doc: number
  received: number
}

export async function runWrites(
  server: RunningServer,
  load: WriteLoad,
  ctx: RunContext,
): Promise<Metrics> {
  const members: Member[] = []
  try {
    return await measure(server, load, ctx, members)
  } finally {
    await closeAll(members.map((m) => m.client))
  }
}

async function measure(
  server: RunningServer,
  load: WriteLoad,
  ctx: RunContext,
  members: Member[],
): Promise<Metrics> {
  const { pid } = server
  for (let d = 0; d < load.docs; d++) {
    for (let c = 0; c < load.clientsPerDoc; c++) {
      const client = new RawClient(server.endpoint, docNameOf(d), members.length, {
        ready: (doc) => notesOf(doc) !== null,
      })
      members.push({ client, doc: d, received: 0 })
    }
  }
  await server.prepareClients(members.length)
  const rssBase = await server.settledRss()
  await connectAll(
    members.map((m) => m.client),
    CONNECT_CONCURRENCY,
    120_000,
  )
  const rssConnected = await server.settledRss()

  const total = Math.round(load.rate * load.seconds)
  const sentAt = new Float64Array(total)
  const latencies: number[] = []
  const writesTo = new Array<number>(load.docs).fill(0)
  for (const member of members) observe(member, sentAt, latencies)

  const writers = members.filter((_, i) => i % load.clientsPerDoc < load.writersPerDoc)
  const cpu = cpuWindow(pid)
  const startUs = monotonicUs()
  const { seconds } = await paced(load.rate, total, (k) => {
    const writer = writers[k % writers.length]!
    const notes = notesOf(writer.client.doc)!
    writesTo[writer.doc]!++
    sentAt[k] = performance.now()
    notes.insert(notes.length, `~${k}~`)
  })
  const expected = total * (load.clientsPerDoc - 1)
  const received = () => members.reduce((s, m) => s + m.received, 0)
  await waitFor(
    () => received() >= expected,
    DRAIN_MS,
    () => `delivered ${received()}/${expected} tokens`,
  )
  const { cpuS, wallS, sysS, mainS } = cpu.stop()
  ctx.onWindow?.(startUs, monotonicUs())
  const rssEnd = await server.settledRss()
  verify(members, writesTo, load.clientsPerDoc)

  const conns = members.length
  return {
    writes: total,
    achievedRate: total / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    cpuUsPerWrite: (cpuS * 1e6) / total,
    serverCpuPct: (cpuS / wallS) * 100,
    /** Shares of the server's CPU: kernel time, and the main (JavaScript) thread. */
    sysPct: (sysS / cpuS) * 100,
    mainThreadPct: (mainS / cpuS) * 100,
    rssConnectedKiBPerConn: (rssConnected - rssBase) / 1024 / conns,
    rssKiBPerConn: (rssEnd - rssBase) / 1024 / conns,
    rssEndMiB: rssEnd / 2 ** 20,
  }
}

/** Records the latency of every token that arrives from elsewhere. */
function observe(member: Member, sentAt: Float64Array, latencies: number[]): void {
  const notes = notesOf(member.client.doc)!
  notes.observe((event: Y.YTextEvent) => {
    if (event.transaction.origin !== member.client) return
    const now = performance.now()
    for (const op of event.delta) {
      if (typeof op.insert !== 'string') continue
      for (const match of op.insert.matchAll(TOKEN)) {
        latencies.push(now - sentAt[Number(match[1])]!)
        member.received++
      }
    }
  })
}

function verify(members: Member[], writesTo: number[], clientsPerDoc: number): void {
  for (let i = 0; i < members.length; i += clientsPerDoc) {
    const group = members.slice(i, i + clientsPerDoc)
    const d = group[0]!.doc
    const texts = group.map((m) => notesOf(m.client.doc)!.toString())
    if (texts.some((t) => t !== texts[0])) throw new Error(`document ${d}: clients diverged`)
    const tokens = [...texts[0]!.matchAll(TOKEN)].length
    if (tokens !== writesTo[d]) throw new Error(`document ${d}: ${tokens}/${writesTo[d]} tokens`)
    const closed = group.find((m) => m.client.unexpectedClose !== 0)
    if (closed)
      throw new Error(`document ${d}: a client was closed (${closed.client.unexpectedClose})`)
  }
}
