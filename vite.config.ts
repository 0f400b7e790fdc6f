import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const projectRoot = fileURLToPath(new URL('.', import.meta.url))
const backend = 'http://127.0.0.1:8080'

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  build: {
    // Relative to the project root, not to `root` (which is client/).
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
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
