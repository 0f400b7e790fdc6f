/**
 * Sync fuzzing, part 2: a plan (fuzz-plans.ts) becomes the bytes — or text frame —
 * it stands for, against the server's document at send time: edits of a shadow copy,
 * byte mutations of those edits, hand-crafted hostile structs, awareness encodings.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import type { Limits } from '../../server/config.ts'
import { parseDocName } from '../../shared/protocol.ts'
import { type FieldSpec, PATIENT_FORM, STUDY_FORM } from '../../shared/schema.ts'
import { anyValues, craftUpdate, REF, rootItem, str } from '../unit/guards/craft.ts'
import type { AwarenessPlan, EditOp, Mutation, Payload, Plan, Value } from './fuzz-plans.ts'
import { syncMessage } from './sync-client.ts'

const BIG = Number.MAX_SAFE_INTEGER

/** Hand-made hostile updates no Y.Doc produces (subdocs, unknown roots, bogus refs). */
const CRAFTED: ((client: number, clock: number) => Uint8Array)[] = [
  (client, clock) =>
    craftUpdate(
      [
        rootItem('fields', 'description', REF.doc, (e) => {
          encoding.writeVarString(e, 'guid')
          encoding.writeAny(e, {})
        }),
      ],
      { client, clock },
    ),
  (client, clock) => craftUpdate([rootItem('evil', null, REF.string, str('x'))], { client, clock }),
  (client, clock) =>
    craftUpdate([rootItem('fields', 'priority', REF.any, anyValues('STAT', 'URGENT'))], {
      client,
      clock,
    }),
  (client, clock) =>
    craftUpdate([rootItem('fields', 'notes', REF.type, (e) => encoding.writeVarUint(e, 99))], {
      client,
      clock,
    }),
  (client, clock) => craftUpdate([rootItem('fields', 'bodyPart', 42, str('x'))], { client, clock }),
  (client, clock) =>
    craftUpdate(
      [rootItem('fields', 'description', REF.deleted, (e) => encoding.writeVarUint(e, BIG))],
      { client, clock },
    ),
]

export const CRAFTED_COUNT = CRAFTED.length

function newValue(v: Value): unknown {
  if (v.t === 'json') return v.v
  if (v.t === 'bytes') return v.v
  switch (v.kind) {
    case 'map':
      return new Y.Map()
    case 'array':
      return new Y.Array()
    case 'text':
      return new Y.Text('nested')
    case 'xml':
      return new Y.XmlText('xml')
    case 'doc':
      return new Y.Doc()
  }
}

function applyOp(doc: Y.Doc, op: EditOp): void {
  const fields = doc.getMap<unknown>('fields')
  const textOf = (k: string): Y.Text | null => {
    if (k === 'body') return doc.getText('body')
    const t = fields.get(k)
    return t instanceof Y.Text ? t : null
  }
  switch (op.op) {
    case 'set':
      return void fields.set(op.key, newValue(op.value))
    case 'delete':
      return void fields.delete(op.key)
    case 'insert': {
      const t = textOf(op.key)
      return void t?.insert(op.at % (t.length + 1), op.text)
    }
    case 'cut': {
      const t = textOf(op.key)
      if (t && t.length > 0)
        t.delete(op.at % t.length, Math.min(op.len, t.length - (op.at % t.length)))
      return
    }
    case 'format': {
      const t = textOf(op.key)
      if (t && t.length > 0) t.format(op.at % t.length, op.len, op.attrs)
      return
    }
    case 'embed': {
      const t = textOf(op.key)
      return void t?.insertEmbed(op.at % (t.length + 1), op.value)
    }
    case 'root':
      if (op.kind === 'map') doc.getMap(`r:${op.name}`).set('k', 1)
      else if (op.kind === 'text')
        doc.getText(op.name === 'body' ? 'body' : `t:${op.name}`).insert(0, 'r')
      else doc.getArray(`a:${op.name}`).push([1])
  }
}

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes)
  for (const mu of mutations) {
    if (b.length === 0) break
    const at = mu.at % b.length
    switch (mu.m) {
      case 'flip':
        b[at] = b[at]! ^ mu.bits
        break
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...mu.bytes, ...b.subarray(at)])
        break
      case 'remove':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + mu.len)])
        break
      case 'truncate':
        b = b.subarray(0, at)
        break
      case 'huge': {
        // A varint that declares an enormous count or length.
        const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]
        b = Uint8Array.from([...b.subarray(0, at), ...huge, ...b.subarray(at + 1)])
      }
    }
  }
  return b
}

/** An update from a client that synced the server's `doc` and then ran `ops`. */
export function editUpdate(doc: Y.Doc, ops: EditOp[]): Uint8Array {
  const shadow = new Y.Doc()
  Y.applyUpdate(shadow, Y.encodeStateAsUpdate(doc))
  const before = Y.encodeStateVector(shadow)
  try {
    shadow.transact(() => {
      for (const op of ops) applyOp(shadow, op)
    })
  } catch {
    // e.g. a root name already taken by another type: whatever got in is the edit
  }
  const update = Y.encodeStateAsUpdate(shadow, before)
  shadow.destroy()
  return update
}

