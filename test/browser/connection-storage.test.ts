import { expect } from '@open-wc/testing'
import {
  documentDatabaseName,
  openDocument,
  wipeUserDocuments,
} from '../../client/connection/index.ts'
import { databaseNames, fakeNetwork, testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

/** Opens the doc with the network reported down: nothing can come from the server. */
function openOffline(userId: string, docName: string, serverUrl: string) {
  return openDocument({ docName, userId, serverUrl, network: fakeNetwork(false) })
}

describe('connection layer: local storage (DESIGN §6)', () => {
  const users: string[] = []
  const user = (name: string) => {
    const id = unique(name)
    users.push(id)
    return id
  }
  after(async () => {
    for (const id of users) await wipeUserDocuments(id)
  })

  it('persists a document in IndexedDB and a fresh handle for the same user reloads it without the network', async () => {
    const server = await testServer()
    const userId = user('u-tech')
    const docName = `study/${unique('local')}`

    const first = openOffline(userId, docName, server.syncUrl)
    await first.whenLocalLoaded
    expect(first.status).to.deep.equal({ kind: 'offline' })
    first.doc.getMap('fields').set('description', 'CT head, offline edit')
    await first.destroy()

    const second = openOffline(userId, docName, server.syncUrl)
    await second.whenLocalLoaded
    expect(second.doc.getMap('fields').get('description')).to.equal('CT head, offline edit')
    expect(await databaseNames()).to.include(`studysync:${userId}:${docName}`)
    // The content cannot have come over the wire: no attempt ever reached the server.
    expect(await server.connections(docName)).to.equal(0)
    await second.destroy()
  })

  it('namespaces IndexedDB by user id: a different user does not see the first user’s copy', async () => {
    const server = await testServer()
    const owner = user('u-bose')
    const other = user('u-huyen')
    const docName = `study/${unique('private')}`

    const mine = openOffline(owner, docName, server.syncUrl)
    await mine.whenLocalLoaded
    mine.doc.getMap('fields').set('notes', 'only for BOSE')
    await mine.destroy()

    const theirs = openOffline(other, docName, server.syncUrl)
    await theirs.whenLocalLoaded
    expect(theirs.doc.getMap('fields').toJSON()).to.deep.equal({})
    expect(theirs.databaseName).to.not.equal(mine.databaseName)
    await theirs.destroy()
  })

  it('wipeUserDocuments removes every database of that user and only those', async () => {
    const server = await testServer()
    const victim = user('u-trans')
    const neighbour = user('u-clerk')
    // Shares the victim's id as a prefix: must survive (ids are encoded, `:` cannot match).
    const lookalike = `${victim}:x`
    users.push(lookalike)
    const docs = [`study/${unique('w1')}`, `patient/${unique('w2')}`] as const
    for (const [userId, docName] of [
      [victim, docs[0]],
      [victim, docs[1]],
      [neighbour, docs[0]],
      [lookalike, docs[0]],
    ] as const) {
      const handle = openOffline(userId, docName, server.syncUrl)
      await handle.whenLocalLoaded
      await handle.destroy()
    }

    const result = await wipeUserDocuments(victim)

    const victimDbs = docs.map((d) => documentDatabaseName(victim, d))
    expect([...result.deleted].sort()).to.deep.equal([...victimDbs].sort())
    expect(result.pending).to.deep.equal([])
    const remaining = await databaseNames()
    for (const name of victimDbs) expect(remaining).to.not.include(name)
    expect(remaining).to.include(documentDatabaseName(neighbour, docs[0]))
    expect(remaining).to.include(documentDatabaseName(lookalike, docs[0]))
  })
})
