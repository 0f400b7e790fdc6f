import { expect } from '@open-wc/testing'
import * as Y from 'yjs'
import {
  DocumentUnavailableError,
  openDocument,
  wipeUserDocuments,
} from '../../client/connection/index.ts'
import {
  fakeNetwork,
  nextEvent,
  recordingTimers,
  statusWhere,
  testServer,
  unique,
} from './helpers.ts'
import { after, describe, it } from './mocha.ts'

/**
 * Proving that something does *not* happen needs a bounded wait. y-websocket's own
 * retry (the one we must have disabled) would fire 200 ms after the first close;
 * our retries go through the injected timers, which are checked directly.
 */
const QUIET_PERIOD_MS = 600

const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, QUIET_PERIOD_MS))

describe('connection layer: close codes (API.md "Sync")', () => {
  const userId = unique('u-bose')
  after(() => wipeUserDocuments(userId))

  it('4410: emits `closed` with the parsed GoneReason and never reconnects', async () => {
    const server = await testServer()
    const docName = `study/${unique('gone')}`
    const timers = recordingTimers({ run: false })
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl, timers })

    const closed = await nextEvent(handle, 'closed')

    expect(closed).to.deep.equal({
      kind: 'closed',
      code: 4410,
      reason: closed.reason,
      permanent: true,
      gone: {
        reason: 'deleted',
        by: { id: 'u-bose', name: 'BOSE' },
        at: '2026-11-22T14:02:31.000Z',
      },
    })
    expect(JSON.parse(closed.reason)).to.deep.equal(closed.gone)
    expect(handle.status).to.equal(closed)
    expect(timers.delays, 'no retry scheduled').to.deep.equal([])
    const error = await handle.whenSynced.then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(DocumentUnavailableError)
    await quietPeriod()
    expect(await server.connections(docName), 'attempts that reached the server').to.equal(1)
    await handle.destroy()
  })

  it('4403: emits `closed` without a GoneReason and never reconnects', async () => {
    const server = await testServer()
    const docName = `study/${unique('forbidden')}`
    const timers = recordingTimers({ run: false })
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl, timers })

    const closed = await nextEvent(handle, 'closed')

    expect(closed).to.deep.equal({
      kind: 'closed',
      code: 4403,
      reason: 'forbidden',
      permanent: true,
    })
    expect(timers.delays, 'no retry scheduled').to.deep.equal([])
    await quietPeriod()
    expect(await server.connections(docName), 'attempts that reached the server').to.equal(1)
    await handle.destroy()
  })

  it('4409: emits `refused` with the local content, drops the IndexedDB copy and resyncs a fresh doc', async () => {
    const server = await testServer()
    const docName = `study/${unique('refuse')}`
    // An offline edit the server will refuse.
    const offline = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      network: fakeNetwork(false),
    })
    await offline.whenLocalLoaded
    offline.doc.getMap('fields').set('priority', 'STAT')
    await offline.destroy()

    const handle = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      network: fakeNetwork(true),
      timers: recordingTimers(),
      random: () => 0,
    })
    const oldDoc = handle.doc
    const refused = nextEvent(handle, 'refused')
    const reset = nextEvent(handle, 'reset')

    const { code, localUpdate } = await refused
    expect(code).to.equal(4409)
    const quarantined = new Y.Doc()
    Y.applyUpdate(quarantined, localUpdate)
    expect(quarantined.getMap('fields').get('priority')).to.equal('STAT')

    const fresh = await reset
    expect(fresh.doc).to.not.equal(oldDoc)
    expect(handle.doc).to.equal(fresh.doc)
    await handle.whenSynced
    await statusWhere(handle, (s) => s.kind === 'online' && s.synced)
    expect(handle.doc.getMap('fields').toJSON()).to.deep.equal({})
    expect(
      await server.fields(docName),
      'the refused write never reached the server',
    ).to.deep.equal({})
    expect(await server.connections(docName)).to.equal(2)
    await handle.destroy()

    const reopened = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      network: fakeNetwork(false),
    })
    await reopened.whenLocalLoaded
    expect(reopened.doc.getMap('fields').toJSON(), 'IndexedDB copy cleared').to.deep.equal({})
    await reopened.destroy()
  })
})
