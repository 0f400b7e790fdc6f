/**
 * Random Y.Doc edit sequences across a few replicas: every update Yjs emits
 * or computes along the way (events, state diffs, full states, merges with
 * gaps) is collected, because the guard must pass all of them.
 */
import fc from 'fast-check'
import * as Y from 'yjs'

type ValueSpec =
  | { t: 'json'; v: unknown }
  | { t: 'bigint'; v: bigint }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'undefined' }
  | { t: 'ymap' | 'ytext' | 'yarray' | 'subdoc' | 'xmlFragment' }

export type DocOp =
  | { t: 'mapSet'; doc: number; key: string; value: ValueSpec }
  | { t: 'mapDelete'; doc: number; key: string }
  | { t: 'arrayInsert'; doc: number; at: number; values: ValueSpec[] }
  | { t: 'arrayDelete'; doc: number; at: number; len: number }
  | { t: 'textInsert'; doc: number; at: number; text: string; attrs: Attrs | null }
  | { t: 'textFormat'; doc: number; at: number; len: number; attrs: Attrs }
  | { t: 'textDelete'; doc: number; at: number; len: number }
  | { t: 'textEmbed'; doc: number; at: number; embed: Record<string, unknown> }
  | { t: 'xml'; doc: number; kind: 'element' | 'text' | 'hook'; name: string }
  | { t: 'nested'; doc: number; pick: number; text: string; value: ValueSpec }
  | { t: 'sync'; from: number; to: number }

type Attrs = Record<string, unknown>

const REPLICAS = 3
const doc = fc.nat({ max: REPLICAS - 1 })
const key = fc.constantFrom('a', 'b', 'c', 'é', '')
const anyText = fc.string({ unit: 'binary', maxLength: 12 })
const attrs = fc.record(
  {
    bold: fc.constantFrom(true, null),
    color: fc.constantFrom('red', '#00f', null),
    link: fc.record({ href: fc.webUrl() }),
  },
  { requiredKeys: [] },
)

/** Values Y.Array.insert takes (it refuses bigint and undefined, Y.Map.set does not). */
const arrayValue: fc.Arbitrary<ValueSpec> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ t: 'json' as const, v })),
  fc.uint8Array({ maxLength: 8 }).map((v) => ({ t: 'bytes' as const, v })),
  fc.constantFrom('ymap', 'ytext', 'yarray', 'subdoc', 'xmlFragment').map((t) => ({ t })),
)
const value: fc.Arbitrary<ValueSpec> = fc.oneof(
  arrayValue,
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'bigint' as const, v })),
  fc.constant({ t: 'undefined' as const }),
)

