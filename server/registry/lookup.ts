/**
 * Keyed lookups into registry data for hot paths (every sync write asks docAccess,
 * every connect authenticates a session), instead of scanning the arrays.
 *
 * Registry data is immutable: the store deep-freezes every version and replaces the
 * whole object on each update (serial-registry.ts), so an index built for one frozen
 * array can never go stale — a registry update brings new arrays, indexed again on
 * first use. Arrays that are not frozen (a mutator's draft, data a test built by hand)
 * are scanned as before, so a lookup is always exactly `array.find(…)`.
 */
import type { AccessGrant, RegistryData, SessionRecord, StudyRecord, UserRecord } from './types.ts'

/** `NOT_INDEXABLE` marks an array whose records are not all frozen: always scanned. */
const NOT_INDEXABLE = null
type Cache<T, V> = WeakMap<readonly T[], V | typeof NOT_INDEXABLE>

/**
 * The index of `list`, built once per frozen array; null when `list` (or one of its
 * records) may still change. `build` sees only frozen records.
 */
function indexOf<T extends object, V>(
  list: readonly T[],
  cache: Cache<T, V>,
  build: (list: readonly T[]) => V | typeof NOT_INDEXABLE,
): V | null {
  if (!Object.isFrozen(list)) return null
  let index = cache.get(list)
  if (index === undefined) {
    index = list.every((record) => Object.isFrozen(record)) ? build(list) : NOT_INDEXABLE
    cache.set(list, index)
  }
  return index
}

/** A map from each key to the first record holding it: what `find` would return. */
function firstByKey<T>(list: readonly T[], key: (record: T) => string): Map<string, T> {
  const map = new Map<string, T>()
  for (const record of list) {
    const k = key(record)
    if (!map.has(k)) map.set(k, record)
  }
  return map
}

const studies: Cache<StudyRecord, Map<string, StudyRecord>> = new WeakMap()
const sessions: Cache<SessionRecord, Map<string, SessionRecord>> = new WeakMap()
const users: Cache<UserRecord, Map<string, UserRecord>> = new WeakMap()
const grants: Cache<AccessGrant, Map<string, readonly AccessGrant[]>> = new WeakMap()
const groups: Cache<
  RegistryData['groups'][number],
  Map<string, ReadonlySet<string>>
> = new WeakMap()

const NO_GRANTS: readonly AccessGrant[] = Object.freeze([])
const NO_GROUPS: ReadonlySet<string> = new Set()

export function studyByAccession(
  data: Readonly<RegistryData>,
  accession: string,
): StudyRecord | undefined {
  const index = indexOf(data.studies, studies, (list) => firstByKey(list, (s) => s.accession))
  return index ? index.get(accession) : data.studies.find((s) => s.accession === accession)
}

/** A session by its id (the token's hash). */
export function sessionById(data: Readonly<RegistryData>, id: string): SessionRecord | undefined {
  const index = indexOf(data.sessions, sessions, (list) => firstByKey(list, (s) => s.id))
  return index ? index.get(id) : data.sessions.find((s) => s.id === id)
}

export function userById(data: Readonly<RegistryData>, id: string): UserRecord | undefined {
  const index = indexOf(data.users, users, (list) => firstByKey(list, (u) => u.id))
  return index ? index.get(id) : data.users.find((u) => u.id === id)
}

/** Every grant (valid or not) on one study, in registry order. */
export function grantsOn(data: Readonly<RegistryData>, accession: string): readonly AccessGrant[] {
  const index = indexOf(data.grants, grants, (list) => {
    const map = new Map<string, AccessGrant[]>()
    for (const g of list) {
      const on = map.get(g.accession)
      if (on) on.push(g)
      else map.set(g.accession, [g])
    }
    return map
  })
  if (!index) return data.grants.filter((g) => g.accession === accession)
  return index.get(accession) ?? NO_GRANTS
}

/** The ids of the groups `userId` is a member of. */
export function groupIdsOf(data: Readonly<RegistryData>, userId: string): ReadonlySet<string> {
  const index = indexOf(data.groups, groups, (list) => {
    // Members lists are records too: a group whose list may change is not indexed.
    if (!list.every((g) => Object.isFrozen(g.members))) return NOT_INDEXABLE
    const map = new Map<string, Set<string>>()
    for (const g of list) {
      for (const member of g.members) {
        const mine = map.get(member)
        if (mine) mine.add(g.id)
        else map.set(member, new Set([g.id]))
      }
    }
    return map
  })
  if (!index) return new Set(data.groups.filter((g) => g.members.includes(userId)).map((g) => g.id))
  return index.get(userId) ?? NO_GROUPS
}
