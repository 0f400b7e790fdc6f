/**
 * Hash routes (client/app/contexts.ts `Route`): #/worklist (default),
 * #/study/:acc, #/study/:acc/desktop, #/study/:acc/access, #/patient/:id,
 * #/admin/presence, #/admin/audit.
 * Hash routing needs nothing from the server and works from the offline app shell.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { isEntityId } from '../../shared/protocol.ts'
import type { Route } from './contexts.ts'

/** The route a hash names; anything unknown or malformed is the worklist. */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part !== '')
    .map(safeDecode)
  const [first, id, sub] = parts
  if (first === 'study' && id !== undefined && isEntityId(id)) {
    if (parts.length === 2) return { page: 'study', accession: id }
    if (parts.length === 3 && sub === 'desktop') return { page: 'desktop', accession: id }
    if (parts.length === 3 && sub === 'access') return { page: 'access', accession: id }
  }
  if (first === 'patient' && parts.length === 2 && id !== undefined && isEntityId(id)) {
    return { page: 'patient', patientId: id }
  }
  if (first === 'admin' && id === 'presence' && parts.length === 2) return { page: 'presence' }
  if (first === 'admin' && id === 'audit' && parts.length === 2) return { page: 'audit' }
  return { page: 'worklist' }
}

/** The hash of a route; `login` has none of its own (the shell shows it when signed out). */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'study':
      return `#/study/${encodeURIComponent(route.accession)}`
    case 'desktop':
      return `#/study/${encodeURIComponent(route.accession)}/desktop`
    case 'patient':
      return `#/patient/${encodeURIComponent(route.patientId)}`
    case 'presence':
      return '#/admin/presence'
    case 'access':
      return `#/study/${encodeURIComponent(route.accession)}/access`
    case 'audit':
      return '#/admin/audit'
    case 'worklist':
    case 'login':
      return '#/worklist'
  }
}

/** One key per page instance: a different study gets a fresh element. */
export function routeKey(route: Route): string {
  return routeHash(route)
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return ''
  }
}

/**
 * Follows `location.hash` while the host is connected (STYLE 14). `go` writes the
 * hash; the `hashchange` it causes updates `route`, so the back button and typed
 * URLs take the same path as in-app navigation.
 */
export class HashRouter implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #window: Window
  #route: Route

  constructor(host: ReactiveControllerHost, win: Window = window) {
    this.#host = host
    this.#window = win
    this.#route = parseRoute(win.location.hash)
    host.addController(this)
  }

  get route(): Route {
    return this.#route
  }

  go(route: Route): void {
    const hash = routeHash(route)
    if (this.#window.location.hash === hash) this.#sync()
    else this.#window.location.hash = hash
  }

  hostConnected(): void {
    this.#window.addEventListener('hashchange', this.#onHashChange)
    this.#sync()
  }

  hostDisconnected(): void {
    this.#window.removeEventListener('hashchange', this.#onHashChange)
  }

  readonly #onHashChange = (): void => this.#sync()

  #sync(): void {
    const route = parseRoute(this.#window.location.hash)
    // Canonical form, without a history entry: "#/" and typos become "#/worklist".
    const hash = routeHash(route)
    if (this.#window.location.hash !== hash) {
      this.#window.history.replaceState(this.#window.history.state, '', hash)
    }
    if (routeHash(this.#route) === hash) return
    this.#route = route
    this.#host.requestUpdate()
  }
}
