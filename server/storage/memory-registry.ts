/** In-memory RegistryStore for tests and demos: same update semantics, nothing durable. */
import type { RegistryData } from '../registry/types.ts'
import { SerialRegistry } from './serial-registry.ts'
import type { RegistryStore } from './types.ts'

export class MemoryRegistryStore implements RegistryStore {
  readonly #core: SerialRegistry

  /**
   * @param persist optional hook run with each new version before it is swapped in;
   *   tests use it to simulate a failing write.
   */
  constructor(
    initial: RegistryData,
    persist: (data: RegistryData) => Promise<void> = async () => {},
  ) {
    this.#core = new SerialRegistry(initial, persist)
  }

  read(): Readonly<RegistryData> {
    return this.#core.read()
  }

  update<T>(mutate: (data: RegistryData) => T): Promise<T> {
    return this.#core.update(mutate)
  }

  close(): Promise<void> {
    return this.#core.close()
  }
}
