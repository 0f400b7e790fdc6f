import * as Y from 'yjs'
import type { SavedTracker } from './saved-tracker.ts'

/** A copy of what a document holds that the server never acknowledged. */
export interface UnsavedEdits {
  /** Local edits (transactions) not acknowledged. */
  readonly count: number
  /**
   * The local copy as a Yjs update relative to the last acknowledged state vector:
   * every insert the server may lack, plus the whole delete set. Applied to the
   * server's copy it restores the edits.
   */
  readonly update: Uint8Array
  /** For humans: each touched field (`fields.notes`) or text (`body`) with its local value. */
  readonly values: readonly { readonly path: string; readonly value: string }[]
}

/** Captures the unsaved edits of `doc` synchronously (before the copy is dropped). */
export function captureUnsaved(doc: Y.Doc, tracker: SavedTracker): UnsavedEdits {
  const acked = tracker.ackedVector
  return {
    count: tracker.unsaved,
    update: Y.encodeStateAsUpdate(doc, Y.encodeStateVector(acked)),
    values: tracker.unsavedPaths.map((path) => ({ path, value: valueAt(doc, path) })),
  }
}

function valueAt(doc: Y.Doc, path: string): string {
  const [root = '', key] = path.split(/\.(.*)/s)
  try {
    if (key === undefined) {
      return textOf(doc.share.get(root) instanceof Y.Map ? doc.getMap(root) : doc.getText(root))
    }
    return textOf(doc.getMap(root).get(key))
  } catch {
    return '(unreadable)'
  }
}

function textOf(value: unknown): string {
  if (value === undefined) return '(cleared)'
  if (value instanceof Y.Text) return value.toString()
  if (value instanceof Y.AbstractType) return JSON.stringify(value.toJSON())
  return typeof value === 'string' ? value : JSON.stringify(value)
}
