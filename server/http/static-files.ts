/** Serves the built web app from one directory, with an SPA fallback to index.html. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/** Returns false when nothing was served (so the caller can 404). */
export async function serveStatic(
  root: string,
  pathname: string,
  res: ServerResponse,
): Promise<boolean> {
  const file = await resolveFile(root, pathname)
  if (!file) return false
  const hashed = pathname.startsWith('/assets/')
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Vite fingerprints assets; everything else must revalidate so deploys show up.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  })
  createReadStream(file).pipe(res)
  return true
}

async function resolveFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  const candidate = normalize(join(root, decoded))
  // Path traversal: the resolved path must stay inside root.
  if (candidate !== root && !candidate.startsWith(root.endsWith(sep) ? root : root + sep))
    return null
  if (await isFile(candidate)) return candidate
  // Client-side routes fall back to the app shell; missing assets stay 404.
  if (extname(decoded) === '') {
    const index = join(root, 'index.html')
    if (await isFile(index)) return index
  }
  return null
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
