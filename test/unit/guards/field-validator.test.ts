/**
 * validateFieldsUpdate / validateReportUpdate with real Yjs clients: each
 * client syncs from a server doc, edits, and the server validates the update
 * the edit produced before applying it (API.md "Sync"; SCENARIOS S6, S7, S9).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  type FieldValidation,
  validateFieldsUpdate,
  validateReportUpdate,
} from '../../../server/sync/field-validator.ts'
import { checkUpdateShape } from '../../../server/sync/update-guard.ts'
import {
  type FieldSpec,
  type FormSchema,
  PATIENT_FORM,
  STUDY_FORM,
} from '../../../shared/schema.ts'
import { childItem, craftUpdate, itemAfter, REF, rootItem, str, uint } from './craft.ts'

/** A client replica of the server doc whose edits are captured as updates. */
class Client {
  readonly doc = new Y.Doc()
  private outbox: Uint8Array[] = []

  constructor(server: Y.Doc) {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(server), 'remote')
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') this.outbox.push(u)
    })
  }

  get fields(): Y.Map<unknown> {
    return this.doc.getMap('fields')
  }

  text(key: string): Y.Text {
    const t = this.fields.get(key)
    if (!(t instanceof Y.Text)) throw new Error(`${key} is not a Y.Text here`)
    return t
  }

  /** Runs `fn` in one transaction and returns the update it produced. */
  edit(fn: () => void): Uint8Array {
    this.doc.transact(fn)
    return this.take()
  }

  /** Everything edited since the last take, as one update. */
  take(): Uint8Array {
    const u = Y.mergeUpdates(this.outbox)
    this.outbox = []
    return u
  }

  receive(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, 'remote')
  }
}

/** Validates like the server: refused updates never reach the doc. */
function submit(server: Y.Doc, update: Uint8Array, schema: FormSchema = STUDY_FORM) {
  expect(checkUpdateShape(update, { maxStructs: 100_000 }).ok).toBe(true)
  const result = validateFieldsUpdate(server, update, schema)
  if (result.ok) Y.applyUpdate(server, update)
  return result
}

function expectRefused(result: FieldValidation, pattern: RegExp, field?: string) {
  expect(result.ok).toBe(false)
  if (!result.ok) {
    expect(result.error).toMatch(pattern)
    if (field !== undefined) expect(result.field).toBe(field)
  }
}

/** A server study doc with notes and clinicalHistory texts, and a synced client. */
function studyWithTexts() {
  const server = new Y.Doc()
  const setup = new Client(server)
  const u = setup.edit(() => {
    setup.fields.set('priority', 'ROUTINE')
    setup.fields.set('clinicalHistory', new Y.Text('Cough.'))
    setup.fields.set('notes', new Y.Text())
  })
  expect(submit(server, u)).toEqual({ ok: true })
  return server
}

