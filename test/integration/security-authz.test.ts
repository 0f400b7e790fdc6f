/**
 * Security review as tests, part 2 (issue 8 §5, DESIGN §7, S5): identity spoofing
 * through awareness with many entries and huge clocks, and privilege escalation
 * through every command — each non-admin role, hostile input (other users' ids,
 * negative and huge revs, huge arrays) — leaving the registry untouched.
 */
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol.ts'
import { syncUpdateMessage } from '../support/clients.ts'
import { securityHelpers } from '../support/security-helpers.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { RawSyncClient } from '../support/sync-client.ts'
import { craftUpdate, REF, rootItem } from '../unit/guards/craft.ts'

let t: TestServer

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

const { signIn, closeOf, registryWithoutSessions } = securityHelpers(() => t)

describe('identity spoofing through awareness (S5)', () => {
  function awarenessMessage(entries: { id: number; clock: number; state: unknown }[]) {
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, entries.length)
    for (const e of entries) {
      encoding.writeVarUint(inner, e.id)
      encoding.writeVarUint(inner, e.clock)
      encoding.writeVarString(inner, JSON.stringify(e.state))
    }
    const outer = encoding.createEncoder()
    encoding.writeVarUint(outer, 1)
    encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
    return encoding.toUint8Array(outer)
  }
  const admin = { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' }

  it('256 entries claiming to be the admin, the victim’s id among them, with huge clocks: one id is taken, stamped with the sender’s real identity; the victim is untouched', async () => {
    const docName = 'study/A10154'
    const victim = new RawSyncClient({ docName, token: (await signIn('huyen')).token })
    await victim.connect(t.wsUrl)
    const room = await t.server.rooms.with(docName, (r) => r)
    const victimId = 4242
    victim.send(awarenessMessage([{ id: victimId, clock: 1, state: { mode: 'reading' } }]))
    const { token } = await signIn('tech')
    const entries = Array.from({ length: 256 }, (_, i) => ({
      id: i === 0 ? victimId : i === 1 ? Number.MAX_SAFE_INTEGER : 10_000 + i,
      clock: i % 2 ? Number.MAX_SAFE_INTEGER : 2 ** 32 + i,
      state: i % 3 === 0 ? null : { user: admin, mode: 'editing', name: 'ADMIN' },
    }))
    await closeOf(`/sync/${docName}?token=${token}`, {}, (ws) => {
      ws.send(awarenessMessage(entries))
      ws.send(new Uint8Array([3])) // query-awareness: its answer proves the update was handled
      ws.once('message', () => ws.once('message', () => ws.close()))
    })
    expect(room.awareness.getStates().get(victimId)).toMatchObject({
      mode: 'reading',
      user: { id: 'u-huyen', name: 'HUYEN', role: 'radiologist' },
    })
    for (const [id, state] of room.awareness.getStates()) {
      expect((state as { user?: { id: string } }).user?.id, `awareness ${id}`).not.toBe('u-admin')
    }
    victim.terminate()
  })

  it('257 entries (over maxAwarenessEntries) close with 4400 and change nothing', async () => {
    const docName = 'study/A10155'
    const room = await t.server.rooms.with(docName, (r) => r)
    const before = [...room.awareness.getStates().keys()]
    const { token } = await signIn('tech')
    const entries = Array.from({ length: 257 }, (_, i) => ({
      id: 50_000 + i,
      clock: 1,
      state: { user: admin },
    }))
    const closed = await closeOf(`/sync/${docName}?token=${token}`, {}, (ws) =>
      ws.send(awarenessMessage(entries)),
    )
    expect(closed.code).toBe(CloseCode.protocolError)
    expect([...room.awareness.getStates().keys()]).toEqual(before)
  })
})

