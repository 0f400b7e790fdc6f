/**
 * The registry in one lowdb JSON file (DESIGN §8). lowdb replaces the file atomically
 * (temp file + rename) but never fsyncs, and a damaged file surfaces as a bare
 * SyntaxError; this adapter adds the fsync, a shape check, and an error that names
 * the file and the fix.
 */
import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type { RegistryData } from '../registry/types.ts'
import { fdatasyncFile, fsyncDir, isErrno } from './fs-durable.ts'
import { SerialRegistry } from './serial-registry.ts'
import { type RegistryStore, StorageCorruptError } from './types.ts'

const REMEDY =
  'Restore it from backup, or move it aside to start with a fresh registry ' +
  '(users, studies and settings in it will then be missing)'

export class LowdbRegistryStore implements RegistryStore {
  readonly #core: SerialRegistry

  private constructor(initial: RegistryData, persist: (data: RegistryData) => Promise<void>) {
    this.#core = new SerialRegistry(initial, persist)
  }

  /**
   * Opens `file`, creating it from `init()` if it does not exist. `init()` is also the
   * reference shape: a file whose version or top-level fields differ from it is refused.
   * Not safe for several processes on one file (neither is lowdb).
   */
  static async open(file: string, init: () => RegistryData): Promise<LowdbRegistryStore> {
    // `Low` + `JSONFile`, not `JSONFilePreset`: under vitest the preset silently uses memory.
    // We never rely on Low's default data, hence the null.
    const db = new Low<RegistryData | null>(new JSONFile<RegistryData | null>(file), null)
    const persist = async (data: RegistryData): Promise<void> => {
      db.data = data
      await db.write()
      // lowdb renamed a temp file over `file`: make the bytes and the rename durable.
      await fdatasyncFile(file)
      await fsyncDir(dirname(file))
    }
    await mkdir(dirname(file), { recursive: true })
    const reference = init()
    const existing = await readExisting(db, file)
    if (existing !== undefined) {
      checkShape(file, existing, reference)
      return new LowdbRegistryStore(existing as RegistryData, persist)
    }
    await persist(reference)
    return new LowdbRegistryStore(reference, persist)
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

/** The parsed file, or undefined when there is no file. */
async function readExisting(db: Low<RegistryData | null>, file: string): Promise<unknown> {
  try {
    await stat(file)
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined
    throw err
  }
  try {
    await db.read()
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new StorageCorruptError(file, `it is not valid JSON (${err.message})`, REMEDY)
    }
    throw err
  }
  // Low.read() ignores a file holding `null`, `false` or `0`; the file exists, so that is damage.
  if (!db.data) throw new StorageCorruptError(file, 'it holds no registry object', REMEDY)
  return db.data
}

/**
 * Checks the top level against `reference`: same version, and every field present with
 * the same kind (array / object / scalar type); missing fields are filled from it.
 * Records inside are not validated here.
 */
function checkShape(file: string, data: unknown, reference: RegistryData): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new StorageCorruptError(file, 'its top level is not a JSON object', REMEDY)
  }
  const record = data as Record<string, unknown>
  if (record.version !== reference.version) {
    const detail = `it has version ${JSON.stringify(record.version)}, this server reads version ${reference.version}`
    throw new StorageCorruptError(file, detail, REMEDY)
  }
  for (const [key, expected] of Object.entries(reference)) {
    // A collection added by a newer server starts empty: additive changes need no migration.
    if (!(key in record)) {
      record[key] = expected
      continue
    }
    if (kindOf(record[key]) !== kindOf(expected)) {
      const detail = `field "${key}" is ${kindOf(record[key])}, expected ${kindOf(expected)}`
      throw new StorageCorruptError(file, detail, REMEDY)
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}
