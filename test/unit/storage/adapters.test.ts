/** Runs the storage contract suites against every adapter (DESIGN §8, STYLE 5). */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { emptyRegistry, type RegistryData } from '../../../server/registry/types.ts'
import { FileDocLogStore } from '../../../server/storage/file-doc-log.ts'
import { LowdbRegistryStore } from '../../../server/storage/lowdb-registry.ts'
import { type MemoryDocLogData, MemoryDocLogStore } from '../../../server/storage/memory-doc-log.ts'
import { MemoryRegistryStore } from '../../../server/storage/memory-registry.ts'
import { docLogContract } from './doc-log-contract.ts'
import { registryContract } from './registry-contract.ts'
import { makeTmpDir } from './tmp-dir.ts'

docLogContract('MemoryDocLogStore', async () => {
  const data: MemoryDocLogData = new Map()
  return {
    store: new MemoryDocLogStore(data),
    reopen: async () => new MemoryDocLogStore(data),
    cleanup: async () => {},
  }
})

docLogContract('FileDocLogStore', async () => {
  const tmp = await makeTmpDir()
  return {
    store: new FileDocLogStore({ dir: tmp.dir }),
    reopen: async () => new FileDocLogStore({ dir: tmp.dir }),
    cleanup: tmp.remove,
  }
})

docLogContract('FileDocLogStore with 2 open files at most', async () => {
  const tmp = await makeTmpDir()
  const open = () => new FileDocLogStore({ dir: join(tmp.dir, 'logs'), maxOpenFiles: 2 })
  return { store: open(), reopen: async () => open(), cleanup: tmp.remove }
})

registryContract('MemoryRegistryStore', async () => {
  // `saved` plays the disk: what a restart would find.
  let saved: RegistryData = emptyRegistry()
  let broken = false
  const persist = async (data: RegistryData) => {
    if (broken) throw new Error('simulated write failure')
    saved = structuredClone(data)
  }
  return {
    store: new MemoryRegistryStore(saved, persist),
    reopen: async () => new MemoryRegistryStore(saved, persist),
    cleanup: async () => {},
    breakWrites: async () => {
      broken = true
      return async () => {
        broken = false
      }
    },
  }
})

registryContract('LowdbRegistryStore', async () => {
  const tmp = await makeTmpDir()
  const file = join(tmp.dir, 'registry.json')
  return {
    store: await LowdbRegistryStore.open(file, emptyRegistry),
    reopen: () => LowdbRegistryStore.open(file, emptyRegistry),
    cleanup: tmp.remove,
    // lowdb writes `.registry.json.tmp` then renames it: a directory in its place makes
    // the write fail with EISDIR, as a full or read-only disk would.
    breakWrites: async () => {
      const blocker = join(tmp.dir, '.registry.json.tmp')
      await mkdir(blocker)
      return () => rm(blocker, { recursive: true })
    },
  }
})