describe('privilege escalation through every command', () => {
  it('every write route, as each non-admin role, with other users’ ids, negative and huge revs and huge arrays: refused or a no-op, and the registry is unchanged', async () => {
    const roles = ['clerk', 'tech', 'trans', 'perf', 'bose']
    const tokens = Object.fromEntries(
      await Promise.all(roles.map(async (r) => [r, (await signIn(r)).token] as const)),
    )
    const study = t.registry.read().studies.find((s) => s.accession === 'A10156')!
    const bodies = [
      { role: 'readingPhysician', userId: 'u-admin', expectedRev: -1 },
      { role: 'technologist', userId: 'u-clerk', expectedRev: 2 ** 53 },
      { role: '__proto__', userId: 'u-bose', expectedRev: study.rev },
      {
        accessions: Array.from({ length: 5000 }, (_, i) => `A${10001 + i}`),
        role: 'technologist',
        userId: 'u-tech',
      },
      { to: 'signed', expectedRev: study.rev + 1000 },
      { into: 'A10157' },
      { reason: 'I want it', sopInstanceUids: Array.from({ length: 2000 }, (_, i) => `1.2.${i}`) },
      { sopInstanceUid: '1.2.3', type: 'edit', userId: 'u-clerk', validUntil: null },
      { accessions: ['A10156', 'A10157'], expectedRevs: { A10156: -5, A10157: 2 ** 60 } },
    ]
    const commands = t.server.routes.filter(
      (r) =>
        r.method !== 'GET' &&
        !/\/(session|patient-session|open|close)$/.test(r.path) &&
        r.path !== '/api/v1/hl7',
    )
    const patient = study.patientId
    const before = registryWithoutSessions()
    const successes: string[] = []
    for (const route of commands) {
      const path = route.path
        .replace(':accession', 'A10156')
        .replace(':patientId', patient)
        .replace(/:[A-Za-z]+/g, 'u-admin')
      for (const role of roles) {
        for (const body of bodies) {
          const res = await fetch(`${t.url}${path}`, {
            method: route.method,
            headers: {
              authorization: `Bearer ${tokens[role]}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify(body),
          })
          expect(res.status, `${route.method} ${path} as ${role}`).toBeLessThan(500)
          if (res.status < 300)
            successes.push(`${route.method} ${path} as ${role}: ${(await res.text()).slice(0, 80)}`)
          else await res.body?.cancel()
          expect(
            registryWithoutSessions(),
            `${route.method} ${path} as ${role} ${JSON.stringify(body).slice(0, 60)}`,
          ).toBe(before)
        }
      }
    }
    // Non-admins never read the audit trail, everyone's presence, the break-glass list or metrics.
    for (const path of [
      '/api/v1/audit',
      '/api/v1/audit/verify',
      '/api/v1/audit/export',
      '/api/v1/presence',
      '/api/v1/break-glass',
      '/metrics',
    ]) {
      if (!t.server.routes.some((r) => r.path === path)) continue
      for (const role of roles) {
        const res = await fetch(`${t.url}${path}`, {
          headers: { authorization: `Bearer ${tokens[role]}` },
        })
        expect(res.status, `GET ${path} as ${role}`).toBe(403)
      }
    }
    console.info(
      `privilege matrix: ${commands.length} write routes × ${roles.length} roles × ${bodies.length} bodies; accepted as no-ops: ${successes.length}`,
    )
  }, 30_000)
})

// Last: its edits reach the registry's worklist summaries later, which the matrix above would see.
describe('writing as another user’s Yjs client', () => {
  it('structs at another user’s next clocks (a deleted run a million long) are refused 4409, so that user’s later edits still land', async () => {
    const docName = 'study/A10158'
    const victim = new RawSyncClient({
      docName,
      token: (await signIn('huyen')).token,
      savedAck: true,
    })
    await victim.connect(t.wsUrl)
    victim.doc.getMap('fields').set('description', 'FIRST')
    await victim.whenAcked()
    const { clientID } = victim.doc
    const next = Y.getState(victim.doc.store, clientID)
    const forged = craftUpdate(
      [rootItem('fields', 'bodyPart', REF.deleted, (e) => encoding.writeVarUint(e, 1_000_000))],
      { client: clientID, clock: next },
    )
    const { token } = await signIn('bose')
    const closed = await closeOf(`/sync/${docName}?token=${token}`, {}, (ws) =>
      ws.once('message', () => ws.send(syncUpdateMessage(forged))),
    )
    expect(closed).toMatchObject({ code: CloseCode.localCopyRefused })
    victim.doc.getMap('fields').set('description', 'SECOND')
    await victim.whenAcked()
    const reader = new RawSyncClient({ docName, token: (await signIn('perf')).token })
    await reader.connect(t.wsUrl)
    expect(reader.doc.getMap('fields').get('description')).toBe('SECOND')
    victim.terminate()
    reader.terminate()
  })
})
