/**
 * The documents every server is measured on. Names are StudySync study forms
 * (`study/A10001`, …; the peers accept any name, so all three see the same
 * names), and the content is a valid study form: the Y.Map `fields` with a
 * `description` and a Y.Text `notes`, followed by `entries` small appends to
 * `notes` — the "200 entries" of the connect storm. Every server loads exactly
 * these records from disk; clients then write only `notes` appends.
 */
import * as Y from 'yjs'

/** Fixed client ids of the seeded history, so expected state vectors are known. */
const FORM_AUTHOR = 0x5eed01
const ENTRY_AUTHOR = 0x5eed02
/** The demo site's first accession; bench documents continue its numbering. */
const FIRST_ACCESSION = 10001

export function accessionOf(index: number): string {
  return `A${FIRST_ACCESSION + index}`
}

export function docNameOf(index: number): string {
  return `study/${accessionOf(index)}`
}

function entryToken(index: number, k: number): string {
  return `e${index}.${k};`
}

/** The seeded records of document `index`: the form, then one update per entry. */
export function seededRecords(index: number, entries: number): Uint8Array[] {
  const doc = new Y.Doc()
  const records: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => records.push(update))
  doc.clientID = FORM_AUTHOR
  const fields = doc.getMap<unknown>('fields')
  doc.transact(() => {
    fields.set('description', `Benchmark study ${accessionOf(index)}`)
    fields.set('notes', new Y.Text(''))
  })
  doc.clientID = ENTRY_AUTHOR
  const notes = fields.get('notes') as Y.Text
  for (let k = 0; k < entries; k++) notes.insert(notes.length, entryToken(index, k))
  doc.destroy()
  return records
}

/** The seeded history as one update (what a compacted store holds). */
export function seededState(index: number, entries: number): Uint8Array {
  const doc = new Y.Doc()
  for (const record of seededRecords(index, entries)) Y.applyUpdate(doc, record)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/** What `notes` holds once every seeded record is applied. */
export function seededNotes(index: number, entries: number): string {
  let text = ''
  for (let k = 0; k < entries; k++) text += entryToken(index, k)
  return text
}

/** The Y.Text clients write to, once the form has arrived. */
export function notesOf(doc: Y.Doc): Y.Text | null {
  const notes = doc.getMap<unknown>('fields').get('notes')
  return notes instanceof Y.Text ? notes : null
}

/**
 * True when `doc` holds the whole seeded history of document `index`. Yjs
 * advances a client's state only for integrated structs, so comparing states
 * is an exact check that every seeded record arrived and applied.
 */
export function holdsSeed(doc: Y.Doc, index: number, entries: number): boolean {
  const entryClock = seededNotes(index, entries).length
  return (
    Y.getState(doc.store, FORM_AUTHOR) >= formClock() &&
    Y.getState(doc.store, ENTRY_AUTHOR) >= entryClock
  )
}

let formClockCache = 0
function formClock(): number {
  if (formClockCache === 0) {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, seededRecords(0, 0)[0]!)
    formClockCache = Y.getState(doc.store, FORM_AUTHOR)
    doc.destroy()
  }
  return formClockCache
}
