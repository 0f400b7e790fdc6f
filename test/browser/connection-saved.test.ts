import { expect, waitUntil } from '@open-wc/testing'
import * as Y from 'yjs'
import {
  type DocumentHandle,
  openDocument,
  wipeUserDocuments,
} from '../../client/connection/index.ts'
import { purgeGoneSubject } from '../../client/quarantine/purge-gone.ts'
import { QuarantineStore } from '../../client/quarantine/store.ts'
import { databaseNames, fakeNetwork, nextEvent, testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const WAIT = { timeout: 5000 }

/** Resolves once the handle's unsaved count satisfies `accept`. */
function unsavedWhere(handle: DocumentHandle, accept: (n: number) => boolean): Promise<number> {
  if (accept(handle.unsaved)) return Promise.resolve(handle.unsaved)
  return new Promise((resolve) => {
    const off = handle.on('unsaved', (n) => {
      if (!accept(n)) return
      off()
      resolve(n)
    })
  })
}

describe('connection layer: saved-on-server acknowledgements [S26]', () => {
  const userId = unique('u-tablet')
  after(() => wipeUserDocuments(userId))

  it('[S26] counts edits until the server acknowledges them, then says all is saved', async () => {
    const server = await testServer()
    const docName = `study/${unique('saved')}`
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl })
    await nextEvent(handle, 'saved')
    expect(handle.acknowledged).to.equal(true)
    expect(handle.unsaved).to.equal(0)

    const saved = nextEvent(handle, 'saved')
    handle.doc.getMap('fields').set('priority', 'STAT')
    expect(handle.unsaved, 'counted at once, before any answer').to.equal(1)
    expect((await saved).unsaved).to.equal(0)
    expect(await server.fields(docName)).to.deep.equal({ priority: 'STAT' })
    await handle.destroy({ clearLocalCopy: true })
  })

  it('[S26] offline edits stay unsaved across a reload and are saved on reconnect', async () => {
    const server = await testServer()
    const docName = `study/${unique('offline')}`
    const network = fakeNetwork(false)
    const first = openDocument({ docName, userId, serverUrl: server.syncUrl, network })
    await first.whenLocalLoaded
    const fields = first.doc.getMap('fields')
    fields.set('priority', 'URGENT')
    fields.set('description', 'CT head')
    const notes = new Y.Text('abc')
    fields.set('notes', notes)
    notes.delete(2, 1) // a pure deletion: invisible in a state vector
    expect(first.unsaved).to.equal(4)
    await first.destroy()

    // The tablet reloads, still offline: a new session (new client id) on the same copy.
    const second = openDocument({ docName, userId, serverUrl: server.syncUrl, network })
    await unsavedWhere(second, (n) => n === 4)
    expect(second.acknowledged).to.equal(false)

    network.set(true)
    await unsavedWhere(second, (n) => n === 0)
    expect(second.acknowledged).to.equal(true)
    expect(await server.fields(docName)).to.deep.equal({
      priority: 'URGENT',
      description: 'CT head',
      notes: 'ab',
    })
    await second.destroy({ clearLocalCopy: true })
  })

  it('without acknowledgements nothing is ever called saved, even when synced', async () => {
    const server = await testServer()
    const docName = `study/noack-${unique('x')}`
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl })
    await handle.whenSynced
    handle.doc.getMap('fields').set('priority', 'STAT')
    await waitUntil(
      async () => (await server.fields(docName)).priority === 'STAT',
      'on server',
      WAIT,
    )
    expect(handle.unsaved).to.equal(1)
    expect(handle.acknowledged).to.equal(false)
    await handle.destroy({ clearLocalCopy: true })
  })
})

describe('connection layer: quarantine of refused edits [S27]', () => {
  const userId = unique('u-tablet')
  after(() => wipeUserDocuments(userId))

  it('[S27] 4410 with unsaved edits: quarantined with the reason, local copy purged', async () => {
    const server = await testServer()
    const accession = unique('gone')
    const docName = `study/${accession}`
    const network = fakeNetwork(false)
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl, network })
    await handle.whenLocalLoaded
    handle.doc.getMap('fields').set('priority', 'STAT')
    expect(await databaseNames()).to.include(handle.databaseName)

    const quarantined = nextEvent(handle, 'quarantined')
    network.set(true)
    const entry = await quarantined
    expect(entry.subject).to.deep.equal({ type: 'study', id: accession })
    expect(entry.why.code).to.equal(4410)
    expect(entry.why.gone?.reason).to.equal('deleted')
    expect(entry.count).to.equal(1)
    expect(entry.values).to.deep.equal([{ path: 'fields.priority', value: 'STAT' }])
    const replay = new Y.Doc()
    Y.applyUpdate(
      replay,
      Uint8Array.from(atob(entry.update), (c) => c.charCodeAt(0)),
    )
    expect(replay.getMap('fields').get('priority')).to.equal('STAT')

    const stored = await new QuarantineStore(userId).list()
    expect(stored.map((e) => e.id)).to.include(entry.id)
    await waitUntil(
      async () => !(await databaseNames()).includes(handle.databaseName),
      'the local copy is deleted (never resurrected)',
      WAIT,
    )
    await handle.destroy()
  })

  it('[S27] 4409 with unsaved edits: quarantined, then a fresh copy resyncs', async () => {
    const server = await testServer()
    const docName = `study/${unique('refuse')}`
    const network = fakeNetwork(false)
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl, network })
    await handle.whenLocalLoaded
    handle.doc.getMap('fields').set('description', 'offline edit')

    const quarantined = nextEvent(handle, 'quarantined')
    const reset = nextEvent(handle, 'reset')
    network.set(true)
    const entry = await quarantined
    expect(entry.why).to.deep.equal({ code: 4409, reason: 'local copy refused' })
    expect(entry.values).to.deep.equal([{ path: 'fields.description', value: 'offline edit' }])
    const fresh = await reset
    await handle.whenSynced
    expect(fresh.doc.getMap('fields').get('description')).to.equal(undefined)
    await unsavedWhere(handle, (n) => n === 0)
    await handle.destroy({ clearLocalCopy: true })
  })
})

describe('quarantine: purge of a gone study from the feed [S27]', () => {
  const userId = unique('u-tablet')
  after(() => wipeUserDocuments(userId))

  it('[S27] a closed local copy with unsaved edits is quarantined and deleted', async () => {
    const server = await testServer()
    const accession = unique('A')
    const docName = `study/${accession}`
    const handle = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      network: fakeNetwork(false),
    })
    await handle.whenLocalLoaded
    handle.doc.getMap('fields').set('bodyPart', 'WRIST')
    await handle.destroy() // the form left; the copy stays on the device
    expect(await databaseNames()).to.include(handle.databaseName)

    const gone = {
      reason: 'deleted',
      by: { id: 'u-admin', name: 'ADMIN' },
      at: new Date().toISOString(),
    } as const
    await purgeGoneSubject(
      userId,
      { type: 'study', id: accession },
      { code: 4410, reason: '', gone },
    )

    expect(await databaseNames()).not.to.include(handle.databaseName)
    const [entry] = await new QuarantineStore(userId).list()
    expect(entry?.docName).to.equal(docName)
    expect(entry?.values).to.deep.equal([{ path: 'fields.bodyPart', value: 'WRIST' }])
    expect(entry?.why.gone).to.deep.equal(gone)
  })
})
