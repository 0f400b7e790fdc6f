/** Password hashing and server-side sessions (API.md "Authentication", "Running"), on a fake clock. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../../server/auth/passwords.ts'
import { SessionService } from '../../../server/auth/sessions.ts'
import type { Clock } from '../../../server/clock.ts'
import { emptyRegistry, type UserRecord } from '../../../server/registry/types.ts'
import { MemoryRegistryStore } from '../../../server/storage/memory-registry.ts'

const HOUR = 3_600_000
const TTL = 12 * HOUR

class FakeClock implements Clock {
  t = 1_700_000_000_000
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    this.t += ms
  }
}

function user(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id,
    username: id.replace(/^u-/, ''),
    name: id.replace(/^u-/, '').toUpperCase(),
    role: 'radiologist',
    privileges: [],
    passwordHash: 'scrypt$unused',
    groups: [],
    disabled: false,
    ...overrides,
  }
}

function setup(users: UserRecord[] = [user('u-bose'), user('u-huyen')]) {
  const clock = new FakeClock()
  const registry = new MemoryRegistryStore({ ...emptyRegistry(), users })
  const sessions = new SessionService(registry, clock, TTL)
  return { clock, registry, sessions, bose: users[0]! }
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url')

describe('passwords', () => {
  // One hash for the whole block: scrypt at N=2^15 is deliberately slow.
  const stored = hashPassword('correct horse')

  it('verifies the right password and refuses a wrong one', () => {
    expect(verifyPassword('correct horse', stored)).toBe(true)
    expect(verifyPassword('correct horsE', stored)).toBe(false)
    expect(verifyPassword('', stored)).toBe(false)
  })

  it('stores scheme and parameters with the hash, and a fresh salt every time', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    const again = hashPassword('correct horse')
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4])
    expect(again).not.toBe(stored)
    expect(verifyPassword('correct horse', again)).toBe(true)
  })

  it('returns false (never throws, never matches) for malformed stored strings', () => {
    const [, , , , salt, hash] = stored.split('$')
    const malformed = [
      '',
      'plaintext',
      `bcrypt$32768$8$1$${salt}$${hash}`,
      'scrypt$32768$8$1',
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$abc$8$1$${salt}$${hash}`, // N not a number
      `scrypt$3$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 40}$8$1$${salt}$${hash}`, // N out of range
      `${stored}$extra`,
    ]
    for (const bad of malformed) {
      expect(() => verifyPassword('correct horse', bad), bad).not.toThrow()
      expect(verifyPassword('correct horse', bad), bad).toBe(false)
      expect(verifyPassword('anything', bad), bad).toBe(false)
    }
  })

  it('a stored hash that decodes to no bytes matches no password (an empty comparison is not a match)', () => {
    const [, , , , salt] = stored.split('$')
    for (const empty of [`scrypt$32768$8$1$${salt}$A`, `scrypt$32768$8$1$${salt}$!!!!`]) {
      expect(verifyPassword('anything', empty), empty).toBe(false)
      expect(verifyPassword('', empty), empty).toBe(false)
    }
  })
})

describe('sessions', () => {
  it('create → authenticate resolves the session, its user and the identity stamped into presence', async () => {
    const { sessions, bose } = setup()
    const { token, session } = await sessions.create(bose, '10.0.0.7')
    const auth = sessions.authenticate(token)
    expect(auth?.sessionId).toBe(session.id)
    expect(auth?.user.id).toBe('u-bose')
    expect(auth?.identity).toEqual({ id: 'u-bose', name: 'BOSE', role: 'radiologist' })
    expect(sessions.isLiveId(session.id)).toBe(true)
  })

  it('the registry holds only the sha256 of the token, never the token', async () => {
    const { sessions, registry, bose } = setup()
    const { token } = await sessions.create(bose, '10.0.0.7')
    expect(token.length).toBeGreaterThanOrEqual(43) // 32 random bytes
    const [record] = registry.read().sessions
    expect(record).toMatchObject({
      id: sha256(token),
      userId: 'u-bose',
      ip: '10.0.0.7',
      revokedAt: null,
    })
    expect(JSON.stringify(registry.read())).not.toContain(token)
  })

  it('each login gets its own token and session', async () => {
    const { sessions, bose } = setup()
    const a = await sessions.create(bose, 'ip')
    const b = await sessions.create(bose, 'ip')
    expect(a.token).not.toBe(b.token)
    expect(sessions.authenticate(a.token)?.sessionId).not.toBe(
      sessions.authenticate(b.token)?.sessionId,
    )
  })

  it('unknown, empty and missing tokens are refused', async () => {
    const { sessions, bose } = setup()
    const { token } = await sessions.create(bose, 'ip')
    expect(sessions.authenticate(`${token}x`)).toBeNull()
    expect(sessions.authenticate('')).toBeNull()
    expect(sessions.authenticate(null)).toBeNull()
    expect(sessions.authenticate(undefined)).toBeNull()
  })

  it('expires after the TTL of inactivity', async () => {
    const { sessions, clock, bose } = setup()
    const { token, session } = await sessions.create(bose, 'ip')
    clock.advance(TTL - 1)
    expect(sessions.isLiveId(session.id)).toBe(true)
    clock.advance(1)
    expect(sessions.authenticate(token)).toBeNull()
    expect(sessions.isLiveId(session.id)).toBe(false)
  })

  it('every use slides the expiry: a session used within each TTL outlives the TTL', async () => {
    const { sessions, clock, bose } = setup()
    const { token } = await sessions.create(bose, 'ip')
    for (let i = 0; i < 5; i++) {
      clock.advance(TTL - 1000)
      expect(sessions.authenticate(token), `use ${i}`).not.toBeNull()
    }
    clock.advance(TTL)
    expect(sessions.authenticate(token)).toBeNull()
  })

  it('the renewed last-seen survives a restart once flushed', async () => {
    const { sessions, registry, clock, bose } = setup()
    const { token } = await sessions.create(bose, 'ip')
    clock.advance(10 * HOUR)
    expect(sessions.authenticate(token)).not.toBeNull()
    await sessions.flush()
    const restarted = new SessionService(registry, clock, TTL)
    clock.advance(10 * HOUR) // 20 h after login, 10 h after the last use
    expect(restarted.authenticate(token)?.user.id).toBe('u-bose')
  })

  it('revoke: the token stops working at once and onRevoked listeners hear the session id', async () => {
    const { sessions, bose } = setup()
    const { token, session } = await sessions.create(bose, 'ip')
    const other = await sessions.create(bose, 'ip')
    const heard: string[] = []
    const unsubscribe = sessions.onRevoked((id) => heard.push(id))
    await sessions.revoke(session.id)
    expect(sessions.authenticate(token)).toBeNull()
    expect(sessions.isLiveId(session.id)).toBe(false)
    expect(heard).toEqual([session.id])
    expect(sessions.authenticate(other.token)).not.toBeNull()
    unsubscribe()
    await sessions.revoke(other.session.id)
    expect(heard).toEqual([session.id])
  })

  it('revokeAllFor revokes every session of that user and no one else’s', async () => {
    const { sessions, registry } = setup()
    const [bose, huyen] = registry.read().users as UserRecord[]
    const b1 = await sessions.create(bose!, 'ip')
    const b2 = await sessions.create(bose!, 'ip')
    const h1 = await sessions.create(huyen!, 'ip')
    const heard: string[] = []
    sessions.onRevoked((id) => heard.push(id))
    await sessions.revokeAllFor('u-bose')
    expect(sessions.authenticate(b1.token)).toBeNull()
    expect(sessions.authenticate(b2.token)).toBeNull()
    expect(sessions.authenticate(h1.token)?.user.id).toBe('u-huyen')
    expect(heard.sort()).toEqual([b1.session.id, b2.session.id].sort())
  })

  it('a disabled or deleted user’s sessions are refused', async () => {
    const { sessions, registry, bose } = setup()
    const b = await sessions.create(bose, 'ip')
    const h = await sessions.create(registry.read().users[1] as UserRecord, 'ip')
    await registry.update((data) => {
      data.users[0]!.disabled = true
      data.users.splice(1, 1)
    })
    expect(sessions.authenticate(b.token)).toBeNull()
    expect(sessions.authenticate(h.token)).toBeNull()
  })

  it('a token longer than 128 characters is refused even if a session with its hash exists', async () => {
    const { sessions, registry, clock } = setup()
    const ok = 'a'.repeat(128)
    const long = 'a'.repeat(129)
    await registry.update((data) => {
      for (const token of [ok, long]) {
        data.sessions.push({
          id: sha256(token),
          userId: 'u-bose',
          createdAt: clock.now(),
          lastSeenAt: clock.now(),
          revokedAt: null,
          ip: 'ip',
        })
      }
    })
    expect(sessions.authenticate(ok)?.user.id).toBe('u-bose')
    expect(sessions.authenticate(long)).toBeNull()
  })

  it('creating a session prunes expired and revoked ones from the registry', async () => {
    const { sessions, registry, clock, bose } = setup()
    const old = await sessions.create(bose, 'ip')
    const revoked = await sessions.create(bose, 'ip')
    await sessions.revoke(revoked.session.id)
    clock.advance(TTL)
    const fresh = await sessions.create(bose, 'ip')
    expect(registry.read().sessions.map((s) => s.id)).toEqual([fresh.session.id])
    expect(sessions.authenticate(old.token)).toBeNull()
  })
})
