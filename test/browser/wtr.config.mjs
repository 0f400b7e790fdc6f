// Browser tests in the system Chromium. Nothing here may download a browser: the
// chrome launcher gets an explicit executablePath and puppeteer's download is never used.
import { fileURLToPath } from 'node:url'
import { esbuildPlugin } from '@web/dev-server-esbuild'
import { chromeLauncher } from '@web/test-runner-chrome'
import { sseTestEndpoint } from './sse-test-endpoint.mjs'
import { startSyncTestServer } from './sync-test-server.mjs'

/** Starts the sync test server with the run and tells the tests its port. */
function syncTestServerPlugin() {
  /** @type {Awaited<ReturnType<typeof startSyncTestServer>> | undefined} */
  let server
  return {
    name: 'sync-test-server',
    async serverStart() {
      server = await startSyncTestServer()
    },
    async serverStop() {
      await server?.close()
    },
    serve(/** @type {{ path: string }} */ context) {
      if (context.path === '/__test-server.json' && server !== undefined) {
        return { body: JSON.stringify({ port: server.port }), type: 'json' }
      }
      return undefined
    },
  }
}

export default {
  rootDir: fileURLToPath(new URL('../..', import.meta.url)),
  files: ['test/browser/**/*.test.ts'],
  concurrency: 1,
  nodeResolve: { exportConditions: ['production'] },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  // The live-feed tests' SSE endpoint, on the page's own origin (see sse-test-endpoint.mjs).
  middleware: [sseTestEndpoint()],
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('../../tsconfig.browser.json', import.meta.url)),
    }),
    syncTestServerPlugin(),
  ],
  testFramework: { config: { timeout: 10_000 } },
}
