/**
 * The smallest single edit that turns one string into another, and how a caret
 * moves through a remote Y.Text change. Binding a textarea through these keeps
 * concurrent edits mergeable: replacing the whole text would make two typists'
 * changes overwrite each other instead of interleaving (S7).
 */

export interface TextEdit {
  /** UTF-16 offset where the edit starts. */
  readonly index: number
  /** How many UTF-16 code units to delete there. */
  readonly remove: number
  /** What to insert there. */
  readonly insert: string
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/**
 * Null when the strings are equal. Never splits a surrogate pair. `caret` (the
 * selection end in `after`) places the edit where the user typed when repeated
 * characters make it ambiguous: typing "a" at the start of "aa" is an insert at
 * 0, not at 2 — which matters when someone else is typing in the same text. A
 * caret that does not fit (a value set by script) never makes the edit larger.
 */
export function minimalEdit(before: string, after: string, caret?: number): TextEdit | null {
  if (before === after) return null
  const shorter = Math.min(before.length, after.length)
  const free = splice(before, after, shorter)
  if (caret === undefined) return free
  const atCaret = splice(before, after, Math.max(0, Math.min(shorter, after.length - caret)))
  return atCaret.remove === free.remove ? atCaret : free
}

/** The edit with the longest common suffix up to `suffixLimit`, then the longest prefix. */
function splice(before: string, after: string, suffixLimit: number): TextEdit {
  const at = (text: string, fromEnd: number) => text.charCodeAt(text.length - 1 - fromEnd)
  let suffix = 0
  while (suffix < suffixLimit && at(before, suffix) === at(after, suffix)) suffix++
  const prefixLimit = Math.min(before.length, after.length) - suffix
  let prefix = 0
  while (prefix < prefixLimit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  }
}

/** One op of a Y.Text delta (Y.YTextEvent#delta). */
export interface DeltaOp {
  readonly retain?: number
  readonly insert?: unknown
  readonly delete?: number
}

/**
 * Where a caret at `position` ends up after `delta`. Text inserted exactly at the
 * caret goes before it, so a viewer's caret stays after what they were reading.
 */
export function transformPosition(position: number, delta: readonly DeltaOp[]): number {
  let index = 0
  let caret = position
  for (const op of delta) {
    if (index > caret) break
    if (op.retain !== undefined) {
      index += op.retain
    } else if (typeof op.insert === 'string') {
      caret += op.insert.length
      index += op.insert.length
    } else if (op.delete !== undefined) {
      caret -= Math.min(op.delete, caret - index)
    }
  }
  return caret
}
