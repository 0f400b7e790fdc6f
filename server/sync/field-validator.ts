/**
 * Schema check for what a client writes into a form or report document,
 * decided on the decoded update WITHOUT applying it: a refused update must
 * never touch the live doc (API.md "Sync": invalid writes are refused, 4409).
 *
 * Run it only after `checkUpdateShape` passed (it decodes with Yjs). It
 * still never throws: anything unexpected becomes a refusal.
 *
 * The hard part is knowing where an item lands. Yjs writes the parent only
 * when an item has no origin; otherwise the parent (and map key) is copied
 * at integration from the left origin item, else the right one
 * (structs/Item.js `getMissing`). We replay that rule over the update's own
 * structs and the server's doc, including the cases where Yjs turns the item
 * into a GC (its neighbour or parent was garbage-collected): those never
 * land, so they are allowed whatever they hold.
 */
import * as Y from 'yjs'
import { checkFieldValue, type FormSchema } from '../../shared/schema.ts'

export type FieldValidation = { ok: true } | { ok: false; error: string; field?: string }

/** Where an item will be integrated. `parent` is the item of a nested type. */
type Anchor =
  | { kind: 'discarded' }
  | { kind: 'root'; name: string; key: string | null }
  | { kind: 'nested'; parent: Y.Item; key: string | null }

const DISCARDED: Anchor = { kind: 'discarded' }

/** Thrown inside the check, returned as `{ ok: false }`. */
class Refusal extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

/** What a document family lets clients write. */
interface Policy {
  /** Root names items may name explicitly (Yjs creates each one on read). */
  roots: ReadonlySet<string>
  /** Throws a Refusal unless `item` may land at `anchor`. */
  check(item: Y.Item, anchor: Anchor, view: UpdateView): void
}

/**
 * `study/<acc>` and `patient/<id>`: only the Y.Map `fields`, keyed by the
 * schema; text fields hold a Y.Text of strings and formats, bounded in length.
 */
export function validateFieldsUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  schema: FormSchema,
): FieldValidation {
  return validate(doc, update, fieldsPolicy(schema))
}

/** `study/<acc>/report`: only the root Y.Text `body`, strings and formats. */
export function validateReportUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  maxLength: number,
): FieldValidation {
  return validate(doc, update, reportPolicy(maxLength))
}

function validate(doc: Y.Doc, update: Uint8Array, policy: Policy): FieldValidation {
  try {
    const view = new UpdateView(doc, Y.decodeUpdate(update).structs)
    for (const struct of view.structs) {
      if (struct instanceof Y.Item) checkItem(struct, view, policy)
    }
    return { ok: true }
  } catch (e) {
    if (e instanceof Refusal) {
      return e.field === undefined
        ? { ok: false, error: e.message }
        : { ok: false, error: e.message, field: e.field }
    }
    return { ok: false, error: `undecodable update (${e instanceof Error ? e.message : e})` }
  }
}

function checkItem(item: Y.Item, view: UpdateView, policy: Policy): void {
  // Yjs calls doc.get(name) for every explicit root name while reading, even
  // for deleted content or structs it already has: refuse foreign roots first.
  const parent: unknown = item.parent
  if (typeof parent === 'string' && !policy.roots.has(parent)) {
    throw new Refusal(`unknown root type "${parent}"`)
  }
  if (view.newLength(item) === 0) return // Yjs skips what the doc already has
  if (item.content instanceof Y.ContentDeleted) return // nothing lands
  policy.check(item, view.anchorOf(item), view)
}

function fieldsPolicy(schema: FormSchema): Policy {
  return {
    roots: new Set(['fields']),
    check(item, anchor, view) {
      if (anchor.kind === 'discarded') return
      if (anchor.kind === 'nested') return checkTextChild(item, anchor, view, schema)
      if (anchor.name !== 'fields') throw new Refusal(`unknown root type "${anchor.name}"`)
      checkFieldValueItem(item, anchor.key, schema)
    },
  }
}

