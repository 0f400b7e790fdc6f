/**
 * Reconnect storm (issue 5, DESIGN §6): 500 tablets hold ~100 study documents
 * open, the server is killed with SIGKILL and restarted on the same port, and
 * every client comes back with full-jitter backoff (the client's policy, capped at
 * a few seconds). The restarted server must stay responsive (GET /healthz under
 * 500 ms throughout) and every client must resync.
 *
 * The clients are raw y-protocols sockets (one Y.Doc each): a provider per client
 * would make the test process, not the server, the bottleneck being measured.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { type BackoffPolicy, jitteredBackoff } from '../../client/connection/backoff.ts'
import { MessageType } from '../../shared/protocol.ts'
import { type SpawnedServer, spawnServer } from '../support/spawned.ts'

const CLIENTS = 500
const DOCS = 100
/** Sessions to spread the clients over (the server caps open connections per session). */
const SESSIONS = 10
const STORM_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 3000 }
const HEALTHZ_LIMIT_MS = 500

/** One tablet's document: reconnects with full jitter until stopped; counts syncs. */
class StormClient {
  readonly doc = new Y.Doc()
  syncs = 0
  /** Sockets opened (first connect and every retry). */
  attempts = 0
  #ws: WebSocket | null = null
  #attempt = 0
  #stopped = false
  #timer: NodeJS.Timeout | null = null

  constructor(
    readonly url: string,
    readonly onSynced: (client: StormClient) => void,
  ) {}

  connect(): void {
    if (this.#stopped) return
    this.attempts++
    const ws = new WebSocket(this.url)
    ws.binaryType = 'arraybuffer'
    this.#ws = ws
    ws.on('open', () => ws.send(step1(this.doc)))
    ws.on('message', (data: ArrayBuffer) => this.#onMessage(ws, new Uint8Array(data)))
    ws.on('error', () => {}) // a close follows
    ws.on('close', () => this.#retry())
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#ws?.terminate()
  }

  #onMessage(ws: WebSocket, bytes: Uint8Array): void {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== MessageType.sync) return // awareness: not needed here
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    const type = syncProtocol.readSyncMessage(decoder, encoder, this.doc, null)
    if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder))
    if (type === syncProtocol.messageYjsSyncStep2) {
      this.#attempt = 0
      this.syncs++
      this.onSynced(this)
    }
  }

  #retry(): void {
    if (this.#stopped) return
    this.#attempt++
    const delay = jitteredBackoff(this.#attempt, Math.random, STORM_BACKOFF)
    this.#timer = setTimeout(() => this.connect(), delay)
  }
}

function step1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.sync)
  syncProtocol.writeSyncStep1(encoder, doc)
  return encoding.toUint8Array(encoder)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function login(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { token: string }).token
}

async function accessions(url: string, token: string): Promise<string[]> {
  const response = await fetch(`${url}/api/v1/worklist`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const { rows } = (await response.json()) as { rows: { accession: string }[] }
  return rows.map((row) => row.accession)
}

/** Until every client synced `times` times in total; resolves with the moment it happened. */
function allSynced(clients: StormClient[], times: number): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (clients.every((c) => c.syncs >= times)) resolve(performance.now())
      else setTimeout(check, 20)
    }
    check()
  })
}

/** Polls /healthz until `done` settles; resolves with every latency seen (ms). */
async function probeHealth(url: string, done: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = []
  let finished = false
  void done.then(() => {
    finished = true
  })
  while (!finished) {
    const started = performance.now()
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })
    await response.arrayBuffer()
    expect(response.status).toBe(200)
    latencies.push(performance.now() - started)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return latencies
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0

describe('reconnect storm', () => {
  let dataDir = ''
  let server: SpawnedServer | null = null
  const clients: StormClient[] = []
  afterAll(async () => {
    for (const client of clients) client.stop()
    await server?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it(`${CLIENTS} clients on ${DOCS} docs come back after kill -9 and a restart; /healthz stays under ${HEALTHZ_LIMIT_MS} ms`, {
    timeout: 60_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'studysync-storm-'))
    const env = { STUDYSYNC_DEMO: '1', PORT: String(await freePort()) }
    server = await spawnServer(dataDir, env)
    const { url, wsUrl } = server
    const tokens = await Promise.all(Array.from({ length: SESSIONS }, () => login(url, 'admin')))
    const docs = (await accessions(url, tokens[0]!)).slice(0, DOCS)
    expect(docs.length).toBe(DOCS)

    for (let i = 0; i < CLIENTS; i++) {
      const doc = `study/${docs[i % DOCS]}`
      const token = tokens[i % SESSIONS]!
      clients.push(new StormClient(`${wsUrl}/sync/${doc}?token=${token}`, () => {}))
    }
    for (const client of clients) client.connect()
    await allSynced(clients, 1)

    const attemptsBefore = clients.reduce((n, c) => n + c.attempts, 0)
    await server.kill9()
    const restarting = performance.now()
    server = await spawnServer(dataDir, env)
    const listening = performance.now()
    const resynced = allSynced(clients, 2)
    const latencies = await probeHealth(url, resynced)
    const done = await resynced

    const worst = Math.max(...latencies)
    const report = {
      reconnectAttempts: clients.reduce((n, c) => n + c.attempts, 0) - attemptsBefore,
      restartMs: Math.round(listening - restarting),
      resyncAfterListeningMs: Math.round(done - listening),
      healthz: {
        samples: latencies.length,
        p50: Math.round(percentile(latencies, 0.5)),
        p99: Math.round(percentile(latencies, 0.99)),
        max: Math.round(worst),
      },
    }
    console.info(`reconnect storm: ${JSON.stringify(report)}`)
    expect(clients.every((c) => c.syncs >= 2)).toBe(true)
    expect(latencies.length).toBeGreaterThan(0)
    expect(worst).toBeLessThan(HEALTHZ_LIMIT_MS)
  })
})
