/**
 * Sync fuzzing, part 1: message *plans* (issue 8 §3). fast-check generates plans, not
 * bytes, because the interesting updates are edits (and mutations of edits) of the
 * document as the server holds it at send time; fuzz-materialize.ts turns a plan into
 * bytes then, and fuzz-sync.ts drives a server with them.
 */
import fc from 'fast-check'
import { CRAFTED_COUNT } from './fuzz-materialize.ts'

/** Largest safe varint: clocks, ids and lengths that push every bound. */
export const BIG = Number.MAX_SAFE_INTEGER

export type Value =
  | { t: 'json'; v: unknown }
  | { t: 'type'; kind: 'map' | 'array' | 'text' | 'xml' | 'doc' }
  | { t: 'bytes'; v: Uint8Array }

export type EditOp =
  | { op: 'set'; key: string; value: Value }
  | { op: 'delete'; key: string }
  | { op: 'insert'; key: string; at: number; text: string }
  | { op: 'cut'; key: string; at: number; len: number }
  | { op: 'format'; key: string; at: number; len: number; attrs: Record<string, unknown> }
  | { op: 'embed'; key: string; at: number; value: Record<string, unknown> }
  | { op: 'root'; name: string; kind: 'map' | 'text' | 'array' }

export type Mutation =
  | { m: 'flip'; at: number; bits: number }
  | { m: 'insert'; at: number; bytes: Uint8Array }
  | { m: 'remove'; at: number; len: number }
  | { m: 'truncate'; at: number }
  | { m: 'huge'; at: number }

export type Payload =
  | { p: 'random'; bytes: Uint8Array }
  | { p: 'edit'; ops: EditOp[]; mutations: Mutation[] }
  | { p: 'crafted'; which: number; client: number; clock: number }
  | { p: 'noop' }
  /** A write the document's schema allows (it may still lose to a concurrent one). */
  | { p: 'valid'; pick: number; text: string }

export interface AwarenessPlan {
  clientID: number
  clock: number
  state:
    | { s: 'null' }
    | { s: 'json'; v: unknown }
    | { s: 'deep'; depth: number }
    | { s: 'big'; bytes: number }
    | { s: 'spoof'; extra: Record<string, unknown> }
    | { s: 'raw'; text: string }
}

export type Plan =
  | { k: 'bytes'; bytes: Uint8Array }
  | { k: 'text'; text: string }
  | { k: 'sync'; step: number; payload: Payload; trailing: Uint8Array }
  | { k: 'step1'; sv: [number, number][] }
  | { k: 'awareness'; entries: AwarenessPlan[]; declared: number | null }
  | { k: 'awarenessBytes'; bytes: Uint8Array }
  | { k: 'auth'; bytes: Uint8Array }
  | { k: 'query' }
  | { k: 'type'; type: number; bytes: Uint8Array }
  | { k: 'oversized'; extra: number }

const FIELD_KEYS = [
  'priority',
  'description',
  'referringPhysician',
  'bodyPart',
  'clinicalHistory',
  'notes',
  'name',
  'birthDate',
  'sex',
  'accountStatus',
  'phone',
  'address',
]
const HOSTILE_KEYS = ['evil', '__proto__', 'constructor', '', 'fields', 'x'.repeat(300)]
const TEXT_KEYS = ['notes', 'clinicalHistory', 'body']
const GOOD_STRINGS = ['STAT', 'ROUTINE', 'CT CHEST', 'DOE^JANE', '1970-01-01', 'F', 'NORMAL']

const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
)

const value: fc.Arbitrary<Value> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(...GOOD_STRINGS).map((v) => ({ t: 'json', v }) as Value),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 300 }).map((v) => ({ t: 'json', v }) as Value) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ t: 'json', v }) as Value) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('map', 'array', 'text', 'xml', 'doc')
      .map((kind) => ({ t: 'type', kind }) as Value),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 16 }).map((v) => ({ t: 'bytes', v }) as Value),
  },
)

const editOp: fc.Arbitrary<EditOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      key: fc.constantFrom(...TEXT_KEYS),
      at: fc.nat(),
      text: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('y'.repeat(25_000))),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('cut' as const),
      key: fc.constantFrom(...TEXT_KEYS),
      at: fc.nat(),
      len: fc.nat({ max: 50 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('format' as const),
      key: fc.constantFrom(...TEXT_KEYS),
      at: fc.nat(),
      len: fc.nat({ max: 20 }),
      attrs: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), {
        maxKeys: 2,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('embed' as const),
      key: fc.constantFrom(...TEXT_KEYS),
      at: fc.nat(),
      value: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), {
        maxKeys: 2,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('root' as const),
      name: fc.constantFrom('body', 'evil', 'state', 'fields', ''),
      kind: fc.constantFrom('map', 'text', 'array'),
    }),
  },
)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    m: fc.constant('flip' as const),
    at: fc.nat(),
    bits: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    m: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    m: fc.constant('remove' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ m: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ m: fc.constant('huge' as const), at: fc.nat() }),
)