describe('validateFieldsUpdate: valid edits pass (S6, S7)', () => {
  it('sets priority STAT and plain string fields', () => {
    const server = new Y.Doc()
    const c = new Client(server)
    expect(
      submit(
        server,
        c.edit(() => c.fields.set('priority', 'STAT')),
      ),
    ).toEqual({ ok: true })
    const u = c.edit(() => {
      c.fields.set('description', 'CT chest')
      c.fields.set('bodyPart', '')
    })
    expect(submit(server, u)).toEqual({ ok: true })
    expect(server.getMap('fields').get('priority')).toBe('STAT')
  })

  it('overwrites a key several times (later writes find their parent through the origin)', () => {
    const server = new Y.Doc()
    const c = new Client(server)
    for (const p of ['STAT', 'URGENT', 'ROUTINE', 'CRITFIND']) {
      const u = c.edit(() => c.fields.set('priority', p))
      if (p !== 'STAT') expect(Y.decodeUpdate(u).structs.some(hasOriginOnly)).toBe(true)
      expect(submit(server, u)).toEqual({ ok: true })
    }
    // Several overwrites in one update chain origins inside the update itself.
    const burst = c.edit(() => {
      for (const p of ['STAT', 'URGENT', 'STAT']) c.fields.set('priority', p)
    })
    expect(submit(server, burst)).toEqual({ ok: true })
    expect(server.getMap('fields').get('priority')).toBe('STAT')
  })

  it('types in clinicalHistory concurrently from two clients; both texts survive (S7)', () => {
    const server = studyWithTexts()
    const a = new Client(server)
    const b = new Client(server)
    const ua = a.edit(() => a.text('clinicalHistory').insert(6, ' Fever.', { bold: true }))
    const ub = b.edit(() => b.text('clinicalHistory').insert(0, 'Hx: '))
    const ub2 = b.edit(() => b.text('clinicalHistory').insert(3, '!'))
    expect(submit(server, ub)).toEqual({ ok: true })
    expect(submit(server, ua)).toEqual({ ok: true })
    expect(submit(server, ub2)).toEqual({ ok: true })
    a.receive(ub)
    a.receive(ub2)
    b.receive(ua)
    const text = server.getMap('fields').get('clinicalHistory') as Y.Text
    expect(text.toString()).toBe('Hx:! Cough. Fever.')
    expect(a.text('clinicalHistory').toString()).toBe(text.toString())
    expect(b.text('clinicalHistory').toString()).toBe(text.toString())
  })

  it('deletes and formats text, and deletes keys (delete sets are always allowed)', () => {
    const server = studyWithTexts()
    const c = new Client(server)
    expect(
      submit(
        server,
        c.edit(() => c.text('clinicalHistory').format(0, 5, { italic: true })),
      ),
    ).toEqual({ ok: true })
    expect(
      submit(
        server,
        c.edit(() => c.text('clinicalHistory').delete(0, 3)),
      ),
    ).toEqual({ ok: true })
    expect(
      submit(
        server,
        c.edit(() => c.fields.delete('priority')),
      ),
    ).toEqual({ ok: true })
    expect((server.getMap('fields').get('clinicalHistory') as Y.Text).toString()).toBe('gh.')
  })

  it('accepts a client full state that still carries deleted values (ContentDeleted)', () => {
    const c = new Client(new Y.Doc())
    c.fields.set('description', 'first')
    c.fields.set('description', 'second')
    c.fields.set('notes', new Y.Text('draft'))
    c.fields.set('notes', new Y.Text('final'))
    const full = Y.encodeStateAsUpdate(c.doc)
    const contents = Y.decodeUpdate(full).structs.map((s) => (s as Y.Item).content?.constructor)
    expect(contents).toContain(Y.ContentDeleted)
    expect(submit(new Y.Doc(), full)).toEqual({ ok: true })
  })

  it('accepts offline typing into a text that was replaced and collected meanwhile (it lands as GC)', () => {
    const server = studyWithTexts()
    const offline = new Client(server)
    const other = new Client(server)
    const intoEmpty = offline.edit(() => offline.text('notes').insert(0, 'offline note'))
    expect(
      submit(
        server,
        other.edit(() => other.fields.set('notes', new Y.Text('replaced'))),
      ),
    ).toEqual({
      ok: true,
    })
    expect(submit(server, intoEmpty)).toEqual({ ok: true })
    const after = offline.edit(() => offline.text('notes').insert(12, ' more'))
    expect(submit(server, after)).toEqual({ ok: true })
    expect((server.getMap('fields').get('notes') as Y.Text).toString()).toBe('replaced')
  })

  it('accepts valid patient fields (S9)', () => {
    const server = new Y.Doc()
    const c = new Client(server)
    const u = c.edit(() => {
      c.fields.set('name', 'DOE^JANE')
      c.fields.set('birthDate', '1970-01-31')
      c.fields.set('accountStatus', 'OVERDUE')
    })
    expect(submit(server, u, PATIENT_FORM)).toEqual({ ok: true })
  })

  it('does not count text the server already has when a client sends its whole state', () => {
    const server = studyWithTexts()
    const c = new Client(server)
    expect(
      submit(
        server,
        c.edit(() => c.text('notes').insert(0, 'n'.repeat(15_000))),
      ),
    ).toEqual({ ok: true })
    c.text('notes').insert(15_000, ' end')
    // e.g. sync step 2 answering an empty state vector: all 15,004 characters again
    expect(validateFieldsUpdate(server, Y.encodeStateAsUpdate(c.doc), STUDY_FORM)).toEqual({
      ok: true,
    })
  })

  it('does not re-judge structs the server already has (a value from before a schema change)', () => {
    const server = new Y.Doc()
    server.getMap('fields').set('priority', 'LOW') // written before LOW was dropped
    const c = new Client(server)
    c.fields.set('description', 'CT head')
    expect(validateFieldsUpdate(server, Y.encodeStateAsUpdate(c.doc), STUDY_FORM)).toEqual({
      ok: true,
    })
    expect(validateFieldsUpdate(new Y.Doc(), Y.encodeStateAsUpdate(c.doc), STUDY_FORM).ok).toBe(
      false,
    )
  })

  it('skips structs the server already has (a re-sent update is a no-op)', () => {
    const server = studyWithTexts()
    const c = new Client(server)
    const u = c.edit(() => c.text('notes').insert(0, 'x'))
    expect(submit(server, u)).toEqual({ ok: true })
    expect(validateFieldsUpdate(server, u, STUDY_FORM)).toEqual({ ok: true })
  })
})