/** A schema-valid edit of one field of `docName` (non-form documents get a body insert). */
function validEdit(docName: string, doc: Y.Doc, pick: number, text: string): Uint8Array {
  const name = parseDocName(docName)
  const schema =
    name?.kind === 'study' ? STUDY_FORM : name?.kind === 'patient' ? PATIENT_FORM : null
  if (!schema) return editUpdate(doc, [{ op: 'insert', key: 'body', at: pick, text }])
  const keys = Object.keys(schema)
  const key = keys[pick % keys.length]!
  const spec = schema[key]!
  if (spec.kind !== 'text') {
    return editUpdate(doc, [
      { op: 'set', key, value: { t: 'json', v: validValue(spec, pick, text) } },
    ])
  }
  const current = doc.getMap('fields').get(key)
  const used = current instanceof Y.Text ? current.length : 0
  return used + text.length < spec.maxLength
    ? editUpdate(doc, [{ op: 'insert', key, at: pick, text }])
    : editUpdate(doc, [{ op: 'cut', key, at: pick, len: 500 }])
}

function validValue(spec: FieldSpec, pick: number, text: string): string {
  if (spec.kind === 'enum') return spec.values[pick % spec.values.length]!
  if (spec.kind === 'text') return text
  if (spec.example === 'FAMILY^GIVEN') return `DOE${pick % 100}^JANE`
  if (spec.example === 'YYYY-MM-DD') return `1970-01-0${1 + (pick % 9)}`
  return text.slice(0, spec.maxLength)
}

function payloadBytes(p: Payload, doc: Y.Doc, docName: string): Uint8Array {
  switch (p.p) {
    case 'random':
      return p.bytes
    case 'noop':
      return Y.encodeStateAsUpdate(new Y.Doc())
    case 'valid':
      return validEdit(docName, doc, p.pick, p.text)
    case 'crafted':
      return CRAFTED[p.which]!(p.client, p.clock)
    case 'edit': {
      const update = editUpdate(doc, p.ops)
      return p.mutations.length === 0 ? update : mutate(update, p.mutations)
    }
  }
}

function awarenessJson(state: AwarenessPlan['state']): string {
  switch (state.s) {
    case 'null':
      return 'null'
    case 'json':
      return JSON.stringify(state.v) ?? 'null'
    case 'deep':
      return `${'{"a":'.repeat(state.depth)}1${'}'.repeat(state.depth)}`
    case 'big':
      return JSON.stringify({ mode: 'x'.repeat(state.bytes) })
    case 'spoof':
      return JSON.stringify({
        ...state.extra,
        user: { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' },
        mode: 'editing',
      })
    case 'raw':
      return state.text
  }
}

/** The bytes (or text frame) a plan stands for, given the server's document now. */
export function materialize(
  plan: Plan,
  doc: Y.Doc,
  docName: string,
  limits: Limits,
): Uint8Array | string {
  const e = encoding.createEncoder()
  switch (plan.k) {
    case 'bytes':
      return plan.bytes
    case 'text':
      return plan.text
    case 'sync': {
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint(e, plan.step)
      encoding.writeVarUint8Array(e, payloadBytes(plan.payload, doc, docName))
      encoding.writeUint8Array(e, plan.trailing)
      return encoding.toUint8Array(e)
    }
    case 'step1': {
      const sv = encoding.createEncoder()
      encoding.writeVarUint(sv, plan.sv.length)
      for (const [client, clock] of plan.sv) {
        encoding.writeVarUint(sv, client)
        encoding.writeVarUint(sv, clock)
      }
      return syncMessage(0, encoding.toUint8Array(sv))
    }
    case 'awareness': {
      const inner = encoding.createEncoder()
      encoding.writeVarUint(inner, plan.declared ?? plan.entries.length)
      for (const entry of plan.entries) {
        encoding.writeVarUint(inner, entry.clientID)
        encoding.writeVarUint(inner, entry.clock)
        encoding.writeVarString(inner, awarenessJson(entry.state))
      }
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
      return encoding.toUint8Array(e)
    }
    case 'awarenessBytes':
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint8Array(e, plan.bytes)
      return encoding.toUint8Array(e)
    case 'auth':
      encoding.writeVarUint(e, 2)
      encoding.writeUint8Array(e, plan.bytes)
      return encoding.toUint8Array(e)
    case 'query':
      return new Uint8Array([3])
    case 'type':
      encoding.writeVarUint(e, plan.type)
      encoding.writeUint8Array(e, plan.bytes)
      return encoding.toUint8Array(e)
    case 'oversized':
      return syncMessage(2, new Uint8Array(limits.maxMessageBytes + plan.extra))
  }
}

/**
 * Mirrors the server's dispatch for the one message type that answers: a sync step 1
 * it can decode gets a step 2 back. Used to know how many answers to wait for.
 */
export function answersWithStep2(m: Uint8Array | string, limits: Limits): boolean {
  if (typeof m === 'string' || m.byteLength > limits.maxMessageBytes) return false
  try {
    const d = decoding.createDecoder(m)
    if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) !== 0) return false
    Y.decodeStateVector(decoding.readVarUint8Array(d))
    return true
  } catch {
    return false
  }
}
