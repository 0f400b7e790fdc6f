/**
 * Local document storage names. Every user's copies live in their own IndexedDB
 * databases (DESIGN §6) so that a shared tablet never shows one user's cached
 * studies to the next, and logout can wipe exactly one user's data.
 */

const APP_PREFIX = 'studysync'

/**
 * The user id is URI-encoded so it can never contain the `:` separator: otherwise
 * wiping user `a` (prefix `studysync:a:`) would also delete user `a:b`'s copies.
 */
export function userDatabasePrefix(userId: string): string {
  if (userId === '') throw new TypeError('userId must not be empty')
  return `${APP_PREFIX}:${encodeURIComponent(userId)}:`
}

/** The IndexedDB database holding one user's copy of one document. */
export function documentDatabaseName(userId: string, docName: string): string {
  return `${userDatabasePrefix(userId)}${docName}`
}

export interface WipeResult {
  /** Databases that are gone. */
  readonly deleted: readonly string[]
  /**
   * Deletions that another open connection is holding up (e.g. a tab with an old
   * build). The browser keeps the request queued and completes it when that
   * connection closes; y-indexeddb closes its connections on `versionchange`.
   */
  readonly pending: readonly string[]
}

/**
 * Deletes every IndexedDB database of `userId` (for logout) and nothing else.
 * Destroy that user's open document handles first, or their next write would
 * recreate a database.
 */
export async function wipeUserDocuments(
  userId: string,
  factory: IDBFactory = indexedDB,
): Promise<WipeResult> {
  const prefix = userDatabasePrefix(userId)
  const names = (await factory.databases())
    .map((info) => info.name)
    .filter((name): name is string => name?.startsWith(prefix) === true)
  const outcomes = await Promise.all(names.map((name) => deleteDatabase(factory, name)))
  return {
    deleted: names.filter((_, i) => outcomes[i] === 'deleted'),
    pending: names.filter((_, i) => outcomes[i] === 'pending'),
  }
}

/** Resolves when the database is gone, or as `pending` when another connection blocks it. */
export function deleteDatabase(factory: IDBFactory, name: string): Promise<'deleted' | 'pending'> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name)
    request.onsuccess = () => resolve('deleted')
    request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`))
    request.onblocked = () => resolve('pending')
  })
}