/** A direct entry of `fields`: known key, right kind of content. */
function checkFieldValueItem(item: Y.Item, key: string | null, schema: FormSchema): void {
  if (key === null) throw new Refusal('fields is a map: list content is not allowed')
  const spec = Object.hasOwn(schema, key) ? schema[key] : undefined
  if (!spec) throw new Refusal(`unknown field "${key}"`, key)
  const content = item.content
  if (spec.kind === 'text') {
    if (content instanceof Y.ContentType && content.type.constructor === Y.Text) return
    throw new Refusal(`${key} is collaborative text and must be a Y.Text`, key)
  }
  if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
    throw new Refusal(`${key} must be a single plain value`, key)
  }
  const problem = checkFieldValue(spec, content.arr[0])
  if (problem !== null) throw new Refusal(`${key} ${problem}`, key)
}

/** Content inside a nested type: only inside the Y.Text of a text field. */
function checkTextChild(
  item: Y.Item,
  anchor: Extract<Anchor, { kind: 'nested' }>,
  view: UpdateView,
  schema: FormSchema,
): void {
  const text = anchor.parent
  const content = text.content
  if (!(content instanceof Y.ContentType)) throw new Refusal('parent is not a shared type')
  const owner = view.anchorOf(text)
  if (owner.kind === 'discarded') return // the text itself never lands
  const field = owner.kind === 'root' && owner.name === 'fields' ? owner.key : null
  const spec = field !== null && Object.hasOwn(schema, field) ? schema[field] : undefined
  if (field === null || spec?.kind !== 'text' || content.type.constructor !== Y.Text) {
    throw new Refusal('nested content is only allowed in the Y.Text of a text field')
  }
  checkTextContent(item, anchor.key, field)
  view.addText(text, item, spec.maxLength, field)
}

function reportPolicy(maxLength: number): Policy {
  return {
    roots: new Set(['body']),
    check(item, anchor, view) {
      if (anchor.kind === 'discarded') return
      if (anchor.kind !== 'root' || anchor.name !== 'body') {
        throw new Refusal('the report holds only the Y.Text "body"')
      }
      checkTextContent(item, anchor.key, 'body')
      view.addText('body', item, maxLength, 'body')
    },
  }
}

/** Characters and formatting marks; no embeds, nested types or attributes. */
function checkTextContent(item: Y.Item, key: string | null, field: string): void {
  if (key !== null) throw new Refusal(`${field} takes no attributes`, field)
  const content = item.content
  if (content instanceof Y.ContentString || content instanceof Y.ContentFormat) return
  throw new Refusal(`${field} may hold only text and formatting`, field)
}

/** The update's structs indexed by ID, resolved against the server's doc. */
class UpdateView {
  private readonly byClient = new Map<number, Array<Y.Item | Y.GC>>()
  private readonly anchors = new Map<Y.Item, Anchor | 'visiting'>()
  private readonly added = new Map<Y.Item | 'body', number>()
  private rootNames: Map<unknown, string> | null = null

  constructor(
    private readonly doc: Y.Doc,
    readonly structs: ReadonlyArray<Y.Item | Y.GC | Y.Skip>,
  ) {
    for (const s of structs) {
      if (s instanceof Y.Skip) continue // a gap: the content is not in this update
      const list = this.byClient.get(s.id.client)
      if (list) list.push(s)
      else this.byClient.set(s.id.client, [s])
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock)
  }

  /** How much of `item` is new to the doc (Yjs drops the part it has). */
  newLength(item: Y.Item): number {
    const have = Y.getState(this.doc.store, item.id.client)
    return Math.max(0, item.id.clock + item.length - Math.max(have, item.id.clock))
  }