describe('validateFieldsUpdate: invalid edits are refused', () => {
  const cases: Array<[string, (c: Client) => void, RegExp, string | undefined]> = [
    [
      'an unknown key',
      (c) => c.fields.set('evilField', 'x'),
      /unknown field "evilField"/,
      'evilField',
    ],
    ['a prototype key', (c) => c.fields.set('constructor', 'x'), /unknown field/, 'constructor'],
    [
      'priority BOGUS',
      (c) => c.fields.set('priority', 'BOGUS'),
      /priority must be one of STAT/,
      'priority',
    ],
    [
      'a number for a string',
      (c) => c.fields.set('description', 42),
      /must be a string/,
      'description',
    ],
    [
      'an overlong string',
      (c) => c.fields.set('bodyPart', 'x'.repeat(65)),
      /at most 64/,
      'bodyPart',
    ],
    ['a Y.Map for notes', (c) => c.fields.set('notes', new Y.Map()), /must be a Y.Text/, 'notes'],
    ['a string for notes', (c) => c.fields.set('notes', 'plain'), /must be a Y.Text/, 'notes'],
    [
      'a Y.XmlText for notes',
      (c) => c.fields.set('notes', new Y.XmlText('x')),
      /must be a Y.Text/,
      'notes',
    ],
    [
      'a Y.Text for priority',
      (c) => c.fields.set('priority', new Y.Text('STAT')),
      /single plain value/,
      'priority',
    ],
    [
      'binary for a string',
      (c) => c.fields.set('description', new Uint8Array([1])),
      /single plain/,
      'description',
    ],
    [
      'a subdocument',
      (c) => c.fields.set('description', new Y.Doc()),
      /single plain/,
      'description',
    ],
    [
      'a root map "evil"',
      (c) => c.doc.getMap('evil').set('x', 1),
      /unknown root type "evil"/,
      undefined,
    ],
    [
      'a root text "evil"',
      (c) => c.doc.getText('evil').insert(0, 'x'),
      /unknown root type "evil"/,
      undefined,
    ],
    [
      'list content in fields',
      (c) => c.doc.getArray('fields').insert(0, [1]),
      /list content/,
      undefined,
    ],
  ]
  it.each(cases)('refuses %s and leaves the doc untouched', (_name, edit, pattern, field) => {
    const server = studyWithTexts()
    const before = Y.encodeStateAsUpdate(server)
    const roots = [...server.share.keys()]
    const c = new Client(server)
    expectRefused(
      submit(
        server,
        c.edit(() => edit(c)),
      ),
      pattern,
      field,
    )
    expect(Y.encodeStateAsUpdate(server)).toEqual(before)
    expect([...server.share.keys()]).toEqual(roots)
  })

  it('refuses embeds, nested types and attributes inside a text field', () => {
    const server = studyWithTexts()
    // A refused client resets (4409), so each attempt comes from a fresh replica.
    const attempt = (edit: (notes: Y.Text) => void) => {
      const c = new Client(server)
      return submit(
        server,
        c.edit(() => edit(c.text('notes'))),
      )
    }
    expectRefused(
      attempt((t) => t.insertEmbed(0, { img: 'x' })),
      /only text and formatting/,
      'notes',
    )
    expectRefused(
      attempt((t) => t.insertEmbed(0, new Y.Map())),
      /only text and formatting/,
      'notes',
    )
    expectRefused(
      attempt((t) => t.setAttribute('lang', 'en')),
      /no attributes/,
      'notes',
    )
  })

  it('refuses content nested in a type that is not a text field', () => {
    const server = new Y.Doc()
    const c = new Client(server)
    // A Y.Map under a known key is refused, so its children can only come in the same update.
    const u = c.edit(() => {
      const m = new Y.Map()
      c.fields.set('description', m)
      m.set('x', 'y')
    })
    expectRefused(submit(server, u), /single plain value|nested content/)
  })

  it('refuses text past maxLength, counting what the doc already holds (overlong text)', () => {
    const server = studyWithTexts()
    const type = (at: number, s: string) => {
      const c = new Client(server)
      return submit(
        server,
        c.edit(() => c.text('notes').insert(at, s)),
      )
    }
    expectRefused(type(0, 'x'.repeat(20_001)), /at most 20000/, 'notes')
    expect(type(0, 'y'.repeat(19_990))).toEqual({ ok: true })
    expectRefused(type(5, 'z'.repeat(11)), /at most 20000/, 'notes')
    expect(type(5, 'z'.repeat(10))).toEqual({ ok: true })
    expect((server.getMap('fields').get('notes') as Y.Text).length).toBe(20_000)
  })

  it('refuses a new text field created already overlong', () => {
    const c = new Client(new Y.Doc())
    const u = c.edit(() => c.fields.set('clinicalHistory', new Y.Text('h'.repeat(20_001))))
    expectRefused(submit(new Y.Doc(), u), /at most 20000/, 'clinicalHistory')
  })

  it('refuses patient names that violate the pattern (S9)', () => {
    for (const name of ['A^B^C^D^E^F', '^GIVEN', 'DOE\nJANE']) {
      const server = new Y.Doc()
      const c = new Client(server)
      expectRefused(
        submit(
          server,
          c.edit(() => c.fields.set('name', name)),
          PATIENT_FORM,
        ),
        /name must look like FAMILY\^GIVEN/,
        'name',
      )
    }
  })

  it('refuses an update whose origin the server does not know', () => {
    const server = studyWithTexts()
    const c = new Client(server)
    c.edit(() => c.text('notes').insert(0, 'never sent'))
    const dependent = c.edit(() => c.text('notes').insert(10, '!'))
    expectRefused(submit(server, dependent), /unknown to the server/)
  })
})

