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

export function addsToDoc(doc: Y.Doc, update: Uint8Array): boolean {
  for (const [client, clock] of structEnds(update)) {
    if (clock > Y.getState(doc.store, client)) return true
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
