import { expect, waitUntil } from '@open-wc/testing'
import { jitteredBackoff, openDocument, wipeUserDocuments } from '../../client/connection/index.ts'
import {
  fakeNetwork,
  recordingTimers,
  recordStatuses,
  sequence,
  statusWhere,
  testServer,
  unique,
} from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const syncedOnline = (s: { kind: string; synced?: boolean }) =>
  s.kind === 'online' && s.synced === true

describe('connection layer: reconnecting with jittered backoff', () => {
  const userId = unique('u-huyen')
  after(() => wipeUserDocuments(userId))

  it('after an abrupt drop (1006) reconnects after a delay drawn from the jittered backoff', async () => {
    const server = await testServer()
    const docName = `study/${unique('drop')}`
    const timers = recordingTimers()
    const handle = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      timers,
      random: () => 0.5,
      network: fakeNetwork(true),
    })
    const statuses = recordStatuses(handle)

    await statusWhere(handle, syncedOnline)

    expect(timers.delays).to.deep.equal([125]) // 0.5 × 250 ms, the first window
    expect(statuses).to.deep.include({ kind: 'reconnecting', attempt: 1, retryInMs: 125 })
    expect(await server.connections(docName)).to.equal(2)
    await handle.destroy()
  })

  it('after repeated 4503 closes backs off exponentially with a fresh random draw per attempt', async () => {
    const server = await testServer()
    const docName = `study/${unique('flaky')}`
    const timers = recordingTimers()
    const draws = [0.1, 0.9, 0.5]
    const handle = openDocument({
      docName,
      userId,
      serverUrl: server.syncUrl,
      timers,
      random: sequence(...draws),
      network: fakeNetwork(true),
    })
    const statuses = recordStatuses(handle)

    await statusWhere(handle, syncedOnline)

    // Windows 250, 500, 1000 ms: 25, 450, 500 ms.
    expect(timers.delays).to.deep.equal([25, 450, 500])
    expect(timers.delays).to.deep.equal(draws.map((r, i) => jitteredBackoff(i + 1, () => r)))
    const attempts = statuses.flatMap((s) => (s.kind === 'reconnecting' ? [s.attempt] : []))
    expect(attempts).to.deep.equal([1, 2, 3])
    expect(await server.connections(docName)).to.equal(4)
    await handle.destroy()
  })

  it('goes offline on the browser’s offline signal without retrying, and reconnects when it is back', async () => {
    const server = await testServer()
    const docName = `study/${unique('roam')}`
    const network = fakeNetwork(true)
    const timers = recordingTimers()
    const handle = openDocument({ docName, userId, serverUrl: server.syncUrl, timers, network })
    await statusWhere(handle, syncedOnline)

    network.set(false)
    expect(handle.status).to.deep.equal({ kind: 'offline' })
    handle.doc.getMap('fields').set('notes', 'written in the lift')
    expect(timers.delays, 'no retry while offline').to.deep.equal([])

    network.set(true)
    await statusWhere(handle, syncedOnline)
    expect(await server.connections(docName)).to.equal(2)
    // The server applies our sync step 2 on its own schedule; poll its copy.
    await waitUntil(
      async () => (await server.fields(docName)).notes === 'written in the lift',
      'offline edit reached the server',
    )
    await handle.destroy()
  })
})
