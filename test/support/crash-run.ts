/**
 * Crash durability under load (issue 8 §1, DESIGN §8), shared by the short
 * integration test and the long soak: a spawned server takes continuous writes
 * from many raw clients over several study documents and is SIGKILLed at random
 * moments. After each restart on the same DATA_DIR — and before any writer
 * reconnects, so no client can heal what the server lost — a fresh reader opens
 * every document and must hold everything any writer saw acknowledged (type 100)
 * or observed from another writer.
 *
 * Every transaction inserts something (a text marker or a new map value), so a
 * state vector check covers it whole: the server logs an update as one record.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { login } from './server.ts'
import { type SpawnedServer, spawnServer } from './spawned.ts'
import {
  covers,
  missingFrom,
  RawSyncClient,
  type StateVector,
  stateVectorOf,
} from './sync-client.ts'

export interface CrashRunOptions {
  kills: number
  writers: number
  docs: readonly string[]
  /** How long the server runs under load before each kill, drawn uniformly (ms). */
  upMs: readonly [number, number]
  /** Pause between one writer's transactions (ms). */
  writeEveryMs: number
  /** Seed for the random choices (kill times, edits); printed so a failure can be replayed. */
  seed?: number
  progress?: (line: string) => void
}

export interface CrashRunReport {
  seed: number
  kills: number
  transactions: number
  /** Transactions the server acknowledged as durable before a kill. */
  acknowledged: number
  /** (document, restart) pairs checked against what writers saw. */
  checks: number
  /** Restarts whose log reported a torn final record (a kill mid-write). */
  tornTails: number
  restartMs: { avg: number; max: number }
  /** Every violation found; empty when nothing was lost. */
  failures: string[]
}

const WRITERS_AS = ['bose', 'huyen', 'perf', 'tech', 'trans', 'admin'] as const
const MAP_FIELDS = ['description', 'referringPhysician', 'bodyPart'] as const
const TEXT_FIELDS = ['notes', 'clinicalHistory'] as const

interface Writer {
  client: RawSyncClient
  docName: string
  token: string
  n: number
  /** The writer's own clock after each of its transactions (to count acknowledged ones). */
  ends: number[]
  timer: NodeJS.Timeout | null
}

export async function runCrashDurability(options: CrashRunOptions): Promise<CrashRunReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const rand = mulberry32(seed)
  const say = options.progress ?? (() => {})
  const dataDir = await mkdtemp(join(tmpdir(), 'studysync-crash-'))
  const report: CrashRunReport = {
    seed,
    kills: 0,
    transactions: 0,
    acknowledged: 0,
    checks: 0,
    tornTails: 0,
    restartMs: { avg: 0, max: 0 },
    failures: [],
  }
  const restarts: number[] = []
  let server: SpawnedServer = await spawnServer(dataDir)
  const writers: Writer[] = []
  try {
    const tokens = new Map<string, string>()
    for (const user of WRITERS_AS) tokens.set(user, await login(server.url, user))
    for (let i = 0; i < options.writers; i++) {
      const token = tokens.get(WRITERS_AS[i % WRITERS_AS.length]!)!
      const docName = options.docs[i % options.docs.length]!
      writers.push({
        client: new RawSyncClient({ docName, token, savedAck: true }),
        docName,
        token,
        n: 0,
        ends: [],
        timer: null,
      })
    }
    for (let kill = 1; kill <= options.kills; kill++) {
      await Promise.all(writers.map((w) => w.client.connect(server.wsUrl)))
      for (const w of writers) startWriting(w, options.writeEveryMs, rand, report)
      await delay(options.upMs[0] + rand() * (options.upMs[1] - options.upMs[0]))
      await server.kill9()
      for (const w of writers) stopWriting(w)
      await Promise.all(writers.map((w) => w.client.whenClosed()))
      report.kills++
      for (const w of writers) {
        const close = w.client.closes.at(-1)
        // A kill is an abnormal closure (1006); anything else was the server refusing a writer.
        if (close && close.code !== 1006) {
          report.failures.push(
            `kill ${kill}: a writer was closed with ${close.code} ${close.reason}`,
          )
        }
      }
      // What each writer saw, frozen at the kill: nothing can arrive any more.
      const expected = writers.map((w) => ({ w, sv: w.client.mustSurvive() }))
      const before = server.output().length
      const started = performance.now()
      server = await spawnServer(dataDir)
      restarts.push(performance.now() - started)
      await verifyAfterRestart(server, options.docs, expected, writers, report)
      if (/dropped a torn final log record/.test(server.output().slice(before))) report.tornTails++
      say(
        `kill ${kill}/${options.kills}: ${report.transactions} transactions, ` +
          `${ackedCount(writers)} acknowledged, restart ${Math.round(restarts.at(-1)!)} ms, ` +
          `${report.failures.length} failures`,
      )
      if (report.failures.length > 0) break
    }
    report.acknowledged = ackedCount(writers)
    // Finally every writer comes back and all converge on the server's copy.
    await Promise.all(writers.map((w) => w.client.connect(server.wsUrl)))
    await checkConvergence(server, options.docs, writers, report)
  } finally {
    for (const w of writers) {
      stopWriting(w)
      w.client.terminate()
    }
    await server.stop().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  }
  report.restartMs = {
    avg: Math.round(restarts.reduce((a, b) => a + b, 0) / Math.max(1, restarts.length)),
    max: Math.round(Math.max(0, ...restarts)),
  }
  return report
}

