import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { emptyRegistry } from '../../../server/registry/types.ts'
import { LowdbRegistryStore } from '../../../server/storage/lowdb-registry.ts'

it('a registry file written before a collection existed loads with that collection empty', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'registry-migration-'))
  try {
    const file = join(dir, 'registry.json')
    const old = { ...emptyRegistry(), users: [{ id: 'u-1' }] } as Record<string, unknown>
    delete old.studies
    await writeFile(file, JSON.stringify(old))
    const store = await LowdbRegistryStore.open(file, emptyRegistry)
    expect(store.read().studies).toEqual([])
    expect(store.read().users).toHaveLength(1)
    await store.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