describe('validateFieldsUpdate: hand-made updates', () => {
  const server = () => studyWithTexts()

  it('refuses deleted content in a foreign root (Yjs would create the root while reading)', () => {
    const u = craftUpdate([rootItem('evil', 'k', REF.deleted, uint(1))])
    expect(checkUpdateShape(u, { maxStructs: 10 }).ok).toBe(true)
    expectRefused(validateFieldsUpdate(server(), u, STUDY_FORM), /unknown root type "evil"/)
  })

  it('refuses circular and forward origins', () => {
    const circular = craftUpdate(
      [itemAfter(1, 1, REF.string, str('a')), itemAfter(1, 0, REF.string, str('b'))],
      {
        client: 1,
      },
    )
    expectRefused(validateFieldsUpdate(server(), circular, STUDY_FORM), /later struct|circular/)
    const a = craftUpdate([itemAfter(2, 0, REF.string, str('a'))], { client: 3 })
    const b = craftUpdate([itemAfter(3, 0, REF.string, str('b'))], { client: 2 })
    expectRefused(validateFieldsUpdate(server(), Y.mergeUpdates([a, b]), STUDY_FORM), /circular/)
  })

  it('refuses a parent ID that is not a type', () => {
    const s = server()
    const priority = [...s.store.clients.values()][0]!.find(
      (x) => x instanceof Y.Item && x.parentSub === 'priority',
    )!
    const u = craftUpdate(
      [childItem(priority.id.client, priority.id.clock, REF.string, str('x'))],
      { client: 99 },
    )
    expectRefused(validateFieldsUpdate(s, u, STUDY_FORM), /not a shared type/)
  })

  it('never throws on garbage, nor on shape-valid mutations of real updates', () => {
    const s = server()
    const before = Y.encodeStateAsUpdate(s)
    const c = new Client(s)
    const real = c.edit(() => {
      c.fields.set('priority', 'STAT')
      c.text('notes').insert(0, 'hello', { bold: true })
    })
    const mutant = fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
      maxLength: 3,
    })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), mutant, (garbage, ms) => {
        expect(typeof validateFieldsUpdate(s, garbage, STUDY_FORM).ok).toBe('boolean')
        const m = Uint8Array.from(real)
        for (const { at, byte } of ms) m[at % m.length] = byte
        expect(typeof validateFieldsUpdate(s, m, STUDY_FORM).ok).toBe('boolean')
        expect(typeof validateReportUpdate(s, m, 100).ok).toBe('boolean')
      }),
      { numRuns: 2000 },
    )
    expect(Y.encodeStateAsUpdate(s)).toEqual(before)
  })
})

