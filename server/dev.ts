/**
 * `npm run dev`: the API and sync server (as `npm start`, on $PORT, default 8080)
 * plus the Vite dev server with hot reload, which proxies /api, /sync and the
 * feed to it (vite.config.ts).
 */
import { createServer as createViteServer } from 'vite'

await import('./main.ts')
const vite = await createViteServer({ configFile: 'vite.config.ts' })
await vite.listen()
vite.printUrls()
