/** Reads a document's seeded records from the files datasets.ts wrote for the peers. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as decoding from 'lib0/decoding'

/** The stored records of `name`, oldest first; none when the file does not exist. */
export async function readPeerRecords(dir: string, name: string): Promise<Uint8Array[]> {
  let bytes: Buffer
  try {
    bytes = await readFile(join(dir, `${encodeURIComponent(name)}.bin`))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const decoder = decoding.createDecoder(bytes)
  const count = decoding.readVarUint(decoder)
  return Array.from({ length: count }, () => decoding.readVarUint8Array(decoder))
}
