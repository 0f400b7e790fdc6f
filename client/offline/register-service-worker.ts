/**
 * Registers the app-shell service worker (client/sw.ts, built to /sw.js at the site
 * root so its scope is the whole app). Not in the Vite dev server, which has no
 * built sw.js and whose modules change on every edit.
 */
export function registerServiceWorker(
  container: ServiceWorkerContainer | undefined = globalThis.navigator?.serviceWorker,
): void {
  if (container === undefined) return
  const register = () =>
    container.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
      // Without it the app still works online; it only will not start offline.
      console.warn('service worker registration failed', error)
    })
  if (document.readyState === 'complete') void register()
  else window.addEventListener('load', () => void register(), { once: true })
}