describe('validateFieldsUpdate: random valid form edits always pass', () => {
  it('from three clients with random delivery order, and all replicas converge', () => {
    const schemas = fc.constantFrom(STUDY_FORM, PATIENT_FORM)
    fc.assert(
      fc.property(schemas, fc.array(formOp, { maxLength: 60, size: 'max' }), (schema, ops) => {
        const hub = new Hub(schema, 3)
        for (const op of ops) hub.run(op)
        hub.flush()
        const expected = hub.server.getMap('fields').toJSON()
        for (const c of hub.clients) expect(c.fields.toJSON()).toEqual(expected)
      }),
      { numRuns: 150 },
    )
  })
})

/**
 * A server doc and its clients. Each client's updates queue until delivered;
 * the server validates each one (a refusal fails the test), applies it and
 * relays it to the other clients' inboxes, read when they `receive`.
 */
class Hub {
  readonly server = new Y.Doc()
  readonly clients: Client[]
  private readonly outbox: Uint8Array[][]
  private readonly inbox: Uint8Array[][]

  constructor(
    private readonly schema: FormSchema,
    n: number,
  ) {
    this.clients = Array.from({ length: n }, () => new Client(this.server))
    this.outbox = this.clients.map(() => [])
    this.inbox = this.clients.map(() => [])
  }

  run(op: FormOp): void {
    if (op.t === 'deliver') this.deliver(op.client)
    else if (op.t === 'receive') this.receive(op.client)
    else {
      const c = this.clients[op.client]!
      applyFormOp(c, this.schema, op)
      const u = c.take()
      const { structs, ds } = Y.decodeUpdate(u)
      if (structs.length > 0 || ds.clients.size > 0) this.outbox[op.client]!.push(u)
    }
  }

  flush(): void {
    this.clients.forEach((_, i) => {
      while (this.outbox[i]!.length > 0) this.deliver(i)
    })
    this.clients.forEach((_, i) => {
      this.receive(i)
    })
  }

  private deliver(i: number): void {
    const u = this.outbox[i]!.shift()
    if (!u) return
    const r = validateFieldsUpdate(this.server, u, this.schema)
    if (!r.ok) throw new Error(`refused a valid edit: ${r.error}`)
    Y.applyUpdate(this.server, u)
    this.inbox.forEach((box, j) => {
      if (j !== i) box.push(u)
    })
  }

  private receive(i: number): void {
    for (const u of this.inbox[i]!.splice(0)) this.clients[i]!.receive(u)
  }
}

type FormOp =
  | { t: 'set'; client: number; pick: number; choice: number; str: string }
  | { t: 'newText'; client: number; pick: number; str: string }
  | { t: 'type'; client: number; pick: number; at: number; str: string; bold: boolean }
  | { t: 'erase'; client: number; pick: number; at: number; len: number }
  | { t: 'format'; client: number; pick: number; at: number; len: number }
  | { t: 'delete'; client: number; pick: number }
  | { t: 'deliver'; client: number }
  | { t: 'receive'; client: number }

const client = fc.nat(2)
const pick = fc.nat()
const text = fc.string({ unit: 'binary', maxLength: 12 })
const formOp: fc.Arbitrary<FormOp> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), client, pick, choice: fc.nat(), str: text }),
  fc.record({ t: fc.constant('newText' as const), client, pick, str: text }),
  fc.record({
    t: fc.constant('type' as const),
    client,
    pick,
    at: fc.nat(),
    str: text,
    bold: fc.boolean(),
  }),
  fc.record({ t: fc.constant('erase' as const), client, pick, at: fc.nat(), len: fc.nat(6) }),
  fc.record({ t: fc.constant('format' as const), client, pick, at: fc.nat(), len: fc.nat(6) }),
  fc.record({ t: fc.constant('delete' as const), client, pick }),
  fc.record({ t: fc.constantFrom('deliver' as const, 'receive' as const), client }),
  fc.record({ t: fc.constant('deliver' as const), client }),
)