function startWriting(w: Writer, everyMs: number, rand: () => number, report: CrashRunReport) {
  const tick = () => {
    if (!w.client.open) return
    edit(w, rand)
    report.transactions++
    w.timer = setTimeout(tick, everyMs * (0.5 + rand()))
  }
  w.timer = setTimeout(tick, everyMs * rand())
}

function stopWriting(w: Writer): void {
  if (w.timer) clearTimeout(w.timer)
  w.timer = null
}

/** One transaction that inserts something and stays within the study form's schema. */
function edit(w: Writer, rand: () => number): void {
  const { doc } = w.client
  const fields = doc.getMap('fields')
  const mark = `${doc.clientID.toString(36)}.${++w.n}`
  doc.transact(() => {
    if (rand() < 0.5) {
      fields.set(MAP_FIELDS[Math.floor(rand() * MAP_FIELDS.length)]!, mark)
      return
    }
    const text = fields.get(TEXT_FIELDS[Math.floor(rand() * TEXT_FIELDS.length)]!)
    if (!(text instanceof Y.Text)) return void fields.set('bodyPart', mark)
    text.insert(Math.floor(rand() * (text.length + 1)), ` ${mark}`)
    // Keep the field far below its 20,000-character limit: delete in the same transaction.
    if (text.length > 4000) text.delete(0, 200)
  })
  w.ends.push(Y.getState(doc.store, doc.clientID))
}

async function verifyAfterRestart(
  server: SpawnedServer,
  docs: readonly string[],
  expected: { w: Writer; sv: StateVector }[],
  writers: Writer[],
  report: CrashRunReport,
): Promise<void> {
  const token = writers[0]!.token
  for (const docName of docs) {
    const reader = new RawSyncClient({ docName, token })
    try {
      await reader.connect(server.wsUrl)
    } catch (error) {
      report.failures.push(`${docName} failed to load after kill ${report.kills}: ${error}`)
      continue
    }
    const have = stateVectorOf(reader.doc)
    for (const { w, sv } of expected.filter((e) => e.w.docName === docName)) {
      report.checks++
      if (!covers(have, sv)) {
        report.failures.push(
          `kill ${report.kills}: ${docName} lost what writer ${w.client.doc.clientID} saw: ` +
            missingFrom(have, sv).join(', '),
        )
      }
    }
    reader.terminate()
    reader.doc.destroy()
  }
}

async function checkConvergence(
  server: SpawnedServer,
  docs: readonly string[],
  writers: Writer[],
  report: CrashRunReport,
): Promise<void> {
  for (const docName of docs) {
    const mine = writers.filter((w) => w.docName === docName)
    // Every writer's edits, including ones never acknowledged, are resent on reconnect.
    await Promise.all(mine.map((w) => withTimeout(w.client.whenAcked(), `${docName} acks`)))
    const reader = new RawSyncClient({ docName, token: writers[0]!.token })
    await reader.connect(server.wsUrl)
    const want = JSON.stringify(reader.doc.getMap('fields').toJSON())
    for (const w of mine) {
      // The reader's copy may hold edits a writer has not received yet: wait for them.
      await withTimeout(w.client.whenHas(stateVectorOf(reader.doc)), `${docName} catch-up`)
      const got = JSON.stringify(w.client.doc.getMap('fields').toJSON())
      if (got !== want) report.failures.push(`${docName}: writer did not converge with the server`)
    }
    reader.terminate()
  }
}

function ackedCount(writers: Writer[]): number {
  let n = 0
  for (const w of writers) {
    const acked = w.client.acked.get(w.client.doc.clientID) ?? 0
    n += w.ends.filter((end) => end <= acked).length
  }
  return n
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A small seeded PRNG, so a failing run can be replayed from its printed seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
