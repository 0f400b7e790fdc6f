/**
 * Presence: D documents × 2 clients, each publishing its awareness state
 * (a cursor and a sequence number) once a second, staggered. Each client
 * records the latency of every state of its peer; verified that every state
 * arrived (100 %, in order) at the peer.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { closeAll, connectAll, waitFor } from '../client/pool.ts'
import { RawClient } from '../client/raw-client.ts'
import { docNameOf, notesOf } from '../content.ts'
import type { BenchOptions } from '../options.ts'
import { cpuWindow } from '../proc.ts'
import type { RunningServer } from '../servers/types.ts'
import { percentile } from '../stats.ts'
import { WRITE_SET_ENTRIES } from './fanout.ts'
import { paced } from './pacer.ts'
import { type Metrics, monotonicUs, type RunContext, type Workload } from './types.ts'

const PER_CLIENT_HZ = 1

interface Peer {
  client: RawClient
  clock: number
  /** performance.now() of each state this client sent, by sequence number. */
  sentAt: number[]
  /** Highest sequence number received from the other client of the document. */
  lastSeen: number
  received: number
  /** States that did not follow the previous one (lost or reordered). */
  outOfOrder: number
  other: Peer | null
}

export function presence(o: BenchOptions, docCount: number): Workload {
  return {
    name: 'presence',
    docSet: { count: docCount, entries: WRITE_SET_ENTRIES, compacted: true },
    async run(server, ctx) {
      const peers: Peer[] = []
      try {
        return await measure(o, server, ctx, peers)
      } finally {
        await closeAll(peers.map((p) => p.client))
      }
    },
  }
}

async function measure(
  o: BenchOptions,
  server: RunningServer,
  ctx: RunContext,
  peers: Peer[],
): Promise<Metrics> {
  const latencies: number[] = []
  for (let d = 0; d < o.presence.docs; d++) {
    const pair = [0, 1].map(() => {
      const peer: Peer = {
        client: new RawClient(server.endpoint, docNameOf(d), peers.length, {
          ready: (doc) => notesOf(doc) !== null,
          onAwareness: (update) => receive(peer, update, latencies),
        }),
        clock: 0,
        sentAt: [],
        lastSeen: -1,
        received: 0,
        outOfOrder: 0,
        other: null,
      }
      peers.push(peer)
      return peer
    })
    pair[0]!.other = pair[1]!
    pair[1]!.other = pair[0]!
  }
  await server.prepareClients(peers.length)
  await connectAll(
    peers.map((p) => p.client),
    100,
    120_000,
  )
  const perClient = Math.max(1, Math.round(o.seconds * PER_CLIENT_HZ))
  const total = perClient * peers.length
  const cpu = cpuWindow(server.pid)
  const startUs = monotonicUs()
  await paced(PER_CLIENT_HZ * peers.length, total, (k) => publish(peers[k % peers.length]!))
  await waitFor(
    () => peers.every((p) => p.received === p.other!.sentAt.length),
    20_000,
    () => `delivered ${peers.reduce((s, p) => s + p.received, 0)}/${total} awareness states`,
  )
  const { cpuS, wallS, sysS, mainS } = cpu.stop()
  ctx.onWindow?.(startUs, monotonicUs())
  const closed = peers.find((p) => p.client.unexpectedClose !== 0)
  if (closed) throw new Error(`a client was closed (${closed.client.unexpectedClose})`)
  if (peers.some((p) => p.outOfOrder > 0)) throw new Error('awareness states lost or reordered')
  return {
    updates: total,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuUsPerUpdate: (cpuS * 1e6) / total,
    serverCpuPct: (cpuS / wallS) * 100,
    sysPct: (sysS / cpuS) * 100,
    mainThreadPct: (mainS / cpuS) * 100,
  }
}

/** One awareness entry, encoded as y-protocols does: count, client id, clock, JSON state. */
function publish(peer: Peer): void {
  const seq = peer.sentAt.length
  const state = { user: { name: 'bench' }, cursor: { anchor: seq, head: seq + 1 }, seq }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, peer.client.doc.clientID)
  encoding.writeVarUint(encoder, ++peer.clock)
  encoding.writeVarString(encoder, JSON.stringify(state))
  peer.sentAt.push(performance.now())
  peer.client.sendAwareness(encoding.toUint8Array(encoder))
}

function receive(peer: Peer, update: Uint8Array, latencies: number[]): void {
  const now = performance.now()
  const other = peer.other
  if (!other) return
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    decoding.readVarUint(decoder) // clock
    const state = JSON.parse(decoding.readVarString(decoder)) as { seq?: number } | null
    if (clientId !== other.client.doc.clientID || typeof state?.seq !== 'number') continue
    if (state.seq !== peer.lastSeen + 1) peer.outOfOrder++
    peer.lastSeen = state.seq
    peer.received++
    latencies.push(now - other.sentAt[state.seq]!)
  }
}
