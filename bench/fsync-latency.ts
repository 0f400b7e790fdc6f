/**
 * Measures the server's log group commit under load: N clients each make M
 * edits to their own study form through a spawned server, then /metrics gives
 * the fsync latency histogram and records per fsync. Used for the closing
 * note's figures until the full benchmark harness exists.
 *
 *   npx tsx bench/fsync-latency.ts [clients=50] [editsPerClient=40]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as Y from 'yjs'
import { connectClient, until, whenSynced } from '../test/support/clients.ts'
import { login } from '../test/support/server.ts'
import { spawnServer } from '../test/support/spawned.ts'

const clients = Number(process.argv[2] ?? 50)
const edits = Number(process.argv[3] ?? 40)
const dir = await mkdtemp(join(tmpdir(), 'studysync-fsync-'))
// Seed the demo site first, so its 230 initial appends do not count.
await (await spawnServer(dir)).stop()
const server = await spawnServer(dir, { METRICS_TOKEN: 'bench' })
try {
  const token = await login(server.url, 'bose')
  const peers = await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const accession = `A${10001 + (i % 200)}`
      const c = connectClient(server.wsUrl, `study/${accession}`, token)
      await whenSynced(c)
      return c
    }),
  )
  const started = performance.now()
  for (let round = 0; round < edits; round++) {
    for (const [i, c] of peers.entries()) {
      const notes = c.doc.getMap('fields').get('notes') as Y.Text
      notes.insert(notes.length, `<${i}.${round}>`)
    }
  }
  const last = `<${0}.${edits - 1}>`
  const probe = connectClient(server.wsUrl, `study/A${10001}`, await login(server.url, 'huyen'))
  await whenSynced(probe)
  await until(probe.doc, () =>
    (probe.doc.getMap('fields').get('notes') as Y.Text).toString().includes(last),
  )
  const elapsed = performance.now() - started
  const metrics = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer bench' } })
  ).text()
  const seconds = histogram(metrics, 'studysync_log_fsync_seconds')
  const records = histogram(metrics, 'studysync_log_fsync_records')
  console.log(
    `${clients} clients × ${edits} edits = ${clients * edits} updates in ${elapsed.toFixed(0)} ms`,
  )
  console.log(
    `group commits: ${seconds.count}, records per commit: mean ${(records.sum / records.count).toFixed(1)}`,
  )
  console.log(
    `fsync latency: mean ${((seconds.sum / seconds.count) * 1000).toFixed(2)} ms, p50 ≤ ${seconds.quantile(0.5) * 1000} ms, p99 ≤ ${seconds.quantile(0.99) * 1000} ms`,
  )
  for (const c of [...peers, probe]) c.destroy()
} finally {
  await server.stop()
  await rm(dir, { recursive: true, force: true })
}

function histogram(text: string, name: string) {
  const buckets: { le: number; count: number }[] = []
  let sum = 0
  let count = 0
  for (const line of text.split('\n')) {
    const bucket = line.match(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`))
    if (bucket)
      buckets.push({
        le: bucket[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(bucket[1]),
        count: Number(bucket[2]),
      })
    if (line.startsWith(`${name}_sum`)) sum = Number(line.split(' ')[1])
    if (line.startsWith(`${name}_count`)) count = Number(line.split(' ')[1])
  }
  return {
    sum,
    count,
    quantile: (q: number) => buckets.find((b) => b.count >= q * count)?.le ?? Number.NaN,
  }
}
