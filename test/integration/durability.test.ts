/** Nothing anyone has seen is lost: restarts, idle unloads and kill -9 (issue 2, DESIGN §8). */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { connectClient, type TestClient, until, whenSynced } from '../support/clients.ts'
import { login, startTestServer } from '../support/server.ts'
import { spawnServer } from '../support/spawned.ts'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'studysync-durable-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function track(client: TestClient): TestClient {
  cleanup.push(() => client.destroy())
  return client
}

function notes(client: TestClient): Y.Text {
  return client.doc.getMap('fields').get('notes') as Y.Text
}

describe('durability', () => {
  it('edits survive a graceful restart on the same data dir', async () => {
    const dir = await tempDir()
    const first = await startTestServer({ files: dir })
    const a = track(connectClient(first.wsUrl, 'study/A10030', await first.login('bose')))
    await whenSynced(a)
    a.doc.getMap('fields').set('description', 'SURVIVES RESTART')
    const room = await first.server.rooms.with('study/A10030', (r) => r)
    await until(room.doc, () => room.doc.getMap('fields').get('description') === 'SURVIVES RESTART')
    a.provider.disconnect()
    await first.close({ keepData: true })

    const second = await startTestServer({ files: dir })
    cleanup.push(() => second.close())
    const b = track(connectClient(second.wsUrl, 'study/A10030', await second.login('huyen')))
    await whenSynced(b)
    expect(b.doc.getMap('fields').get('description')).toBe('SURVIVES RESTART')
  })

  it('a document stays available after its last client leaves: unloaded when idle, reloaded on demand', async () => {
    const t = await startTestServer({ files: true, config: { roomIdleMs: 10 } })
    cleanup.push(() => t.close())
    const a = track(connectClient(t.wsUrl, 'study/A10031', await t.login('bose')))
    await whenSynced(a)
    a.doc.getMap('fields').set('bodyPart', 'KNEE')
    const room = await t.server.rooms.with('study/A10031', (r) => r)
    await until(room.doc, () => room.doc.getMap('fields').get('bodyPart') === 'KNEE')
    const unloaded = new Promise<void>((resolve) => room.doc.once('destroy', () => resolve()))
    a.destroy()
    await unloaded
    expect(t.server.rooms.loadedCount).toBe(0)
    const b = track(connectClient(t.wsUrl, 'study/A10031', await t.login('huyen')))
    await whenSynced(b)
    expect(b.doc.getMap('fields').get('bodyPart')).toBe('KNEE')
  })

  it('kill -9 right after B observed A’s 200 one-by-one updates: after restart a fresh client sees all 200', async () => {
    const dir = await tempDir()
    const server = await spawnServer(dir)
    cleanup.push(() => server.kill9())
    const a = track(connectClient(server.wsUrl, 'study/A10032', await login(server.url, 'bose')))
    const b = track(connectClient(server.wsUrl, 'study/A10032', await login(server.url, 'huyen')))
    await Promise.all([whenSynced(a), whenSynced(b)])
    const marks = Array.from({ length: 200 }, (_, i) => `[${i}]`)
    for (const mark of marks) notes(a).insert(notes(a).length, mark) // 200 transactions, 200 updates
    await until(b.doc, () => marks.every((m) => notes(b).toString().includes(m)))
    await server.kill9()
    a.provider.disconnect()
    b.provider.disconnect()

    const restarted = await spawnServer(dir)
    cleanup.push(() => restarted.stop())
    const c = track(
      connectClient(restarted.wsUrl, 'study/A10032', await login(restarted.url, 'perf')),
    )
    await whenSynced(c)
    const text = notes(c).toString()
    expect(marks.filter((m) => !text.includes(m))).toEqual([])
  }, 60_000)
})
