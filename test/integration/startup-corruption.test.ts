/**
 * Damaged files at start-up (issue 8 §2, DESIGN §8), on a spawned, file-backed
 * server: a torn tail (what a crash mid-write leaves) is repaired and the data is
 * served; any other damage is a clear error naming the file — the process exits
 * non-zero for the registry and the audit trail, and a damaged document refuses
 * to open (4503) — never a silent empty start.
 */
import {
  appendFile,
  cp,
  mkdtemp,
  readFile,
  rm,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api } from '../support/api.ts'
import { login } from '../support/server.ts'
import { type SpawnedServer, spawnServer } from '../support/spawned.ts'
import { RawSyncClient } from '../support/sync-client.ts'

const DOC = 'study/A10140'
const LOG = 'docs/study%2FA10140.log'
const SNAP = 'docs/study%2FA10140.snap'
const SEGMENT = 'audit/audit-000001.jsonl'

let template: string
let token: string
const cleanup: (() => Promise<unknown>)[] = []

/**
 * A data dir with a snapshot (from a graceful stop), log records after it, and a
 * few audit entries, left by a SIGKILL — what a real site has on disk.
 */
beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), 'studysync-corrupt-'))
  cleanup.push(() => rm(template, { recursive: true, force: true }))
  let server = await spawnServer(template)
  token = await login(server.url, 'bose')
  await edit(server, 1, 3)
  await server.stop()
  server = await spawnServer(template)
  await edit(server, 4, 6)
  await server.kill9()
}, 30_000)
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function edit(server: SpawnedServer, from: number, to: number): Promise<void> {
  const writer = new RawSyncClient({ docName: DOC, token, savedAck: true })
  await writer.connect(server.wsUrl)
  for (let i = from; i <= to; i++) {
    writer.doc.getMap('fields').set('description', `EDIT ${i}`)
    await writer.whenAcked() // one record per edit
  }
  writer.terminate()
}

/** A copy of the template with `damage` done to it. */
async function damaged(damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'studysync-corrupt-case-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  await cp(template, dir, { recursive: true })
  await damage(dir)
  return dir
}

async function flipByte(file: string, offset: number): Promise<void> {
  const buf = await readFile(file)
  buf[offset] = buf[offset]! ^ 0xff
  await writeFile(file, buf)
}

async function started(dir: string): Promise<SpawnedServer> {
  const server = await spawnServer(dir)
  cleanup.push(() => server.stop())
  return server
}

async function open(server: SpawnedServer, docName = DOC): Promise<RawSyncClient> {
  const reader = new RawSyncClient({ docName, token })
  cleanup.push(async () => reader.terminate())
  await reader.connect(server.wsUrl)
  return reader
}

/** The start must fail: non-zero exit, and stderr names the file. */
async function refusesToStart(dir: string, file: string): Promise<void> {
  const error = await spawnServer(dir).then(
    (s) => {
      cleanup.push(() => s.stop())
      return null
    },
    (e: Error) => e,
  )
  expect(error?.message).toMatch(/server exited \(1\) before listening/)
  expect(error?.message).toContain(`StudySync cannot start: Storage file ${join(dir, file)}`)
}

describe('damaged files at start-up', () => {
  it('a torn tail on a document log (a crash mid-append) is cut off and everything before it is served', async () => {
    const dir = await damaged((d) => appendFile(join(d, LOG), Buffer.from([9, 0, 0, 0, 1, 2])))
    const server = await started(dir)
    const reader = await open(server)
    expect(reader.doc.getMap('fields').get('description')).toBe('EDIT 6')
    expect(server.output()).toMatch(/dropped a torn final log record.*study\/A10140/)
  })

  it('a document log damaged before intact records: the document refuses to open (4503), the log names the file, REST says storage_corrupt; other documents are served', async () => {
    const dir = await damaged((d) => flipByte(join(d, LOG), 8 + 16 + 2)) // first record's payload
    const server = await started(dir)
    await expect(open(server)).rejects.toThrow(/4503 storage unavailable/)
    expect(server.output()).toContain(`Storage file ${join(dir, LOG)} is unreadable`)
    const rest = await api(server.url, token).get('/api/v1/studies/A10140')
    expect(rest).toMatchObject({ status: 500, body: { error: 'storage_corrupt' } })
    const other = await open(server, 'study/A10141')
    expect(other.doc.getMap('fields').get('description')).toBeTruthy()
  })

  it('a damaged snapshot: the document refuses to open, and the error names the .snap file', async () => {
    const dir = await damaged((d) => flipByte(join(d, SNAP), 30))
    const server = await started(dir)
    await expect(open(server)).rejects.toThrow(/4503 storage unavailable/)
    expect(server.output()).toContain(`Storage file ${join(dir, SNAP)} is unreadable`)
  })

  it('a truncated snapshot: the document refuses to open rather than load without it', async () => {
    const dir = await damaged(async (d) => truncate(join(d, SNAP), 30))
    const server = await started(dir)
    await expect(open(server)).rejects.toThrow(/4503 storage unavailable/)
    expect(server.output()).toContain(`Storage file ${join(dir, SNAP)} is unreadable`)
  })

  it('a missing snapshot whose edits the log no longer holds: the document refuses to open rather than load half of it', async () => {
    const dir = await damaged((d) => unlink(join(d, SNAP)))
    const server = await started(dir)
    await expect(open(server)).rejects.toThrow(/4503 storage unavailable/)
    expect(server.output()).toContain(`Storage file ${join(dir, LOG)} is unreadable`)
  })

  it('a truncated registry: the server does not start, and says which file', async () => {
    const dir = await damaged(async (d) => truncate(join(d, 'registry.json'), 1000))
    await refusesToStart(dir, 'registry.json')
  })

  it('a missing registry beside existing documents: the server does not start empty', async () => {
    const dir = await damaged((d) => unlink(join(d, 'registry.json')))
    await refusesToStart(dir, 'registry.json')
  })

  it('an audit segment damaged before its last line: the server does not start, and says which file', async () => {
    const dir = await damaged(async (d) => {
      const lines = (await readFile(join(d, SEGMENT), 'utf8')).split('\n')
      lines[0] = lines[0]!.slice(0, 40) // cut short: no longer an entry
      await writeFile(join(d, SEGMENT), lines.join('\n'))
    })
    await refusesToStart(dir, SEGMENT)
  })

  it('a torn final audit line is cut off with a warning, and the server serves', async () => {
    const dir = await damaged((d) => appendFile(join(d, SEGMENT), '{"id":"99","at":"2026-'))
    const server = await started(dir)
    expect(server.output()).toMatch(/audit log repaired at start-up/)
    const reader = await open(server)
    expect(reader.doc.getMap('fields').get('description')).toBe('EDIT 6')
  })
})
