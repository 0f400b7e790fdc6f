/** Collaborative edits through a real server and stock y-websocket clients (S5–S7). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { connectClient, type TestClient, until, whenSynced } from '../support/clients.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const clients: TestClient[] = []

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

async function open(username: string, docName: string): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, await t.login(username))
  clients.push(client)
  await whenSynced(client)
  return client
}

async function serverDoc(name: string): Promise<Y.Doc> {
  return t.server.rooms.with(name, (room) => room.doc)
}

describe('collaborative edits', () => {
  it('[S6] two users edit different fields at once: both edits survive on both screens and on the server', async () => {
    const a = await open('bose', 'study/A10001')
    const b = await open('tech', 'study/A10001')
    const fa = a.doc.getMap('fields')
    const fb = b.doc.getMap('fields')
    fa.set('priority', 'STAT')
    fb.set('referringPhysician', 'DR WHO')
    await Promise.all([
      until(a.doc, () => fa.get('referringPhysician') === 'DR WHO'),
      until(b.doc, () => fb.get('priority') === 'STAT'),
    ])
    const server = (await serverDoc('study/A10001')).getMap('fields')
    expect(server.get('priority')).toBe('STAT')
    expect(server.get('referringPhysician')).toBe('DR WHO')
    expect(fa.toJSON()).toEqual(fb.toJSON())
  })

  it('[S7] two users type in the same text field at once: both texts survive, merged', async () => {
    const a = await open('bose', 'study/A10002')
    const b = await open('huyen', 'study/A10002')
    const ta = a.doc.getMap('fields').get('clinicalHistory') as Y.Text
    const tb = b.doc.getMap('fields').get('clinicalHistory') as Y.Text
    expect(ta).toBeInstanceOf(Y.Text)
    // Both type before either sees the other's keystrokes.
    b.provider.disconnect()
    ta.insert(0, 'ALPHA ')
    tb.insert(0, 'BRAVO ')
    b.provider.connect()
    const both = (t: Y.Text) => () =>
      t.toString().includes('ALPHA ') && t.toString().includes('BRAVO ')
    await Promise.all([until(a.doc, both(ta)), until(b.doc, both(tb))])
    expect(ta.toString()).toBe(tb.toString())
    const server = (await serverDoc('study/A10002'))
      .getMap('fields')
      .get('clinicalHistory') as Y.Text
    await until(await serverDoc('study/A10002'), both(server))
    expect(server.toString()).toBe(ta.toString())
  })

  it('a third client that joins later receives the merged document from the server', async () => {
    const a = await open('bose', 'study/A10003')
    a.doc.getMap('fields').set('description', 'CT HEAD REVISED')
    const server = await serverDoc('study/A10003')
    await until(server, () => server.getMap('fields').get('description') === 'CT HEAD REVISED')
    const c = await open('perf', 'study/A10003')
    expect(c.doc.getMap('fields').get('description')).toBe('CT HEAD REVISED')
  })
})