export const docOp: fc.Arbitrary<DocOp> = fc.oneof(
  fc.record({ t: fc.constant('mapSet' as const), doc, key, value }),
  fc.record({ t: fc.constant('mapDelete' as const), doc, key }),
  fc.record({
    t: fc.constant('arrayInsert' as const),
    doc,
    at: fc.nat(),
    values: fc.array(arrayValue, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ t: fc.constant('arrayDelete' as const), doc, at: fc.nat(), len: fc.nat(3) }),
  fc.record({
    t: fc.constant('textInsert' as const),
    doc,
    at: fc.nat(),
    text: anyText.filter((s) => s.length > 0),
    attrs: fc.option(attrs),
  }),
  fc.record({ t: fc.constant('textFormat' as const), doc, at: fc.nat(), len: fc.nat(5), attrs }),
  fc.record({ t: fc.constant('textDelete' as const), doc, at: fc.nat(), len: fc.nat(5) }),
  fc.record({
    t: fc.constant('textEmbed' as const),
    doc,
    at: fc.nat(),
    embed: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
  }),
  fc.record({
    t: fc.constant('xml' as const),
    doc,
    kind: fc.constantFrom('element', 'text', 'hook'),
    name: fc.constantFrom('p', 'h1', 'img'),
  }),
  fc.record({ t: fc.constant('nested' as const), doc, pick: fc.nat(), text: anyText, value }),
  fc.record({ t: fc.constant('sync' as const), from: doc, to: doc }),
)

function make(spec: ValueSpec): unknown {
  switch (spec.t) {
    case 'json':
    case 'bigint':
    case 'bytes':
      return spec.v
    case 'undefined':
      return undefined
    case 'ymap':
      return new Y.Map([['k', 1]])
    case 'ytext':
      return new Y.Text('hi')
    case 'yarray':
      return Y.Array.from([1, 'x'])
    case 'subdoc':
      return new Y.Doc()
    case 'xmlFragment':
      return new Y.XmlFragment()
  }
}

/** Runs `ops` on fresh replicas; returns every update produced on the way. */
export function runOps(ops: DocOp[]): Uint8Array[] {
  const docs = Array.from({ length: REPLICAS }, () => new Y.Doc())
  const updates: Uint8Array[] = []
  for (const d of docs) d.on('update', (u: Uint8Array) => updates.push(u))
  for (const op of ops) apply(docs, op, updates)
  for (const d of docs) updates.push(Y.encodeStateAsUpdate(d))
  // Merging updates with gaps between them yields Skip structs.
  const events = updates.filter((_, i) => i % 2 === 0)
  if (events.length > 0) updates.push(Y.mergeUpdates(events))
  return updates
}

function apply(docs: Y.Doc[], op: DocOp, updates: Uint8Array[]): void {
  if (op.t === 'sync') {
    const diff = Y.encodeStateAsUpdate(docs[op.from]!, Y.encodeStateVector(docs[op.to]!))
    updates.push(diff)
    Y.applyUpdate(docs[op.to]!, diff)
    return
  }
  const d = docs[op.doc]!
  const map = d.getMap('m')
  const arr = d.getArray('a')
  const text = d.getText('t')
  const clampAt = (at: number, len: number) => at % (len + 1)
  if (op.t === 'mapSet') map.set(op.key, make(op.value))
  else if (op.t === 'mapDelete') map.delete(op.key)
  else if (op.t === 'arrayInsert') arr.insert(clampAt(op.at, arr.length), op.values.map(make))
  else if (op.t === 'arrayDelete') {
    const at = clampAt(op.at, arr.length)
    arr.delete(at, Math.min(op.len, arr.length - at))
  } else if (op.t === 'textInsert') {
    text.insert(clampAt(op.at, text.length), op.text, op.attrs ?? undefined)
  } else if (op.t === 'textFormat') text.format(clampAt(op.at, text.length), op.len, op.attrs)
  else if (op.t === 'textDelete') {
    const at = clampAt(op.at, text.length)
    text.delete(at, Math.min(op.len, text.length - at))
  } else if (op.t === 'textEmbed') text.insertEmbed(clampAt(op.at, text.length), op.embed)
  else if (op.t === 'xml') xmlEdit(d, op.kind, op.name)
  else nestedEdit(d, op.pick, op.text, op.value)
}

function xmlEdit(d: Y.Doc, kind: 'element' | 'text' | 'hook', name: string): void {
  const frag = d.getXmlFragment('x')
  if (kind === 'element') {
    const el = new Y.XmlElement(name)
    el.setAttribute('class', name)
    el.insert(0, [new Y.XmlText('inner')])
    frag.insert(0, [el])
  } else if (kind === 'text') frag.insert(frag.length, [new Y.XmlText(name)])
  // XmlHook is a valid child at runtime; the typings leave it out.
  else frag.insert(0, [new Y.XmlHook(name) as unknown as Y.XmlElement])
}

/** Edits a type nested in the root map, so items get ID parents. */
function nestedEdit(d: Y.Doc, pick: number, text: string, value: ValueSpec): void {
  const nested = [...d.getMap('m').values()].filter((v) => v instanceof Y.AbstractType)
  const target = nested[pick % Math.max(1, nested.length)]
  if (target instanceof Y.Text) target.insert(pick % (target.length + 1), text || 'x', { i: true })
  else if (target instanceof Y.Map) target.set(text, make(value))
  else if (target instanceof Y.Array)
    target.insert(0, [value.t === 'bigint' || value.t === 'undefined' ? 1 : make(value)])
  else if (target instanceof Y.XmlFragment) target.insert(0, [new Y.XmlText(text)])
}