/** Valid values per field: the edits a well-behaved form makes. */
const NAMES = ['DOE^JANE', 'O’NEIL^SEÁN^M', 'SMITH', 'X^^^^Y']
const DATES = ['1970-01-31', '2001-12-01', '1999-02-28']

function applyFormOp(c: Client, schema: FormSchema, op: FormOp): void {
  if (op.t === 'deliver' || op.t === 'receive') return
  const keys = Object.keys(schema)
  const key = keys[op.pick % keys.length]!
  const spec = schema[key]!
  if (op.t === 'delete') c.fields.delete(key)
  else if (spec.kind !== 'text') {
    if (op.t === 'set') c.fields.set(key, validValue(key, spec, op.choice, op.str))
  } else editText(c, key, op)
}

function validValue(key: string, spec: FieldSpec, choice: number, str: string): string {
  if (spec.kind === 'enum') return spec.values[choice % spec.values.length]!
  if (key === 'name') return NAMES[choice % NAMES.length]!
  if (key === 'birthDate') return DATES[choice % DATES.length]!
  return spec.kind === 'string' ? str.slice(0, spec.maxLength) : ''
}

function editText(c: Client, key: string, op: FormOp): void {
  const current = c.fields.get(key)
  if (op.t === 'newText' || !(current instanceof Y.Text)) {
    c.fields.set(key, new Y.Text(op.t === 'newText' ? op.str : ''))
    return
  }
  const at = 'at' in op ? op.at % (current.length + 1) : 0
  if (op.t === 'type') current.insert(at, op.str, op.bold ? { bold: true } : undefined)
  else if (op.t === 'erase') current.delete(at, Math.min(op.len, current.length - at))
  else if (op.t === 'format') current.format(at, op.len, { italic: true })
}

describe('validateReportUpdate', () => {
  function reportServer() {
    const server = new Y.Doc()
    const c = new Client(server)
    const u = c.edit(() => c.doc.getText('body').insert(0, 'FINDINGS: ', { bold: true }))
    expect(validateReportUpdate(server, u, 50)).toEqual({ ok: true })
    Y.applyUpdate(server, u)
    return server
  }

  it('accepts typing, formatting and deleting in body', () => {
    const server = reportServer()
    const c = new Client(server)
    const body = c.doc.getText('body')
    for (const edit of [
      () => body.insert(10, 'No acute disease.'),
      () => body.format(0, 9, { underline: true }),
      () => body.delete(0, 3),
    ]) {
      const u = c.edit(edit)
      expect(validateReportUpdate(server, u, 50)).toEqual({ ok: true })
      Y.applyUpdate(server, u)
    }
    expect(server.getText('body').toString()).toBe('DINGS: No acute disease.')
  })

  it('refuses other roots, embeds, nested types and overlong text', () => {
    const server = reportServer()
    const attempt = (edit: (c: Client, body: Y.Text) => void) => {
      const c = new Client(server)
      return validateReportUpdate(
        server,
        c.edit(() => edit(c, c.doc.getText('body'))),
        50,
      )
    }
    expectRefused(
      attempt((c) => c.fields.set('priority', 'STAT')),
      /unknown root type "fields"/,
    )
    expectRefused(
      attempt((_, b) => b.insertEmbed(0, { img: 1 })),
      /only text and formatting/,
      'body',
    )
    expectRefused(
      attempt((_, b) => b.insertEmbed(3, new Y.Text('x'))),
      /only text and formatting/,
      'body',
    )
    expectRefused(
      attempt((_, b) => b.insert(0, 'x'.repeat(41))),
      /at most 50/,
      'body',
    )
    expect(attempt((_, b) => b.insert(0, 'x'.repeat(40)))).toEqual({ ok: true })
  })
})

/** Has an origin and so no written parent: the case that needs resolving. */
function hasOriginOnly(s: Y.Item | Y.GC | Y.Skip): boolean {
  return s instanceof Y.Item && s.parent === null && s.origin !== null
}
