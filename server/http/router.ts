/** A minimal method + path router with `:param` segments. */
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: Record<string, string>
}

export type Handler = (ctx: RequestContext) => Promise<void> | void

interface Route {
  method: string
  segments: string[]
  handler: Handler
}

export class Router {
  private readonly routes: Route[] = []

  on(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, segments: path.split('/').filter(Boolean), handler })
    return this
  }

  /** Every registered route, with its path rebuilt from the segments (`:param` kept). */
  list(): { method: string; path: string }[] {
    return this.routes.map((r) => ({ method: r.method, path: `/${r.segments.join('/')}` }))
  }

  /** The handler for a request, `'method'` when only the method is wrong, or null. */
  match(
    method: string,
    pathname: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | null {
    const parts = pathname.split('/').filter(Boolean)
    let pathMatched = false
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts)
      if (!params) continue
      if (route.method === method) return { handler: route.handler, params }
      pathMatched = true
    }
    return pathMatched ? 'method' : null
  }
}

/** Methods registered for a path (for the Allow header of a 405), sorted. */
export function allowedMethods(router: Router, pathname: string): string[] {
  const parts = pathname.split('/').filter(Boolean)
  const methods = router
    .list()
    .filter((route) => matchSegments(route.path.split('/').filter(Boolean), parts))
    .map((route) => route.method)
  return [...new Set(methods)].sort()
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!
    const got = parts[i]!
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got)
      } catch {
        return null
      }
    } else if (want !== got) return null
  }
  return params
}