  /** The struct holding `id`: the doc's when the doc has it, else the update's. */
  find(id: Y.ID): Y.Item | Y.GC | null {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const structs = this.doc.store.clients.get(id.client)!
      return structs[Y.findIndexSS(structs, id.clock)] ?? null
    }
    return findInSorted(this.byClient.get(id.client), id.clock)
  }

  /** Where `item` lands, following origins iteratively (chains can be long). */
  anchorOf(item: Y.Item): Anchor {
    const chain: Y.Item[] = []
    let current = item
    let result: Anchor
    for (;;) {
      const known = this.anchors.get(current)
      if (known === 'visiting') throw new Refusal('circular origins')
      if (known) {
        result = known
        break
      }
      chain.push(current)
      this.anchors.set(current, 'visiting')
      const step = this.step(current)
      if (step instanceof Y.Item) current = step
      else {
        result = step
        break
      }
    }
    for (const c of chain) this.anchors.set(c, result)
    return result
  }

  /** Either the item's anchor, or the neighbour to copy it from. */
  private step(item: Y.Item): Anchor | Y.Item {
    const parent: unknown = item.parent
    if (parent instanceof Y.AbstractType) return this.docAnchor(item, parent)
    if (typeof parent === 'string') return { kind: 'root', name: parent, key: item.parentSub }
    if (parent instanceof Y.ID) return this.explicitParent(item, parent)
    if (parent !== null) return DISCARDED // a doc item whose parent was collected
    const left = item.origin ? this.resolve(item, item.origin, 'origin') : null
    const right = item.rightOrigin ? this.resolve(item, item.rightOrigin, 'right origin') : null
    if (left instanceof Y.GC || right instanceof Y.GC) return DISCARDED
    return left ?? right ?? DISCARDED
  }

  private explicitParent(item: Y.Item, id: Y.ID): Anchor {
    const p = this.resolve(item, id, 'parent')
    if (p instanceof Y.GC || p.content instanceof Y.ContentDeleted) return DISCARDED
    return { kind: 'nested', parent: p, key: item.parentSub }
  }

  /** An item already in the doc: its parent is a live type. */
  private docAnchor(item: Y.Item, parent: Y.AbstractType<unknown>): Anchor {
    if (parent._item !== null) return { kind: 'nested', parent: parent._item, key: item.parentSub }
    return { kind: 'root', name: this.rootName(parent), key: item.parentSub }
  }

  private resolve(item: Y.Item, id: Y.ID, what: string): Y.Item | Y.GC {
    // Yjs assumes a client's own earlier structs exist: a reference to the
    // item itself or later would make it read past what it has.
    if (id.client === item.id.client && id.clock >= item.id.clock) {
      throw new Refusal(`${what} points at a later struct of the same client`)
    }
    const found = this.find(id)
    if (!found) throw new Refusal(`${what} ${id.client}:${id.clock} is unknown to the server`)
    return found
  }

  private inDoc(item: Y.Item): boolean {
    return item.parent instanceof Y.AbstractType
  }

  private rootName(type: Y.AbstractType<unknown>): string {
    if (!this.rootNames) this.rootNames = new Map([...this.doc.share].map(([k, v]) => [v, k]))
    const name = this.rootNames.get(type)
    if (name === undefined) throw new Refusal('item of a type outside this document')
    return name
  }

  /**
   * Adds `item`'s characters to what the update puts into `text`, and refuses
   * once the doc's current length plus everything inserted passes `max`
   * (deletions in the same update are not credited: an estimate on the safe side).
   */
  addText(text: Y.Item | 'body', item: Y.Item, max: number, field: string): void {
    if (!(item.content instanceof Y.ContentString)) return
    let total = this.added.get(text)
    if (total === undefined) total = this.currentLength(text)
    total += this.newLength(item)
    this.added.set(text, total)
    if (total > max) throw new Refusal(`${field} must be at most ${max} characters`, field)
  }

  private currentLength(text: Y.Item | 'body'): number {
    if (text === 'body') return this.doc.share.get('body')?._length ?? 0
    return this.inDoc(text) && text.content instanceof Y.ContentType ? text.content.type._length : 0
  }
}

/** Binary search for the struct whose clock range holds `clock`. */
function findInSorted(list: Array<Y.Item | Y.GC> | undefined, clock: number): Y.Item | Y.GC | null {
  if (!list) return null
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const s = list[mid]!
    if (clock < s.id.clock) hi = mid - 1
    else if (clock >= s.id.clock + s.length) lo = mid + 1
    else return s
  }
  return null
}
