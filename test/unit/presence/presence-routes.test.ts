/**
 * GET /api/v1/presence (admins only) over a real node:http server on port 0:
 * everyone connected, with what they have open (API.md; DESIGN §3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Router } from '../../../server/http/router.ts'
import { PresenceIndex } from '../../../server/presence/presence-index.ts'
import { presenceRoutes } from '../../../server/presence/presence-routes.ts'
import type { Role } from '../../../shared/domain.ts'
import { FakeClock, FakeTimers } from '../events/fake-clock.ts'
import {
  type RouterServer,
  startRouterServer,
  type TestSessions,
  testSessions,
} from '../events/http-harness.ts'
import { RoomSet } from './room-clients.ts'

let clock: FakeClock
let auth: TestSessions
let index: PresenceIndex
let rooms: RoomSet
let server: RouterServer

beforeEach(async () => {
  clock = new FakeClock(Date.parse('2026-03-07T14:00:00.000Z'))
  auth = testSessions(clock)
  index = new PresenceIndex({
    clock,
    timers: new FakeTimers(clock),
    lostRetentionMs: 30_000,
    onChange: () => {},
  })
  rooms = new RoomSet(() => index)
  const router = new Router()
  presenceRoutes(router, { index, sessions: auth.sessions, allowedOrigins: [] })
  server = await startRouterServer(router)
})

afterEach(async () => {
  index.close()
  rooms.destroy()
  await server.close()
})

async function tokenFor(id: string, role: Role): Promise<string> {
  return (await auth.login(await auth.addUser(id, role))).token
}

function get(token?: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/presence`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
}

describe('GET /api/v1/presence', () => {
  it('[S3] lists everyone connected, with what they have open, for an admin', async () => {
    const bose = { id: 'bose', name: 'BOSE', role: 'radiologist' } as const
    rooms.join('study/56365', bose).publish({ mode: 'editing', view: 'info' })
    rooms.join('patient/P1', bose).publish({ mode: 'viewing' })
    for (const role of ['admin', 'systemAdmin'] as const) {
      const res = await get(await tokenFor(`an-${role}`, role))
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      const body = (await res.json()) as { entries: unknown[]; at: string }
      expect(body).toEqual({ entries: index.all(), at: '2026-03-07T14:00:00.000Z' })
      expect(body.entries).toEqual([
        expect.objectContaining({
          user: bose,
          subject: { type: 'patient', id: 'P1' },
          mode: 'viewing',
        }),
        expect.objectContaining({
          user: bose,
          subject: { type: 'study', id: '56365' },
          mode: 'editing',
        }),
      ])
    }
  })

  it('is forbidden to anyone but admins', async () => {
    for (const role of ['radiologist', 'clerk', 'system'] as const) {
      const res = await get(await tokenFor(`a-${role}`, role))
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ error: 'forbidden' })
    }
  })

  it('needs a session', async () => {
    expect((await get()).status).toBe(401)
    expect((await get('not-a-token')).status).toBe(401)
  })
})
