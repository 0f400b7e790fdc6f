/** Write rules, awareness stamping and limits on the sync endpoint (S5, issue 2). */
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol.ts'
import {
  connectClient,
  messageType,
  nextClose,
  rawSocket,
  syncUpdateMessage,
  type TestClient,
  until,
  upgradeStatus,
  whenSynced,
} from '../support/clients.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const clients: TestClient[] = []

beforeAll(async () => {
  t = await startTestServer({ config: { limits: { maxMessageBytes: 64 * 1024 } } })
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

async function open(username: string, docName: string, doc?: Y.Doc): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, await t.login(username), { doc })
  clients.push(client)
  await whenSynced(client)
  return client
}

function updateOf(edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  let update: Uint8Array = new Uint8Array()
  doc.on('update', (u: Uint8Array) => {
    update = u
  })
  edit(doc)
  return update
}

describe('write rules', () => {
  it('an update to a server-owned …/state document is refused with 4409 and never reaches another client', async () => {
    const watcher = await open('huyen', 'study/A10010/state')
    const writer = connectClient(t.wsUrl, 'study/A10010/state', await t.login('bose'))
    clients.push(writer)
    await whenSynced(writer)
    const closed = nextClose(writer)
    writer.doc.getMap('state').set('status', 'forged-by-client')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    // A later, honest change still flows, so a leak would have arrived before it.
    const room = await t.server.rooms.with('study/A10010/state', (r) => r)
    room.serverWrite((doc) => doc.getMap('state').set('marker', 1))
    await until(watcher.doc, () => watcher.doc.getMap('state').get('marker') === 1)
    expect(watcher.doc.getMap('state').get('status')).not.toBe('forged-by-client')
    expect(room.doc.getMap('state').get('status')).not.toBe('forged-by-client')
  })

  it('a read-only connection with nothing new is not refused; its first real write is (report without the claim)', async () => {
    const reader = await open('bose', 'study/A10011/report')
    expect(reader.provider.wsconnected).toBe(true)
    const closed = nextClose(reader)
    ;(reader.doc.getText('body') as Y.Text).insert(0, 'IMPRESSION: normal')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    const room = await t.server.rooms.with('study/A10011/report', (r) => r)
    expect(room.doc.getText('body').toString()).toBe('')
  })

  it('a field write that breaks the form schema is refused with 4409 and not applied', async () => {
    const a = await open('bose', 'study/A10012')
    const closed = nextClose(a)
    a.doc.getMap('fields').set('priority', 'WHENEVER')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    const room = await t.server.rooms.with('study/A10012', (r) => r)
    expect(room.doc.getMap('fields').get('priority')).not.toBe('WHENEVER')
  })

  it('[S5] a spoofed awareness user is seen by others as the real user', async () => {
    const honest = await open('huyen', 'study/A10013')
    const spoofer = await open('tech', 'study/A10013')
    spoofer.provider.awareness.setLocalState({
      user: { id: 'u-admin', name: 'ADMIN', role: 'systemAdmin' },
      mode: 'editing',
    })
    const id = spoofer.doc.clientID
    await new Promise<void>((resolve) => {
      const check = () => {
        if (honest.provider.awareness.getStates().get(id)?.mode === 'editing') resolve()
      }
      honest.provider.awareness.on('change', check)
      check()
    })
    expect(honest.provider.awareness.getStates().get(id)?.user).toEqual({
      id: 'u-tech',
      name: 'TECH',
      role: 'technologist',
    })
  })

  it('[S5] a connection cannot update another connection’s awareness entry', async () => {
    const victim = await open('huyen', 'study/A10014')
    victim.provider.awareness.setLocalState({ mode: 'reading' })
    const token = await t.login('tech')
    const raw = rawSocket(t.wsUrl, `/sync/study/A10014?token=${token}`)
    await raw.opened
    await raw.nextMessage((m) => messageType(m) === 1)
    // Forge an update of the victim's client id with a higher clock.
    const forged = new awarenessProtocol.Awareness(new Y.Doc())
    forged.clientID = victim.doc.clientID
    forged.setLocalState({ mode: 'deleting everything' })
    const meta = forged.meta.get(forged.clientID)!
    meta.clock = 1000
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint8Array(
      encoder,
      awarenessProtocol.encodeAwarenessUpdate(forged, [forged.clientID]),
    )
    raw.ws.send(encoding.toUint8Array(encoder))
    // Then a query-awareness round trip proves the server processed it.
    raw.ws.send(new Uint8Array([3]))
    const before = raw.messages.length
    await raw.nextMessage((m) => messageType(m) === 1 && raw.messages.indexOf(m) >= before)
    const room = await t.server.rooms.with('study/A10014', (r) => r)
    expect(room.awareness.getStates().get(victim.doc.clientID)?.mode).toBe('reading')
    raw.ws.close()
  })

  it("a connection's presence is removed when it closes", async () => {
    const watcher = await open('huyen', 'study/A10015')
    const leaver = await open('tech', 'study/A10015')
    leaver.provider.awareness.setLocalStateField('mode', 'viewing')
    const id = leaver.doc.clientID
    await new Promise<void>((resolve) => {
      const check = () => watcher.provider.awareness.getStates().has(id) && resolve()
      watcher.provider.awareness.on('change', check)
      check()
    })
    const gone = new Promise<void>((resolve) => {
      watcher.provider.awareness.on(
        'change',
        () => !watcher.provider.awareness.getStates().has(id) && resolve(),
      )
    })
    // A hard close (no awareness goodbye from the client): the server must remove it.
    ;(leaver.provider.ws as unknown as { terminate(): void }).terminate()
    await gone
    expect(watcher.provider.awareness.getStates().has(id)).toBe(false)
  })
})

