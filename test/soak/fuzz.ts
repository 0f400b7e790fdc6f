/**
 * Long fuzz (issue 8 §3): at least 1,000,000 sync messages over real sockets, plus an
 * exact-mode phase (every refused message checked to change nothing) and random HTTP
 * requests to every route. Prints the count and memory (heap after GC, RSS) as it
 * goes; exits non-zero on the first violation, a crash, or unbounded memory.
 *
 *   node --expose-gc --import tsx test/soak/fuzz.ts   (SOAK_MESSAGES=… to change the target)
 */
import { writeFile } from 'node:fs/promises'
import fc from 'fast-check'
import * as Y from 'yjs'
import { defaultConfig } from '../../server/config.ts'
import { emptyHttpStats, httpPlan, runHttpPlan } from '../support/fuzz-http.ts'
import {
  anyPlan,
  busyPlan,
  emptyStats,
  type FuzzTarget,
  fuzzBatches,
  fuzzExact,
} from '../support/fuzz-sync.ts'
import { metricValue } from '../support/metrics.ts'
import { startTestServer } from '../support/server.ts'
import { RawSyncClient, stateVectorOf } from '../support/sync-client.ts'

const TARGET = Number(process.env.SOAK_MESSAGES ?? 1_000_000)
const EXACT = Number(process.env.SOAK_EXACT_MESSAGES ?? 10_000)
const HTTP = Number(process.env.SOAK_HTTP_REQUESTS ?? 10_000)
const WORKERS = 8
const BATCH = 50
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31)

Error.stackTraceLimit = 50
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run soak does)')
let crashed: unknown = null
// The server runs in this process: anything uncaught is a crash, reported at the end.
process.on('uncaughtException', (error) => {
  console.log(`UNCAUGHT ${error instanceof Error ? error.stack : String(error)}`)
  crashed = error
})

function memory() {
  gc!()
  const { heapUsed, rss, external } = process.memoryUsage()
  return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20, external: external / 2 ** 20 }
}
const mb = (n: number) => `${n.toFixed(0)} MB`

