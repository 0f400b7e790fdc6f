/**
 * Turning a textarea's new value into the smallest Y.Text edit, and moving a caret
 * through someone else's edit. Replacing the whole text on every keystroke would
 * make two people typing at once overwrite each other (S7); a minimal splice merges.
 */

/** One contiguous replacement: delete `remove` characters at `index`, then insert `insert`. */
export interface Splice {
  readonly index: number
  readonly remove: number
  readonly insert: string
}

/**
 * The splice that turns `before` into `after`. `caret` (the selection end in `after`)
 * disambiguates repeated characters: typing "a" into "aa" at the start is an insert
 * at 0, not at 2, which matters when someone else is typing in the same text.
 * Returns null when nothing changed.
 */
export function diffText(before: string, after: string, caret?: number): Splice | null {
  if (before === after) return null
  const shorter = Math.min(before.length, after.length)
  // The edit ends at the caret: the common suffix may not reach into what was typed.
  const suffixLimit = caret === undefined ? shorter : Math.min(shorter, after.length - caret)
  let suffix = 0
  while (
    suffix < suffixLimit &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  )
    suffix++
  const prefixLimit = shorter - suffix
  let prefix = 0
  while (prefix < prefixLimit && before[prefix] === after[prefix]) prefix++
  // Never split a surrogate pair: Y.Text would store half an emoji.
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  }
}

/** A Y.Text event delta (`event.delta`). */
export type TextDelta = ReadonlyArray<{ retain?: number; insert?: unknown; delete?: number }>

/**
 * Where a position ends up after a remote edit. Text inserted exactly at the
 * position goes after it, so the local caret does not jump over what others type.
 */
export function transformPosition(position: number, delta: TextDelta): number {
  let oldIndex = 0 // where we are in the text before the edit
  let shift = 0
  for (const op of delta) {
    if (oldIndex >= position) break
    if (op.retain !== undefined) oldIndex += op.retain
    else if (op.insert !== undefined) {
      shift += typeof op.insert === 'string' ? op.insert.length : 1
    } else if (op.delete !== undefined) {
      shift -= Math.min(op.delete, position - oldIndex)
      oldIndex += op.delete
    }
  }
  return position + shift
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