describe('refusals and limits', () => {
  it('bad document names are refused before the upgrade (HTTP 400)', async () => {
    for (const path of [
      '/sync/study/../etc',
      '/sync/study/A1/evil',
      '/sync/nothing',
      '/sync/study/%ZZ',
      '/sync/study/-A1',
    ]) {
      expect(await upgradeStatus(t.wsUrl, path)).toBe(400)
    }
  })

  it('a missing or invalid token closes with 4401 before any document work', async () => {
    const loadedBefore = t.server.rooms.loadedCount
    const none = rawSocket(t.wsUrl, '/sync/study/A10020')
    expect((await none.closed).code).toBe(CloseCode.notAuthenticated)
    const bad = rawSocket(t.wsUrl, '/sync/study/A10020?token=not-a-session')
    expect((await bad.closed).code).toBe(CloseCode.notAuthenticated)
    expect(t.server.rooms.loadedCount).toBe(loadedBefore)
  })

  it('a user without access to a study closes with 4403; an unknown study with 4404', async () => {
    const clerk = await t.login('clerk')
    expect((await rawSocket(t.wsUrl, `/sync/study/A10020?token=${clerk}`).closed).code).toBe(
      CloseCode.forbidden,
    )
    const bose = await t.login('bose')
    expect((await rawSocket(t.wsUrl, `/sync/study/NOPE1?token=${bose}`).closed).code).toBe(
      CloseCode.noSuchDocument,
    )
  })

  it('a cookie-authenticated upgrade from a foreign Origin is refused with 4403', async () => {
    const token = await t.login('bose')
    const raw = rawSocket(t.wsUrl, '/sync/study/A10020', {
      cookie: `studysync_session=${token}`,
      origin: 'https://evil.example',
    })
    expect((await raw.closed).code).toBe(CloseCode.forbidden)
    const same = rawSocket(t.wsUrl, '/sync/study/A10020', {
      cookie: `studysync_session=${token}`,
      origin: t.url,
    })
    await same.opened
    same.ws.close()
  })

  it('garbage closes only that socket with 4400 while other clients keep working', async () => {
    const bystander = await open('huyen', 'study/A10021')
    const token = await t.login('bose')
    const cases: (Uint8Array | string)[] = [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      new Uint8Array([42]),
      new Uint8Array([0, 7]),
      syncUpdateMessage(new Uint8Array([1, 0x80, 0x80, 0x80, 0x80, 0x0f, 0, 0, 0])),
      'hello',
    ]
    for (const garbage of cases) {
      const raw = rawSocket(t.wsUrl, `/sync/study/A10021?token=${token}`)
      await raw.opened
      raw.ws.send(garbage)
      expect((await raw.closed).code).toBe(CloseCode.protocolError)
    }
    const writer = await open('bose', 'study/A10021')
    writer.doc.getMap('fields').set('bodyPart', 'HEAD')
    await until(bystander.doc, () => bystander.doc.getMap('fields').get('bodyPart') === 'HEAD')
  })

  it('the 30-million-struct update bomb is refused with 4400 without applying anything', async () => {
    const token = await t.login('bose')
    const raw = rawSocket(t.wsUrl, `/sync/study/A10022?token=${token}`)
    await raw.opened
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, 30_000_000)
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, 0)
    raw.ws.send(syncUpdateMessage(encoding.toUint8Array(encoder)))
    expect((await raw.closed).code).toBe(CloseCode.protocolError)
  })

  it('an oversized message closes with 4413', async () => {
    const token = await t.login('bose')
    const raw = rawSocket(t.wsUrl, `/sync/study/A10022?token=${token}`)
    await raw.opened
    const big = updateOf((doc) => doc.getMap('fields').set('description', 'x'.repeat(70 * 1024)))
    raw.ws.send(syncUpdateMessage(big))
    expect((await raw.closed).code).toBe(CloseCode.messageTooLarge)
  })

  it('a far larger message than ws would accept still closes with 4413, not 1009', async () => {
    const token = await t.login('bose')
    const raw = rawSocket(t.wsUrl, `/sync/study/A10022?token=${token}`)
    await raw.opened
    raw.ws.send(new Uint8Array(1024 * 1024))
    expect((await raw.closed).code).toBe(CloseCode.messageTooLarge)
  })

  it('a message flood closes with 4429', async () => {
    const token = await t.login('bose')
    const raw = rawSocket(t.wsUrl, `/sync/study/A10023?token=${token}`)
    await raw.opened
    for (let i = 0; i < 2000 && raw.ws.readyState === raw.ws.OPEN; i++)
      raw.ws.send(new Uint8Array([3]))
    expect((await raw.closed).code).toBe(CloseCode.tooManyMessages)
  })

  it('revoking a session closes its open connections with 4401', async () => {
    const token = await t.login('perf')
    const client = connectClient(t.wsUrl, 'study/A10024', token)
    clients.push(client)
    await whenSynced(client)
    const closed = nextClose(client)
    const res = await fetch(`${t.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(204)
    expect((await closed).code).toBe(CloseCode.notAuthenticated)
  })
})
