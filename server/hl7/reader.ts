/**
 * ER7 envelope checks plus a small typed view over node-hl7-client's parse tree.
 *
 * The library splits segments/fields/repetitions/components/subcomponents with the
 * message's own encoding characters and decodes escape sequences (\F\ \S\ \T\ \R\ \E\,
 * \Xhh\); it is deliberately lenient (it accepts "MSH" alone, ignores duplicate encoding
 * characters), so the strict checks HL7 v2.5 §2.5–2.7 asks of a receiver live here,
 * before the text reaches it. Its node API is loosely typed and crashes on some
 * missing paths, so everything else in server/hl7 goes through `Hl7Segment`.
 */
import { type HL7Node, Message } from 'node-hl7-client'
import { malformed, rejected } from './problem.ts'

/** Read-only access to one segment's decoded values. Indexes are HL7's: 1-based. */
export interface Hl7Segment {
  readonly name: string
  /** The decoded subcomponent, trimmed; '' when absent. */
  value(field: number, component?: number, subcomponent?: number, repetition?: number): string
  /** HL7's explicit null `""`: "delete the stored value" (v2.5 §2.5.3). */
  isNull(field: number): boolean
}

export interface Hl7Message {
  readonly segments: readonly Hl7Segment[]
  first(name: string): Hl7Segment | undefined
  count(name: string): number
}

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/

/** The MSH segment alone, so the ACK can echo its control id even when a later segment is broken. */
export function readMsh(lines: readonly string[]): Hl7Segment {
  const msh = lines[0] ?? ''
  checkEncoding(msh)
  return segmentView(parseWithLibrary(msh).toArray()[0], msh)
}

/** All segments; throws an AR Hl7Problem when the text is not structurally HL7 v2. */
export function readSegments(lines: readonly string[]): Hl7Message {
  checkEncoding(lines[0] ?? '')
  const fieldSeparator = (lines[0] ?? '').charAt(3)
  for (const [i, line] of lines.entries()) checkSegment(line, i, fieldSeparator)
  const nodes = parseWithLibrary(lines.join('\r')).toArray()
  const segments = lines.map((line, i) => segmentView(nodes[i], line))
  return {
    segments,
    first: (name) => segments.find((s) => s.name === name),
    count: (name) => segments.filter((s) => s.name === name).length,
  }
}

/** Senders use \r (the standard), \n or \r\n; a trailing separator is not a segment. */
export function splitSegments(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop()
  return lines
}

/** MSH-1 and MSH-2: distinct, non-alphanumeric characters; 4 of them (a 5th, v2.7 truncation, is allowed). */
function checkEncoding(msh: string): void {
  if (!msh.startsWith('MSH')) throw rejected('MSH', undefined, '100', 'must be the first segment')
  const fieldSeparator = msh.charAt(3)
  const end = fieldSeparator === '' ? -1 : msh.indexOf(fieldSeparator, 4)
  const encoding = end === -1 ? msh.slice(4) : msh.slice(4, end)
  const all = [...(fieldSeparator + encoding)]
  const valid =
    end !== -1 &&
    encoding.length >= 4 &&
    encoding.length <= 5 &&
    all.every((c) => /[^\sA-Za-z0-9]/.test(c)) &&
    new Set(all).size === all.length
  if (!valid) {
    const shown = JSON.stringify(msh.slice(3, 9))
    throw rejected('MSH', 2, '102', `encoding characters ${shown} are not valid`)
  }
}

function checkSegment(line: string, index: number, fieldSeparator: string): void {
  const name = line.slice(0, 3)
  const next = line.charAt(3)
  if (!SEGMENT_NAME.test(name) || (next !== '' && next !== fieldSeparator)) {
    const shown = JSON.stringify(line.slice(0, 8))
    throw malformed(`segment ${index + 1} (${shown}) is not a valid segment`)
  }
  if (index > 0 && name === 'MSH') throw rejected('MSH', undefined, '100', 'appears twice')
}

function parseWithLibrary(text: string): HL7Node {
  try {
    return new Message({ text })
  } catch (error) {
    // Our checks should leave nothing the library refuses; if it does, it is still an AR.
    const why = error instanceof Error ? error.message : String(error)
    throw malformed(`message could not be parsed: ${why}`)
  }
}

function segmentView(node: HL7Node | undefined, line: string): Hl7Segment {
  const name = line.slice(0, 3)
  // The library's Segment.read shifts MSH indexes itself (MSH-1 is the separator).
  const field = (n: number): HL7Node | undefined => node?.read([String(n)]) ?? undefined
  return {
    name,
    value: (f, c = 1, s = 1, r = 0) => pick(field(f), [r, c - 1, s - 1]).trim(),
    isNull: (f) => field(f)?.toRaw() === '""',
  }
}

/** Walks repetition → component → subcomponent by child index; '' for any gap. */
function pick(node: HL7Node | undefined, path: number[]): string {
  let current = node
  for (const index of path) {
    if (current === undefined || current.toRaw() === '') return ''
    current = current.toArray()[index]
  }
  // Only subcomponents decode escapes in toString(); that is where we stop.
  return current === undefined ? '' : current.toString()
}
