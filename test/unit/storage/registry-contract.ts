/**
 * The behaviour every RegistryStore must have (DESIGN §8). Adapters call
 * `registryContract` with a factory for a fresh store opened from `emptyRegistry()`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyRegistry, type RegistryData } from '../../../server/registry/types.ts'
import type { RegistryStore } from '../../../server/storage/types.ts'

export interface RegistryHarness {
  store: RegistryStore
  /** Opens the same storage again, as after a restart. The old store is closed first. */
  reopen: () => Promise<RegistryStore>
  cleanup: () => Promise<void>
  /** Makes writes fail until the returned function is called (every adapter must be able to). */
  breakWrites: () => Promise<() => Promise<void>>
}

const counter = (data: Readonly<RegistryData>): number => Number(data.settings.counter ?? 0)

export function registryContract(name: string, makeStore: () => Promise<RegistryHarness>): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let harness: RegistryHarness
    let store: RegistryStore

    beforeEach(async () => {
      harness = await makeStore()
      store = harness.store
    })
    afterEach(async () => {
      await store.close()
      await harness.cleanup()
    })

    async function restart(): Promise<RegistryStore> {
      await store.close()
      store = await harness.reopen()
      return store
    }

    it('starts from the initial data', () => {
      expect(store.read()).toEqual(emptyRegistry())
    })

    it('persists an update across a restart and returns the mutator result', async () => {
      const result = await store.update((data) => {
        data.settings.site = 'North'
        return 'done'
      })
      expect(result).toBe('done')
      expect(store.read().settings.site).toBe('North')
      await restart()
      expect(store.read().settings.site).toBe('North')
    })

    it('a throwing mutator changes nothing, in memory or on disk', async () => {
      await store.update((data) => {
        data.settings.counter = 1
      })
      const before = store.read()
      const boom = new Error('refused')
      await expect(
        store.update((data) => {
          data.settings.counter = 99
          data.settings.extra = true
          throw boom
        }),
      ).rejects.toBe(boom)
      expect(store.read()).toBe(before)
      expect(store.read().settings).toEqual({ counter: 1 })
      await restart()
      expect(store.read().settings).toEqual({ counter: 1 })
    })

    it('a failed write changes nothing in memory, and later writes work', async () => {
      const repair = await harness.breakWrites()
      await expect(
        store.update((data) => {
          data.settings.lost = true
        }),
      ).rejects.toThrow()
      expect(store.read().settings).toEqual({})
      await repair()
      await store.update((data) => {
        data.settings.kept = true
      })
      await restart()
      expect(store.read().settings).toEqual({ kept: true })
    })

    it('serialises updates: each sees the result of the one before', async () => {
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          store.update((data) => {
            data.settings.counter = counter(data) + 1
            return counter(data)
          }),
        ),
      )
      expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
      await restart()
      expect(counter(store.read())).toBe(40)
    })

    it('a failing update in a queue does not disturb the ones around it', async () => {
      const bump = (data: RegistryData) => {
        data.settings.counter = counter(data) + 1
      }
      const outcomes = await Promise.allSettled([
        store.update(bump),
        store.update(() => {
          throw new Error('no')
        }),
        store.update(bump),
      ])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect(counter(store.read())).toBe(2)
    })

    it('refuses asynchronous mutators, which would escape the serial order', async () => {
      await expect(store.update(async () => 1)).rejects.toThrow(TypeError)
      const failing = async (): Promise<void> => {
        throw new Error('late')
      }
      await expect(store.update(failing)).rejects.toThrow(TypeError)
      expect(store.read()).toEqual(emptyRegistry())
    })

    it('read() data cannot be mutated outside update', () => {
      const data = store.read() as RegistryData
      expect(() => {
        data.settings.sneaky = true
      }).toThrow(TypeError)
      expect(() => data.users.push({} as never)).toThrow(TypeError)
    })

    it('close waits for queued updates, then refuses new ones', async () => {
      const queued = store.update((data) => {
        data.settings.last = 'in'
      })
      await store.close()
      await queued
      await expect(store.update(() => undefined)).rejects.toThrow(/closed/)
      await restart()
      expect(store.read().settings.last).toBe('in')
    })
  })
}
