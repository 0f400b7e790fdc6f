/**
 * The on-disk starting point of a run: `count` documents holding the seeded
 * records of content.ts. Built once per suite and copied per run.
 *
 * StudySync: a DATA_DIR written through the server's own storage modules
 * (openFileStorage: the same FileDocLogStore, registry and audit log the server
 * opens), holding the demo site (users, password "demo", patients) plus study
 * records A10001… up to `count` — the demo has 200; more are copies of demo
 * study records under new accession numbers — and for every bench document
 * the seeded records as separate log records, as a server that had received
 * them would have left them. With `compacted` (the default: what a graceful
 * restart leaves, since StudySync compacts every room it unloads or shuts
 * down) each log is then compacted into a snapshot through the store's own
 * `compact`; without it the records stay to be replayed (a restart after a
 * crash). Nothing is written around the server's rules: the registry and logs
 * are what it would read after a restart.
 *
 * The peers persist nothing themselves; they get the same content in one file
 * per document — the records, or the one update a compacted store holds —
 * read by the persistence hook of their launcher.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as encoding from 'lib0/encoding'
import { hashPassword } from '../server/auth/passwords.ts'
import { openFileStorage } from '../server/bootstrap.ts'
import { systemClock } from '../server/clock.ts'
import { buildDemoSite } from '../server/demo/seed.ts'
import { createMetrics } from '../server/metrics.ts'
import type { StudyRecord } from '../server/registry/types.ts'
import type { DocLogStore } from '../server/storage/types.ts'
import { accessionOf, docNameOf, seededRecords, seededState } from './content.ts'

export interface DocSet {
  count: number
  entries: number
  /** Stored compacted (one snapshot per document) rather than as separate records. */
  compacted: boolean
}

export interface PreparedDocSet extends DocSet {
  /** A StudySync DATA_DIR to copy for each run. */
  studysyncTemplate: string
  /** One `<encodeURIComponent(name)>.bin` per document, for the peers' launchers. */
  peerDocsDir: string
}

/** Documents written per batch: bounds memory and the log store's open files. */
const BATCH = 250

export class DataSets {
  private readonly prepared = new Map<string, Promise<PreparedDocSet>>()

  constructor(private readonly root: string) {}

  static async create(): Promise<DataSets> {
    return new DataSets(await mkdtemp(join(tmpdir(), 'studysync-bench-')))
  }

  get dir(): string {
    return this.root
  }

  prepare(set: DocSet): Promise<PreparedDocSet> {
    const key = `${set.count}x${set.entries}${set.compacted ? '-compacted' : '-records'}`
    let found = this.prepared.get(key)
    if (!found) {
      found = this.build(set, join(this.root, key))
      this.prepared.set(key, found)
    }
    return found
  }

  /** A fresh copy of the StudySync template for one run. */
  async studysyncDataDir(set: PreparedDocSet): Promise<string> {
    const dir = await mkdtemp(join(this.root, 'run-'))
    await cp(set.studysyncTemplate, dir, { recursive: true })
    return dir
  }

  private async build(set: DocSet, dir: string): Promise<PreparedDocSet> {
    const studysyncTemplate = join(dir, 'studysync')
    const peerDocsDir = join(dir, 'peer-docs')
    await mkdir(peerDocsDir, { recursive: true })
    await writeStudySync(studysyncTemplate, set)
    await writePeerDocs(peerDocsDir, set)
    return { ...set, studysyncTemplate, peerDocsDir }
  }
}

async function writeStudySync(dir: string, set: DocSet): Promise<void> {
  const storage = await openFileStorage(dir, createMetrics(), systemClock)
  const site = buildDemoSite({ hashPassword, password: 'demo', now: Date.now() })
  for (const [name, update] of site.docs) {
    if (name.startsWith('patient/')) await storage.docs.append(name, update)
  }
  for (let start = 0; start < set.count; start += BATCH) {
    const docs: Promise<void>[] = []
    for (let i = start; i < Math.min(set.count, start + BATCH); i++) {
      docs.push(writeStudySyncDoc(storage.docs, i, set))
    }
    await Promise.all(docs)
  }
  await storage.registry.update((data) => {
    data.users = site.users
    data.patients = site.patients
    data.studies = withCount(site.studies, set.count)
    data.settings.demo = true
  })
  await storage.docs.close()
  await storage.audit.close()
  await storage.registry.close()
}

async function writeStudySyncDoc(docs: DocLogStore, i: number, set: DocSet): Promise<void> {
  const name = docNameOf(i)
  const seqs = await Promise.all(seededRecords(i, set.entries).map((r) => docs.append(name, r)))
  if (set.compacted) await docs.compact(name, seededState(i, set.entries), seqs.at(-1)!)
}

/** The demo's studies, then copies of them under the next accession numbers. */
function withCount(demo: StudyRecord[], count: number): StudyRecord[] {
  const studies = [...demo]
  for (let i = demo.length; i < count; i++) {
    const model = demo[i % demo.length]!
    studies.push({
      ...structuredClone(model),
      accession: accessionOf(i),
      claim: null,
      group: null,
      lifecycle: 'active',
      mergedInto: null,
    })
  }
  return studies
}

async function writePeerDocs(dir: string, set: DocSet): Promise<void> {
  for (let start = 0; start < set.count; start += BATCH) {
    const writes: Promise<void>[] = []
    for (let i = start; i < Math.min(set.count, start + BATCH); i++) {
      const encoder = encoding.createEncoder()
      const records = set.compacted ? [seededState(i, set.entries)] : seededRecords(i, set.entries)
      encoding.writeVarUint(encoder, records.length)
      for (const record of records) encoding.writeVarUint8Array(encoder, record)
      const file = join(dir, `${encodeURIComponent(docNameOf(i))}.bin`)
      writes.push(writeFile(file, encoding.toUint8Array(encoder)))
    }
    await Promise.all(writes)
  }
}
