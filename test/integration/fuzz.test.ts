/**
 * Fuzzing, short version (issue 8 §3; the ≥ 1,000,000-message run is
 * `npm run soak`, test/soak/fuzz.ts). Random and mutated sync, awareness and
 * auth messages over real sockets, and random HTTP requests to every route:
 * the server never crashes, never applies what it refused, keeps every document
 * within its schema and every presence entry honest (S5), stays within bounded
 * memory, and honest clients keep working.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../server/config.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { emptyHttpStats, httpPlan, runHttpPlan } from '../support/fuzz-http.ts'
import { anyPlan, emptyStats, type FuzzTarget, fuzzExact } from '../support/fuzz-sync.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { RawSyncClient, stateVectorOf } from '../support/sync-client.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}

/** An honest edit still travels from one client to another. */
async function honestEditFlows(t: TestServer, docName: string): Promise<void> {
  const a = new RawSyncClient({ docName, token: await t.login('huyen') })
  const b = new RawSyncClient({ docName, token: await t.login('perf') })
  await Promise.all([a.connect(t.wsUrl), b.connect(t.wsUrl)])
  a.doc.getMap('fields').set('bodyPart', `HONEST ${Date.now()}`)
  await b.whenHas(stateVectorOf(a.doc))
  expect(b.doc.getMap('fields').get('bodyPart')).toBe(a.doc.getMap('fields').get('bodyPart'))
  a.terminate()
  b.terminate()
}

describe('sync fuzzing over real sockets', () => {
  let t: TestServer
  const overrides = { limits: { maxMessageBytes: 64 * 1024 } }
  const config = defaultConfig(overrides) // for the limits only: the server takes port 0
  beforeAll(async () => {
    t = await startTestServer({ config: overrides })
  })
  afterAll(() => t.close())

  it('random and mutated sync, awareness and auth messages: refused ones change nothing, accepted ones keep the schema, presence stays honest, memory stays bounded, honest clients still sync', async () => {
    const patient = t.registry.read().patients[0]!.id
    const target: FuzzTarget = {
      wsUrl: t.wsUrl,
      tokens: [await t.login('bose'), await t.login('tech'), await t.login('admin')],
      docs: ['study/A10190', `patient/${patient}`, 'study/A10191/report', 'study/A10192/state'],
      limits: config.limits,
      room: (name) => t.server.rooms.with(name, (r) => r),
    }
    const stats = emptyStats()
    const heapBefore = heapAfterGc()
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(anyPlan, { minLength: 1, maxLength: 12 }), async (plans) => {
        await fuzzExact(target, plans, stats, run++)
        expect(stats.failures).toEqual([])
      }),
      { numRuns: 250 },
    )
    const heapAfter = heapAfterGc()
    console.info(
      `sync fuzz: ${stats.sent} messages over ${stats.connections} connections, ` +
        `${stats.changes} accepted changes, refusals ${JSON.stringify(stats.refusals)}, ` +
        `heap ${mb(heapBefore)} → ${mb(heapAfter)} MB`,
    )
    // The generators must reach every outcome, or the checks above would be vacuous.
    expect(stats.sent).toBeGreaterThan(1000)
    expect(stats.changes).toBeGreaterThan(20)
    for (const code of [
      CloseCode.protocolError,
      CloseCode.localCopyRefused,
      CloseCode.messageTooLarge,
    ]) {
      expect(stats.refusals[code] ?? 0, `refusals with ${code}`).toBeGreaterThan(0)
    }
    expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024)
    await honestEditFlows(t, 'study/A10190')
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
  }, 60_000)
})

describe('HTTP fuzzing of every route', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('random and hostile requests to every route: never 5xx, never a hang or a stack trace, never a success without valid credentials; the server keeps serving', async () => {
    const data = t.registry.read()
    const target = {
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
        ...data.studies.slice(0, 20).map((s) => s.accession),
        ...data.patients.slice(0, 5).map((p) => p.id),
        'u-bose',
        'u-admin',
      ],
    }
    expect(target.routes.length).toBeGreaterThan(20)
    const stats = emptyHttpStats()
    const seen = new Set<number>()
    await fc.assert(
      fc.asyncProperty(httpPlan(target.routes.length, target.ids.length), async (plan) => {
        seen.add(plan.route)
        expect(await runHttpPlan(target, plan, stats)).toEqual([])
      }),
      { numRuns: 600 },
    )
    console.info(
      `HTTP fuzz: ${stats.requests} requests, statuses ${JSON.stringify(stats.byStatus)}`,
    )
    expect(seen.size).toBe(target.routes.length) // every route was hit
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
  }, 60_000)
})

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}
