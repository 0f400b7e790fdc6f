/**
 * The last signed-in user, so a tablet that starts without a network still opens
 * the app on its cached documents (DESIGN §6) instead of a login form it cannot
 * submit. Forgotten on sign-out and whenever the server says the session is gone.
 */
import type { SignedInUser } from './contexts.ts'

const KEY = 'studysync:signed-in-user'

export type UserStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export function rememberUser(storage: UserStorage | null, user: SignedInUser): void {
  try {
    storage?.setItem(KEY, JSON.stringify(user))
  } catch {
    // Quota or privacy mode: offline start-up is then unavailable, nothing else.
  }
}

export function rememberedUser(storage: UserStorage | null): SignedInUser | null {
  try {
    const value: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null')
    if (typeof value !== 'object' || value === null) return null
    const { id, name, role, username, privileges } = value as Record<string, unknown>
    if (typeof id !== 'string' || typeof name !== 'string' || typeof role !== 'string') return null
    return {
      id,
      name,
      role: role as SignedInUser['role'],
      username: typeof username === 'string' ? username : id,
      privileges: Array.isArray(privileges) ? (privileges as SignedInUser['privileges']) : [],
    }
  } catch {
    return null
  }
}

export function forgetUser(storage: UserStorage | null): void {
  try {
    storage?.removeItem(KEY)
  } catch {
    // As above.
  }
}

export function defaultUserStorage(): UserStorage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}
