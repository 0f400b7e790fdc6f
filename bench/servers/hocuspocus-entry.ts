/**
 * Launches Hocuspocus with its defaults except two: quiet start-up, and an
 * idle timeout of 10 minutes instead of 60 s — the harness's raw clients do not
 * send the provider's periodic awareness renewal, which is what keeps an idle
 * provider's socket alive. With BENCH_DOCS_DIR set, `onLoadDocument` applies a
 * document's stored records from disk, as a database extension would.
 */
import { Server } from '@hocuspocus/server'
import * as Y from 'yjs'
import { readPeerRecords } from './peer-docs.ts'

const IDLE_TIMEOUT_MS = 10 * 60_000
const docsDir = process.env.BENCH_DOCS_DIR

const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  timeout: IDLE_TIMEOUT_MS,
  async onLoadDocument({ documentName, document }) {
    if (!docsDir) return
    for (const record of await readPeerRecords(docsDir, documentName)) {
      Y.applyUpdate(document, record)
    }
  },
})
await server.listen()
process.stdout.write(
  `${JSON.stringify({ msg: 'hocuspocus listening', url: `http://127.0.0.1:${server.address.port}` })}\n`,
)
