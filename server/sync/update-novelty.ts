/**
 * Does an update add anything to a document? A reconnecting client's sync
 * step 2 always carries its whole delete set, so "non-empty" is not "new":
 * a read-only client with nothing new must not be refused (issue 2), and
 * no-op updates must not grow the log.
 */
import * as Y from 'yjs'

export function addsToDoc(doc: Y.Doc, update: Uint8Array): boolean {
  // Not encodeStateVectorFromUpdate: it only reports clients whose structs start at clock 0.
  const { to } = Y.parseUpdateMeta(update)
  for (const [client, clock] of to) {
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
