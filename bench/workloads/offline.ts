/**
 * Offline reconnect: N clients spread over D documents, plus one observer per
 * document that stays connected (so every server keeps the document loaded,
 * and someone checks delivery). The N clients disconnect, each makes E edits
 * offline, and all reconnect at once; their sync step 2 carries the edits.
 * Measured: time from the reconnects until every client and observer holds
 * every edit of its document (by state vector), then verified that they hold
 * identical notes with every token.
 */
import * as Y from 'yjs'
import { closeAll, connectAll, waitFor } from '../client/pool.ts'
import { RawClient } from '../client/raw-client.ts'
import { docNameOf, notesOf } from '../content.ts'
import type { BenchOptions } from '../options.ts'
import { cpuWindow } from '../proc.ts'
import { WRITE_SET_ENTRIES } from './fanout.ts'
import { monotonicUs, type Workload } from './types.ts'

const TOKEN = /~(\d+)~/g

export function offline(o: BenchOptions, docCount: number): Workload {
  const { clients: count, edits, docs } = o.offline
  return {
    name: 'offline',
    docSet: { count: docCount, entries: WRITE_SET_ENTRIES, compacted: true },
    async run(server, ctx) {
      const ready = (doc: Y.Doc) => notesOf(doc) !== null
      const observers = Array.from(
        { length: docs },
        (_, d) => new RawClient(server.endpoint, docNameOf(d), count + d, { ready }),
      )
      const clients = Array.from(
        { length: count },
        (_, i) => new RawClient(server.endpoint, docNameOf(i % docs), i, { ready }),
      )
      const everyone = [...observers, ...clients]
      try {
        await server.prepareClients(everyone.length)
        await connectAll(everyone, 100, 120_000)
        await Promise.all(clients.map((c) => c.disconnect()))
        clients.forEach((c, i) => {
          editOffline(c, i, edits)
        })
        // What each document must end with: every client's state after its offline edits.
        const expected = observers.map(() => new Map<number, number>())
        clients.forEach((c, i) => {
          expected[i % docs]!.set(c.doc.clientID, Y.getState(c.doc.store, c.doc.clientID))
        })
        const docOf = new Map<RawClient, number>([
          ...observers.map((c, d) => [c, d] as const),
          ...clients.map((c, i) => [c, i % docs] as const),
        ])
        const converged = (c: RawClient) =>
          [...expected[docOf.get(c)!]!].every(([id, clock]) => Y.getState(c.doc.store, id) >= clock)

        const cpu = cpuWindow(server.pid)
        const startUs = monotonicUs()
        const t0 = performance.now()
        await connectAll(clients, Number.POSITIVE_INFINITY, 120_000)
        await waitFor(
          () => everyone.every(converged),
          60_000,
          () => `${everyone.filter(converged).length}/${everyone.length} converged`,
        )
        const seconds = (performance.now() - t0) / 1000
        const { cpuS } = cpu.stop()
        ctx.onWindow?.(startUs, monotonicUs())
        verify(observers, clients, docs, (count / docs) * edits)
        return {
          convergedS: seconds,
          cpuMsPerClient: (cpuS * 1000) / count,
          cpuUsPerEdit: (cpuS * 1e6) / (count * edits),
        }
      } finally {
        await closeAll(everyone)
      }
    },
  }
}

function editOffline(client: RawClient, index: number, edits: number): void {
  const notes = notesOf(client.doc)!
  for (let k = 0; k < edits; k++) notes.insert(notes.length, `~${index * edits + k}~`)
}

function verify(observers: RawClient[], clients: RawClient[], docs: number, tokens: number): void {
  observers.forEach((observer, d) => {
    const group = [observer, ...clients.filter((_, i) => i % docs === d)]
    const texts = group.map((c) => notesOf(c.doc)!.toString())
    if (texts.some((t) => t !== texts[0])) throw new Error(`document ${d}: clients diverged`)
    const found = [...texts[0]!.matchAll(TOKEN)].length
    if (found !== tokens) throw new Error(`document ${d}: ${found}/${tokens} offline edits`)
    const closed = group.find((c) => c.unexpectedClose !== 0)
    if (closed) throw new Error(`document ${d}: a client was closed (${closed.unexpectedClose})`)
  })
}
