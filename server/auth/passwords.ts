/**
 * Password hashing with scrypt (node:crypto), stored as
 * `scrypt$<N>$<r>$<p>$<salt>$<hash>` so parameters can be raised later
 * without invalidating existing hashes.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

const N = 2 ** 15
const R = 8
const P = 1
const KEY_LENGTH = 32
const MIN_STORED_KEY_LENGTH = 16
// N=2^15, r=8 needs 32 MiB; Node's default maxmem (32 MiB) is just too small.
const MAX_MEM = 64 * 1024 * 1024

export function hashPassword(password: string): string {
  const salt = randomBytes(16)
  const hash = scryptSync(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEM })
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/** False for a wrong password and for any stored string that is not a usable hash. */
export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$')
  const [scheme, n, r, p, salt, hash] = parts
  if (parts.length !== 6 || scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  // A hash that decodes to (almost) nothing would match every password.
  if (expected.length < MIN_STORED_KEY_LENGTH) return false
  try {
    const actual = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: MAX_MEM,
    })
    return timingSafeEqual(actual, expected)
  } catch {
    // Parameters scrypt refuses (a corrupt record): no password matches it.
    return false
  }
}

/** A hash that no password matches, used to spend equal time on unknown usernames. */
export const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'))
