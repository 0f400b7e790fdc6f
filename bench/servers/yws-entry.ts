/**
 * Launches the reference server as shipped: @y/websocket-server's own
 * `src/server.js` (its http server, `ws` 6 and `setupWSConnection`), on a
 * port picked here because it announces only the port it was given.
 *
 * With BENCH_DOCS_DIR set, a document is loaded from disk when first used
 * through the package's persistence hook (`setPersistence`), the way its own
 * LevelDB persistence does it: the stored updates replayed into a scratch
 * document whose state is then applied once. Like that persistence, this
 * makes the server drop a document when its last client leaves.
 */
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setPersistence } from '@y/websocket-server/utils'
import * as Y from 'yjs'
import { readPeerRecords } from './peer-docs.ts'

const docsDir = process.env.BENCH_DOCS_DIR
if (docsDir) {
  setPersistence({
    provider: null,
    bindState: async (name, doc) => {
      const scratch = new Y.Doc()
      for (const record of await readPeerRecords(docsDir, name)) Y.applyUpdate(scratch, record)
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(scratch))
      scratch.destroy()
    },
    writeState: async () => {},
  })
}

process.env.HOST = '127.0.0.1'
process.env.PORT = String(await freePort())
const require = createRequire(import.meta.url)
const packageDir = dirname(require.resolve('@y/websocket-server/package.json'))
await import(pathToFileURL(join(packageDir, 'src/server.js')).href)

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