const payload: fc.Arbitrary<Payload> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ p: 'random', bytes }) as Payload),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        ops: fc.array(editOp, { minLength: 1, maxLength: 4 }),
        mutations: fc.oneof(
          { weight: 3, arbitrary: fc.constant([] as Mutation[]) },
          { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
        ),
      })
      .map((r) => ({ p: 'edit', ...r }) as Payload),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        which: fc.nat({ max: CRAFTED_COUNT - 1 }),
        client: fc.oneof(fc.nat(), fc.constant(BIG)),
        clock: fc.oneof(fc.nat({ max: 10 }), fc.constant(BIG)),
      })
      .map((r) => ({ p: 'crafted', ...r }) as Payload),
  },
  { weight: 1, arbitrary: fc.constant({ p: 'noop' } as Payload) },
  {
    weight: 5,
    arbitrary: fc
      .record({ pick: fc.nat(), text: fc.string({ maxLength: 30 }) })
      .map((r) => ({ p: 'valid', ...r }) as Payload),
  },
)

const awarenessState: fc.Arbitrary<AwarenessPlan['state']> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ s: 'null' as const }) },
  {
    weight: 4,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ s: 'json' as const, v })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 10, max: 5000 }).map((depth) => ({ s: 'deep' as const, depth })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 8000, max: 20_000 })
      .map((bytes) => ({ s: 'big' as const, bytes })),
  },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })
      .map((extra) => ({ s: 'spoof' as const, extra })),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 20 }).map((text) => ({ s: 'raw' as const, text })),
  },
)

const awarenessEntry: fc.Arbitrary<AwarenessPlan> = fc.record({
  clientID: fc.oneof(
    fc.constant(777),
    fc.nat(),
    fc.constant(0),
    fc.constant(2 ** 32 - 1),
    fc.constant(BIG),
  ),
  clock: fc.oneof(fc.nat({ max: 5 }), fc.nat(), fc.constant(BIG)),
  state: awarenessState,
})

/** Every kind of message, hostile ones well represented (exact mode). */
export const anyPlan: fc.Arbitrary<Plan> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ k: 'bytes', bytes }) as Plan),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 16 }).map((text) => ({ k: 'text', text }) as Plan),
  },
  {
    weight: 10,
    arbitrary: fc
      .record({
        step: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(1, 2) },
          { weight: 1, arbitrary: fc.nat(9) },
        ),
        payload,
        trailing: fc.oneof(
          { weight: 5, arbitrary: fc.constant(new Uint8Array()) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
        ),
      })
      .map((r) => ({ k: 'sync', ...r }) as Plan),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.nat(), fc.constant(BIG)), fc.oneof(fc.nat(), fc.constant(BIG))), {
        maxLength: 4,
      })
      .map((sv) => ({ k: 'step1', sv }) as Plan),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({
        entries: fc.oneof(
          { weight: 5, arbitrary: fc.array(awarenessEntry, { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.array(awarenessEntry, { minLength: 257, maxLength: 400 }) },
        ),
        declared: fc.oneof(
          { weight: 5, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.nat() },
        ),
      })
      .map((r) => ({ k: 'awareness', ...r }) as Plan),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 32 })
      .map((bytes) => ({ k: 'awarenessBytes', bytes }) as Plan),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 16 }).map((bytes) => ({ k: 'auth', bytes }) as Plan),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'query' } as Plan) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        type: fc.oneof(fc.integer({ min: 4, max: 200 }), fc.constant(BIG)),
        bytes: fc.uint8Array({ maxLength: 8 }),
      })
      .map((r) => ({ k: 'type', ...r }) as Plan),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 80_000 })
      .map((extra) => ({ k: 'oversized', extra }) as Plan),
  },
)

/** Mostly messages an honest-but-odd client might send, for long runs (batch mode). */
export const busyPlan: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ k: 'query' } as Plan) },
  {
    weight: 8,
    arbitrary: fc.uint8Array({ maxLength: 16 }).map((bytes) => ({ k: 'auth', bytes }) as Plan),
  },
  {
    weight: 8,
    arbitrary: fc
      .array(fc.tuple(fc.nat(), fc.nat({ max: 1000 })), { maxLength: 3 })
      .map((sv) => ({ k: 'step1', sv }) as Plan),
  },
  {
    weight: 8,
    arbitrary: fc
      .array(
        fc.record({
          clientID: fc.constant(777),
          clock: fc.oneof(fc.nat(), fc.constant(BIG)),
          state: fc.oneof(
            fc.constant({ s: 'null' as const }),
            fc
              .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
                maxKeys: 4,
              })
              .map((v) => ({ s: 'json' as const, v })),
            fc
              .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), {
                maxKeys: 3,
              })
              .map((extra) => ({ s: 'spoof' as const, extra })),
          ),
        }),
        { minLength: 1, maxLength: 2 },
      )
      .map((entries) => ({ k: 'awareness', entries, declared: null }) as Plan),
  },
  {
    weight: 6,
    arbitrary: fc.constant({
      k: 'sync',
      step: 2,
      payload: { p: 'noop' },
      trailing: new Uint8Array(),
    } as Plan),
  },
  { weight: 2, arbitrary: anyPlan },
)
