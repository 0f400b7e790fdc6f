/** A fresh temporary directory per test, removed afterwards. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function makeTmpDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'studysync-storage-'))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}
