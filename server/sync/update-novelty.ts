/**
 * Does an update add anything to a document? A reconnecting client's sync
 * step 2 always carries its whole delete set, so "non-empty" is not "new":
 * a read-only client with nothing new must not be refused (issue 2), and
 * no-op updates must not grow the log.
 */
import * as Y from 'yjs'

/** Parsed `to` of updates still referenced: one write asks for it three times. */
const structEndsOf = new WeakMap<Uint8Array, ReadonlyMap<number, number>>()

/**
 * Where each client's structs in `update` end (Yjs's `parseUpdateMeta(update).to`),
 * parsed once per update: the novelty check, the client-ownership check and the
 * commit all need it. Updates are never changed once received.
 */
export function structEnds(update: Uint8Array): ReadonlyMap<number, number> {
  let to = structEndsOf.get(update)
  if (to === undefined) {
    // Not encodeStateVectorFromUpdate: it only reports clients whose structs start at clock 0.
    to = Y.parseUpdateMeta(update).to
    structEndsOf.set(update, to)
  }
  return to
}

/**
 * Where `doc`'s copy of `client`'s structs ends, counting structs it holds but cannot
 * integrate yet (pending: their dependencies never arrived). Yjs includes pending structs
 * in every state it encodes, so clients that synced from the room relay them back; that
 * is not new, and not an extension of someone else's client either.
 */
export function knownEnd(doc: Y.Doc, client: number): number {
  const integrated = Y.getState(doc.store, client)
  const pending = doc.store.pendingStructs
  if (pending === null) return integrated
  return Math.max(integrated, pendingEnds(pending.update).get(client) ?? 0)
}

/** Yjs keeps pending structs as one update in its V2 encoding; parsed once per version of it. */
const pendingEndsOf = new WeakMap<Uint8Array, ReadonlyMap<number, number>>()

function pendingEnds(updateV2: Uint8Array): ReadonlyMap<number, number> {
  let to = pendingEndsOf.get(updateV2)
  if (to === undefined) {
    to = Y.parseUpdateMetaV2(updateV2).to
    pendingEndsOf.set(updateV2, to)
  }
  return to
}

export function addsToDoc(doc: Y.Doc, update: Uint8Array): boolean {
  for (const [client, clock] of structEnds(update)) {
    if (clock > knownEnd(doc, client)) return true
  }
  const { ds } = Y.decodeUpdate(update)
  if (ds.clients.size === 0) return false
  return !deleteSetCovered(ds, Y.createDeleteSetFromStructStore(doc.store))
}

type DeleteSet = ReturnType<typeof Y.createDeleteSetFromStructStore>

/** True when every range in `inner` is already deleted in `outer` (sorted, merged ranges). */
function deleteSetCovered(inner: DeleteSet, outer: DeleteSet): boolean {
  for (const [client, ranges] of inner.clients) {
    const have = outer.clients.get(client) ?? []
    for (const range of ranges) {
      if (range.len === 0) continue
      const hit = have.find(
        (h) => h.clock <= range.clock && range.clock + range.len <= h.clock + h.len,
      )
      if (!hit) return false
    }
  }
  return true
}
