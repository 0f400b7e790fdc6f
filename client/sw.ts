/**
 * The service worker (DESIGN §6, S29): the app shell loads without a network on a
 * device that has used the app before. Fingerprinted /assets/* are cache-first (a
 * new build has new names); the HTML is network-first with the cached copy as the
 * fallback; /api, /sync, the feed and health endpoints are never touched, so no
 * patient data and no session ever lands in the HTTP cache (the worklist is cached
 * per user in IndexedDB instead). No imports: the build emits this file as is.
 */
export {}

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request
  respondWith(response: Promise<Response>): void
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
  skipWaiting(): Promise<void>
  readonly clients: { claim(): Promise<void> }
  readonly location: Location
}

const scope = self as unknown as ServiceWorkerScope
const CACHE = 'studysync-shell'
const SHELL = '/'
/** Replaced at build time (vite.config.ts) by the JSON list of every built file. */
const BUILD_FILES = '__STUDYSYNC_BUILD_FILES__'
const NEVER = ['/api/', '/sync', '/healthz', '/readyz', '/metrics']

function buildAssets(): string[] {
  if (BUILD_FILES.startsWith('__')) return []
  const files = JSON.parse(BUILD_FILES) as string[]
  return files.filter((file) => file.startsWith('assets/')).map((file) => `/${file}`)
}

/** The shell and every asset it references, plus every built asset (workers, lazy chunks). */
async function precache(): Promise<void> {
  const cache = await caches.open(CACHE)
  const html = await fetch(SHELL, { cache: 'no-cache' })
  if (!html.ok) throw new Error(`app shell: ${html.status}`)
  const text = await html.clone().text()
  await cache.put(SHELL, html)
  const referenced = [...text.matchAll(/["'](\/assets\/[^"']+)["']/g)].map((m) => m[1] ?? '')
  const assets = new Set([...referenced, ...buildAssets()].filter(Boolean))
  await Promise.all([...assets].map((asset) => cache.add(asset)))
}

/** Drops assets of earlier builds (their names are not in this build's list). */
async function prune(): Promise<void> {
  const current = new Set(buildAssets())
  if (current.size === 0) return
  const cache = await caches.open(CACHE)
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname
    if (path.startsWith('/assets/') && !current.has(path)) await cache.delete(request)
  }
}

async function networkFirstShell(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    if (response.ok) await cache.put(SHELL, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(SHELL)
    if (cached !== undefined) return cached
    throw error
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(request)
  if (cached !== undefined) return cached
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}

scope.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => scope.skipWaiting()))
})

scope.addEventListener('activate', (event) => {
  event.waitUntil(prune().then(() => scope.clients.claim()))
})

scope.addEventListener('fetch', (event) => {
  const { request } = event
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== scope.location.origin) return
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return
  if (request.mode === 'navigate' || url.pathname === '/' || url.pathname === '/index.html') {
    event.respondWith(networkFirstShell(request))
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request))
  }
})
