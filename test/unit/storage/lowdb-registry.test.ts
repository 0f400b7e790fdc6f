/** LowdbRegistryStore file handling: creation, durability, and refusing damaged files (DESIGN §8). */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyRegistry } from '../../../server/registry/types.ts'
import { LowdbRegistryStore } from '../../../server/storage/lowdb-registry.ts'
import { StorageCorruptError } from '../../../server/storage/types.ts'
import { makeTmpDir } from './tmp-dir.ts'

let tmp: Awaited<ReturnType<typeof makeTmpDir>>
let file: string

beforeEach(async () => {
  tmp = await makeTmpDir()
  file = join(tmp.dir, 'registry.json')
})
afterEach(() => tmp.remove())

describe('LowdbRegistryStore', () => {
  it('creates a missing file (and its directory) from init()', async () => {
    const nested = join(tmp.dir, 'data', 'registry.json')
    const init = () => ({ ...emptyRegistry(), settings: { site: 'North' } })
    const store = await LowdbRegistryStore.open(nested, init)
    expect(JSON.parse(await readFile(nested, 'utf8'))).toEqual(init())
    await store.close()
  })

  it('uses the existing file rather than init()', async () => {
    await writeFile(file, JSON.stringify({ ...emptyRegistry(), settings: { kept: 1 } }))
    const store = await LowdbRegistryStore.open(file, emptyRegistry)
    expect(store.read().settings).toEqual({ kept: 1 })
    await store.close()
  })

  it('an update is on disk when its promise resolves', async () => {
    const store = await LowdbRegistryStore.open(file, emptyRegistry)
    await store.update((data) => {
      data.settings.theme = 'dark'
    })
    expect(JSON.parse(await readFile(file, 'utf8')).settings).toEqual({ theme: 'dark' })
    await store.close()
  })

  const damaged: [string, string, RegExp][] = [
    ['truncated JSON', '{"version":1,"users":[', /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['null', 'null', /no registry object/],
    ['an array', '[]', /not a JSON object/],
    ['another version', JSON.stringify({ ...emptyRegistry(), version: 2 }), /version 2/],
    [
      'a field of the wrong kind',
      JSON.stringify({ ...emptyRegistry(), users: {} }),
      /"users" is an? object/,
    ],
  ]
  for (const [what, content, detail] of damaged) {
    it(`refuses ${what} with a StorageCorruptError naming the file`, async () => {
      await writeFile(file, content)
      const err = await LowdbRegistryStore.open(file, emptyRegistry).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StorageCorruptError)
      expect((err as StorageCorruptError).file).toBe(file)
      expect((err as Error).message).toContain(file)
      expect((err as Error).message).toMatch(detail)
      expect((err as Error).message).toMatch(/Restore it from backup/)
      // The damaged file is left for the operator, not overwritten with init().
      expect(await readFile(file, 'utf8')).toBe(content)
    })
  }
})
