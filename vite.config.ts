import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'

const projectRoot = fileURLToPath(new URL('.', import.meta.url))
const backend = 'http://127.0.0.1:8080'
const client = (path: string) => fileURLToPath(new URL(`./client/${path}`, import.meta.url))

/**
 * The service worker (client/sw.ts) is built as its own entry at `/sw.js` (the
 * site root, so its scope is the whole app) and learns every built file's name
 * here, so it precaches workers and chunks the HTML does not name, and so its bytes
 * change with every build (which is what makes browsers install the new one).
 */
function serviceWorkerBuildFiles(): Plugin {
  return {
    name: 'studysync-sw-build-files',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => name !== 'sw.js')
      const sw = bundle['sw.js']
      if (sw?.type !== 'chunk') return
      const placeholder = /(["'`])__STUDYSYNC_BUILD_FILES__\1/
      if (!placeholder.test(sw.code)) this.error('sw.js lost its build-files placeholder')
      sw.code = sw.code.replace(placeholder, JSON.stringify(JSON.stringify(files)))
    },
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  build: {
    // Relative to the project root, not to `root` (which is client/).
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: { index: client('index.html'), sw: client('sw.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  plugins: [serviceWorkerBuildFiles()],
  server: {
    fs: { allow: [projectRoot] },
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
      '/metrics': backend,
      '/sync': { target: backend, ws: true },
    },
  },
})
