import * as Y from 'yjs'

/** Yjs does not export the class by name. */
export type DeleteSet = ReturnType<typeof Y.createDeleteSet>
// biome-ignore lint/suspicious/noExplicitAny: Yjs types its shared types over `any` events
type AnyType = Y.AbstractType<any>

/** A deleted range `[client, clock, length]`, as in a Yjs delete set. */
export type DeletedRange = readonly [number, number, number]

/** One local transaction the server has not acknowledged as durable yet. */
export interface PendingEdit {
  /** The client id that made it (this session's, or an earlier session's after a reload). */
  readonly client: number
  /** That client's clock after the edit: covered once the acked vector reaches it. */
  readonly clock: number
  /**
   * Only for pure deletions, which leave no trace in a state vector: what was deleted,
   * covered once the server's own delete set (its sync step 2) contains all of it.
   */
  readonly deletes?: readonly DeletedRange[]
  /** What it touched: `fields.priority`, `fields.notes`, `body`, … */
  readonly paths: readonly string[]
}

/** What survives a reload (kept in the document's own IndexedDB database). */
export interface SavedSnapshot {
  readonly pending: readonly PendingEdit[]
  /** The last acknowledged state vector, as `[client, clock]` pairs; null before any. */
  readonly acked: readonly (readonly [number, number])[] | null
}

/**
 * Counts a document's local edits that the server has not yet acknowledged as
 * durable (DESIGN §6, S26). Only the server's acknowledgements shrink the count:
 * its saved-ack state vector covers edits that add content; pure deletions are
 * covered by the delete set the server sends in its sync step 2 (which, like the
 * ack, reflects only what it has committed). Pure logic over a Y.Doc; the wiring
 * to the provider and to IndexedDB lives in saved-acks.ts.
 */
export class SavedTracker {
  readonly #doc: Y.Doc
  readonly #onChange: () => void
  #pending: PendingEdit[] = []
  #acked: Map<number, number> | null = null

  constructor(doc: Y.Doc, onChange: () => void) {
    this.#doc = doc
    this.#onChange = onChange
    doc.on('afterTransaction', this.#onTransaction)
  }

  /** Local edits not yet acknowledged. */
  get unsaved(): number {
    return this.#pending.length
  }

  /** Whether the server ever acknowledged this copy (this session or, persisted, an earlier one). */
  get acknowledged(): boolean {
    return this.#acked !== null
  }

  /** The last acknowledged state vector (empty before any). */
  get ackedVector(): Map<number, number> {
    return new Map(this.#acked ?? [])
  }

  /** Whether some pending edit waits for the server's delete set (a sync step 2). */
  get awaitsDeleteSet(): boolean {
    return this.#pending.some((edit) => edit.deletes !== undefined)
  }

  /** The paths the pending edits touched, in first-touched order. */
  get unsavedPaths(): string[] {
    return [...new Set(this.#pending.flatMap((edit) => edit.paths))]
  }

  snapshot(): SavedSnapshot {
    return { pending: [...this.#pending], acked: this.#acked === null ? null : [...this.#acked] }
  }

  /** Merges what an earlier session persisted (read after the IndexedDB copy loaded). */
  restore(snapshot: SavedSnapshot): void {
    const known = new Set(this.#pending.map(key))
    const restored = snapshot.pending.filter((edit) => !known.has(key(edit)))
    this.#pending = [...restored, ...this.#pending]
    if (this.#acked === null && snapshot.acked !== null) this.#acked = new Map(snapshot.acked)
    this.#onChange()
  }

  /**
   * A saved acknowledgement: everything up to `vector` is durable on the server.
   * Content of earlier sessions' client ids that the vector does not cover, and that
   * no restored entry accounts for, counts as one unsaved edit per client id.
   */
  acknowledge(vector: Map<number, number>): void {
    this.#acked = new Map(vector)
    const covered = (edit: PendingEdit) =>
      edit.deletes === undefined && (vector.get(edit.client) ?? 0) >= edit.clock
    this.#pending = this.#pending.filter((edit) => !covered(edit))
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.#doc))) {
      if (client === this.#doc.clientID || (vector.get(client) ?? 0) >= clock) continue
      const accounted = this.#pending.some((e) => e.client === client && e.clock >= clock)
      if (!accounted) this.#pending.push({ client, clock, paths: [] })
    }
    this.#onChange()
  }

  /** The server's delete set (from a sync step 2 it sent): pure deletions it holds are saved. */
  serverDeleted(ds: DeleteSet): void {
    const before = this.#pending.length
    this.#pending = this.#pending.filter(
      (edit) => edit.deletes === undefined || !edit.deletes.every((range) => contains(ds, range)),
    )
    if (this.#pending.length !== before) this.#onChange()
  }

  destroy(): void {
    this.#doc.off('afterTransaction', this.#onTransaction)
  }

  readonly #onTransaction = (tx: Y.Transaction): void => {
    if (!tx.local) return
    const client = this.#doc.clientID
    const clock = tx.afterState.get(client) ?? 0
    const inserted = clock > (tx.beforeState.get(client) ?? 0)
    const deletes = rangesOf(tx.deleteSet)
    if (!inserted && deletes.length === 0) return
    const paths = pathsOf(this.#doc, tx)
    this.#pending.push(inserted ? { client, clock, paths } : { client, clock, deletes, paths })
    this.#onChange()
  }
}

function key(edit: PendingEdit): string {
  return `${edit.client}:${edit.clock}:${JSON.stringify(edit.deletes ?? null)}`
}

function rangesOf(ds: DeleteSet): DeletedRange[] {
  return [...ds.clients].flatMap(([client, items]) =>
    items.map((item): DeletedRange => [client, item.clock, item.len]),
  )
}

/** Whether `ds` deletes every clock of `range` (its items may be unsorted and adjacent). */
function contains(ds: DeleteSet, [client, clock, len]: DeletedRange): boolean {
  const items = [...(ds.clients.get(client) ?? [])].sort((a, b) => a.clock - b.clock)
  let next = clock
  const end = clock + len
  for (const item of items) {
    if (item.clock > next) break
    next = Math.max(next, item.clock + item.len)
    if (next >= end) return true
  }
  return next >= end
}

/** `root.key` for changes inside a root map's entry, else the root's name. */
function pathsOf(doc: Y.Doc, tx: Y.Transaction): string[] {
  const paths = new Set<string>()
  for (const [type, keys] of tx.changed) {
    let child: AnyType = type
    let parent = parentOf(child)
    while (parent !== null && parentOf(parent) !== null) {
      child = parent
      parent = parentOf(parent)
    }
    if (parent === null) {
      // A root type changed itself: a map's keys, or a text/array's content.
      const name = rootName(doc, child)
      const named = [...keys].filter((k): k is string => k !== null)
      if (named.length === 0) paths.add(name)
      for (const k of named) paths.add(`${name}.${k}`)
    } else {
      const sub = child._item?.parentSub
      const name = rootName(doc, parent)
      paths.add(sub ? `${name}.${sub}` : name)
    }
  }
  return [...paths]
}

function parentOf(type: AnyType): AnyType | null {
  const parent = type._item?.parent
  return parent instanceof Y.AbstractType ? parent : null
}

function rootName(doc: Y.Doc, root: AnyType): string {
  for (const [name, type] of doc.share) if (type === root) return name
  return '?'
}
