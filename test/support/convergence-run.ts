/**
 * Randomised convergence (issue 8 §6), shared by the integration test and the soak:
 * stock y-websocket clients edit study and patient forms (map fields and Y.Text)
 * concurrently, go offline and keep editing, drop their connections, and live
 * through a restart of the file-backed server on the same port. At the end every
 * client and the server hold the same document.
 */
import fc from 'fast-check'
import * as Y from 'yjs'
import { connectClient, type TestClient, whenSynced } from './clients.ts'
import { startTestServer } from './server.ts'

export type Step =
  | { s: 'edit'; client: number; pick: number; at: number; text: string }
  | { s: 'offline'; client: number }
  | { s: 'online'; client: number }
  | { s: 'drop'; client: number }
  | { s: 'restart' }

export interface ConvergencePlan {
  clients: number
  steps: Step[]
}

const STUDY_FIELDS = ['description', 'referringPhysician', 'bodyPart', 'priority'] as const
const PRIORITIES = ['STAT', 'CRITFIND', 'URGENT', 'ROUTINE']
const PATIENT_FIELDS = ['phone', 'address', 'sex', 'name'] as const

/** A script of edits and connection changes, with exactly one server restart somewhere in it. */
export function convergencePlan(clients: number, steps: number): fc.Arbitrary<ConvergencePlan> {
  const client = fc.nat({ max: clients - 1 })
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        s: fc.constant('edit' as const),
        client,
        pick: fc.nat(),
        at: fc.nat(),
        text: fc.string({ minLength: 1, maxLength: 12 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('offline' as const), client }) },
    { weight: 2, arbitrary: fc.record({ s: fc.constant('online' as const), client }) },
    { weight: 1, arbitrary: fc.record({ s: fc.constant('drop' as const), client }) },
  )
  return fc
    .tuple(fc.array(step, { minLength: steps, maxLength: steps }), fc.nat({ max: steps - 1 }))
    .map(([list, at]) => ({
      clients,
      steps: [...list.slice(0, at), { s: 'restart' }, ...list.slice(at)],
    }))
}

interface Member {
  client: TestClient
  docName: string
  online: boolean
}

export interface ConvergenceReport {
  edits: number
  offlineEdits: number
  restarts: number
  divergent: string[]
}

/** Runs one plan against a fresh file-backed server; returns what did not converge. */
export async function runConvergence(
  plan: ConvergencePlan,
  docs: readonly string[],
): Promise<ConvergenceReport> {
  let t = await startTestServer({ files: true })
  const dataDir = t.dataDir!
  const port = Number(new URL(t.url).port)
  // Users who may write both form families (a radiologist only reads patient forms).
  const users = ['tech', 'admin', 'system']
  const tokens = await Promise.all(users.map((u) => t.login(u)))
  const members: Member[] = Array.from({ length: plan.clients }, (_, i) => {
    const docName = docs[i % docs.length]!
    return {
      client: connectClient(t.wsUrl, docName, tokens[i % tokens.length]!),
      docName,
      online: true,
    }
  })
  const report: ConvergenceReport = { edits: 0, offlineEdits: 0, restarts: 0, divergent: [] }
  try {
    await Promise.all(members.map((m) => whenSynced(m.client)))
    for (const step of plan.steps) {
      if (step.s === 'restart') {
        // Graceful close (clients see 4503 and retry), then the same dir on the same port.
        await t.close({ keepData: true })
        t = await startTestServer({ files: dataDir, config: { port } })
        report.restarts++
        continue
      }
      const m = members[step.client]!
      switch (step.s) {
        case 'edit':
          edit(m, step)
          report.edits++
          if (!m.online || !m.client.provider.wsconnected) report.offlineEdits++
          break
        case 'offline':
          m.client.provider.disconnect()
          m.online = false
          break
        case 'online':
          m.client.provider.connect()
          m.online = true
          break
        case 'drop':
          // The TCP connection dies under the client; the provider reconnects by itself.
          ;(m.client.provider.ws as unknown as { terminate?: () => void } | null)?.terminate?.()
          break
      }
      // Let messages flow between steps, as they would between keystrokes.
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (const m of members) if (!m.online) m.client.provider.connect()
    for (const docName of docs) {
      const mine = members.filter((m) => m.docName === docName)
      const room = await t.server.rooms.with(docName, (r) => r)
      await converged([room.doc, ...mine.map((m) => m.client.doc)], 20_000)
      const want = snapshot(room.doc)
      for (const [i, m] of mine.entries()) {
        if (snapshot(m.client.doc) !== want) {
          report.divergent.push(
            `${docName}: client ${i} has ${snapshot(m.client.doc)}, server ${want}`,
          )
        }
      }
    }
  } finally {
    for (const m of members) m.client.destroy()
    await t.close()
  }
  return report
}

function edit(m: Member, step: Extract<Step, { s: 'edit' }>): void {
  const fields = m.client.doc.getMap<unknown>('fields')
  const study = m.docName.startsWith('study/')
  const kind = step.pick % 3
  if (study && kind > 0) {
    const text = fields.get(kind === 1 ? 'notes' : 'clinicalHistory')
    if (!(text instanceof Y.Text)) return
    // Keep texts short: concurrent inserts merge, and the merged text must stay within its limit.
    if (text.length > 600)
      text.delete(step.at % text.length, Math.min(40, text.length - (step.at % text.length)))
    else text.insert(step.at % (text.length + 1), step.text)
    return
  }
  if (study) {
    const key = STUDY_FIELDS[step.at % STUDY_FIELDS.length]!
    fields.set(
      key,
      key === 'priority' ? PRIORITIES[step.at % PRIORITIES.length]! : step.text.slice(0, 60),
    )
    return
  }
  const key = PATIENT_FIELDS[step.at % PATIENT_FIELDS.length]!
  const value =
    key === 'sex'
      ? ['F', 'M', 'O', 'U'][step.at % 4]!
      : key === 'name'
        ? `DOE${step.at % 50}^JANE`
        : step.text.replace(/\^/g, '')
  fields.set(key, value)
}

function snapshot(doc: Y.Doc): string {
  return JSON.stringify([Y.encodeStateVector(doc).join(','), doc.getMap('fields').toJSON()])
}

/**
 * Resolves once every doc has the same state vector and content, re-checking on each
 * update; gives up after `ms` so that a divergence is reported rather than hanging.
 */
function converged(docs: Y.Doc[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      for (const d of docs) d.off('update', check)
      resolve()
    }
    const check = () => {
      const first = snapshot(docs[0]!)
      if (docs.every((d) => snapshot(d) === first)) done()
    }
    const timer = setTimeout(done, ms)
    for (const d of docs) d.on('update', check)
    check()
  })
}