async function main(): Promise<number> {
  // Rate limits out of the way (they are tested on their own): this run is about decoders.
  const overrides = {
    limits: { maxMessageBytes: 64 * 1024, messagesPerSecond: 1e6, messageBurst: 1e6 },
  }
  const config = defaultConfig(overrides) // for the limits only: the server takes port 0
  const t = await startTestServer({ config: overrides })
  const patient = t.registry.read().patients[0]!.id
  const target: FuzzTarget = {
    wsUrl: t.wsUrl,
    tokens: [await t.login('tech'), await t.login('bose'), await t.login('admin')],
    docs: [
      'study/A10190',
      'study/A10191',
      'study/A10192',
      'study/A10193',
      `patient/${patient}`,
      'study/A10194/report',
      'study/A10195/state',
      'study/A10196',
    ],
    limits: config.limits,
    room: (name) => t.server.rooms.with(name, (r) => r),
  }
  console.log(`fuzz soak: seed ${seed}, target ${TARGET.toLocaleString()} messages`)
  const stats = emptyStats()
  /** Fuzz messages the server actually read (a refusal drops the rest of its batch unread). */
  const received = async () =>
    metricValue(await t.server.metrics.registry.metrics(), 'studysync_messages_in_total') -
    stats.probes
  let fuzzed = 0
  const started = performance.now()
  const samples: { sent: number; heap: number; rss: number }[] = []
  const sample = () => {
    const m = memory()
    samples.push({ sent: fuzzed, ...m })
    const rate = fuzzed / ((performance.now() - started) / 1000)
    console.log(
      `  ${fuzzed.toLocaleString().padStart(11)} messages, ${stats.connections.toLocaleString()} connections, ` +
        `${Math.round(rate).toLocaleString()}/s, heap ${mb(m.heap)}, external ${mb(m.external)}, rss ${mb(m.rss)}`,
    )
  }
  sample()

  // Phase 1: exact mode — every message on its own, refused ones must change nothing.
  // Generated one run at a time, so that the figures are the server's memory, not the plans'.
  const exactRun = fc.array(anyPlan, { minLength: 1, maxLength: 20 })
  for (let i = 0; stats.sent < EXACT; i++) {
    const [plans] = fc.sample(exactRun, { numRuns: 1, seed: seed + i })
    await fuzzExact(target, plans!, stats, i)
    if (stats.failures.length > 0 || crashed) break
  }
  const exactSent = stats.sent
  const exactChecks = stats.unchangedChecks
  fuzzed = await received()
  sample()

  // A stall is a finding: say what everyone is waiting for instead of hanging quietly.
  let stage = 'batches'
  let lastFuzzed = -1
  const watchdog = setInterval(() => {
    if (fuzzed !== lastFuzzed) {
      lastFuzzed = fuzzed
      return
    }
    const rooms = t.server.rooms as unknown as { unloading: Map<string, unknown> }
    console.log(
      `  STALLED at ${fuzzed} (${stage}); workers: ${JSON.stringify([...stats.stages])}; ` +
        `rooms loaded ${t.server.rooms.loadedCount}, unloading ${JSON.stringify([...rooms.unloading.keys()])}, ` +
        `connections ${t.server.sync.connections.size}`,
    )
  }, 30_000)
  // Phase 2: batches from 8 workers in parallel until the target.
  let nextSample = fuzzed + 100_000
  let round = 0
  while (fuzzed < TARGET && stats.failures.length === 0 && !crashed) {
    round++
    await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => {
        const batches = fc.sample(fc.array(busyPlan, { minLength: BATCH, maxLength: BATCH }), {
          numRuns: 20,
          seed: seed + round * WORKERS + w,
        })
        return fuzzBatches(target, batches, stats, w)
      }),
    )
    stage = 'reading the message count'
    fuzzed = await received()
    if (fuzzed >= nextSample) {
      sample()
      nextSample += 100_000
      stage = 'checking an honest edit'
      await honestEditFlows(t.wsUrl, target.tokens[0]!, target.tokens[2]!)
    }
    stage = 'batches'
  }
  clearInterval(watchdog)
  sample()

  // Phase 3: HTTP.
  const data = t.registry.read()
  const httpStats = emptyHttpStats()
  const http = {
    url: t.url,
    routes: t.server.routes,
    tokens: {
      admin: await t.login('admin'),
      radiologist: await t.login('bose'),
      clerk: await t.login('clerk'),
    },
    login: (role: 'admin' | 'radiologist' | 'clerk') =>
      t.login({ admin: 'admin', radiologist: 'bose', clerk: 'clerk' }[role]),
    ids: [
      ...data.studies.slice(0, 50).map((s) => s.accession),
      ...data.patients.slice(0, 10).map((p) => p.id),
    ],
  }
  // In chunks: 10,000 plans held at once (some with 200 kB bodies) would be the harness's
  // memory, not the server's, in the figures.
  const plans = function* () {
    for (let chunk = 0; chunk * 500 < HTTP; chunk++) {
      const arb = httpPlan(http.routes.length, http.ids.length)
      yield* fc.sample(arb, { numRuns: Math.min(500, HTTP - chunk * 500), seed: seed + chunk })
    }
  }
  for (const plan of plans()) {
    await runHttpPlan(http, plan, httpStats)
    if (httpStats.requests % 2000 === 0) {
      const m = memory()
      samples.push({ sent: fuzzed, ...m })
      console.log(
        `  ${httpStats.requests.toLocaleString().padStart(11)} HTTP requests, heap ${mb(m.heap)}, external ${mb(m.external)}, rss ${mb(m.rss)}`,
      )
    }
    if (httpStats.failures.length > 0) break
  }
  await honestEditFlows(t.wsUrl, target.tokens[0]!, target.tokens[2]!)
  const end = memory()

  const seconds = (performance.now() - started) / 1000
  const baseline = samples[1]!.heap
  const docBytes = await Promise.all(
    target.docs.map(async (d) => Y.encodeStateAsUpdate((await target.room(d)).doc).length),
  )
  console.log('\nfuzz soak results')
  console.log(`  seed                 ${seed}`)
  console.log(
    `  messages fuzzed      ${fuzzed.toLocaleString()} read by the server (${stats.sent.toLocaleString()} sent; ${stats.probes.toLocaleString()} probes not counted)`,
  )
  console.log(
    `  exact-mode messages  ${exactSent.toLocaleString()} (${exactChecks.toLocaleString()} refusals checked unchanged)`,
  )
  console.log(`  connections          ${stats.connections.toLocaleString()}`)
  console.log(`  refusals by code     ${JSON.stringify(stats.refusals)}`)
  console.log(`  accepted changes     ${stats.changes.toLocaleString()} (exact mode)`)
  console.log(
    `  HTTP requests        ${httpStats.requests.toLocaleString()} ${JSON.stringify(httpStats.byStatus)}`,
  )
  console.log(
    `  memory               heap ${mb(samples[0]!.heap)} → ${mb(end.heap)} after GC (peak ${mb(Math.max(...samples.map((s) => s.heap)))}), rss ${mb(end.rss)} (peak ${mb(Math.max(...samples.map((s) => s.rss)))})`,
  )
  console.log(
    `  document sizes       ${docBytes.map((b) => `${(b / 1024).toFixed(0)} kB`).join(', ')}`,
  )
  console.log(`  time                 ${seconds.toFixed(0)} s`)
  await t.close()
  const failures = [...stats.failures, ...httpStats.failures]
  if (crashed) failures.push(`uncaught exception: ${String(crashed)}`)
  // Documents legitimately grow with accepted edits; anything beyond 256 MB over the
  // post-warm-up baseline would be a leak at this scale.
  if (end.heap - baseline > 256) failures.push(`heap grew ${mb(end.heap - baseline)} over the run`)
  if (fuzzed < TARGET) failures.push(`only ${fuzzed} messages were fuzzed`)
  for (const f of failures.slice(0, 20)) console.log(`FAIL ${f}`)
  if (stats.repro) {
    const file = `fuzz-repro-${seed}.json`
    const { docName, before, messages } = stats.repro
    const b64 = (m: Uint8Array | string) =>
      typeof m === 'string' ? { text: m } : Buffer.from(m).toString('base64')
    await writeFile(
      file,
      JSON.stringify({ docName, before: b64(before), messages: messages.map(b64) }),
    )
    console.log(`  the failing batch is in ${file} (document before it, then the messages)`)
  }
  console.log(failures.length === 0 ? 'fuzz soak: PASS' : `fuzz soak: FAIL (${failures.length})`)
  return failures.length === 0 ? 0 : 1
}

async function honestEditFlows(wsUrl: string, a: string, b: string): Promise<void> {
  const one = new RawSyncClient({ docName: 'study/A10197', token: a })
  const two = new RawSyncClient({ docName: 'study/A10197', token: b })
  await Promise.all([one.connect(wsUrl), two.connect(wsUrl)])
  one.doc.getMap('fields').set('bodyPart', `HONEST ${Date.now()}`)
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    two.whenHas(stateVectorOf(one.doc)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('an honest edit did not arrive in 20 s')), 20_000)
    }),
  ]).finally(() => clearTimeout(timer))
  if (two.doc.getMap('fields').get('bodyPart') !== one.doc.getMap('fields').get('bodyPart')) {
    throw new Error('an honest edit did not reach the other client')
  }
  one.terminate()
  two.terminate()
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.log(
      `fuzz soak: FAIL (the harness stopped: ${error instanceof Error ? error.stack : error})`,
    )
    process.exit(1)
  },
)
