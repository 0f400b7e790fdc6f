/** Request helpers: JSON bodies with a size limit and schema validation, cookies, tokens. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { z } from 'zod'
import { badRequest, HttpError } from './errors.ts'

export const SESSION_COOKIE = 'studysync_session'

export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readText(req, maxBytes)
  // A command without parameters (e.g. close) may come with no body at all.
  if (text.trim() === '') return {}
  const type = req.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw badRequest('The body is not valid JSON.')
  }
}

export async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes)
      throw new HttpError(413, 'too_large', `The body exceeds ${maxBytes} bytes.`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Parses with a zod schema; a failure lists what was wrong, field by field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const fields: Record<string, string> = {}
  for (const issue of result.error.issues) {
    fields[issue.path.join('.') || '(body)'] = issue.message
  }
  throw badRequest('The request body is invalid.', fields)
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    // Skip values that do not decode: another app's cookie on this host must not turn
    // every request into a 500 (a broken session cookie then reads as no session).
    try {
      cookies.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()))
    } catch {}
  }
  return cookies
}

export type TokenSource = 'bearer' | 'cookie' | 'query'

/** Finds the session token: bearer header, then cookie, then (where allowed) `?token=`. */
export function findToken(
  req: IncomingMessage,
  url: URL,
  allowQuery: boolean,
): { token: string; source: TokenSource } | null {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), source: 'bearer' }
  const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE)
  if (cookie) return { token: cookie, source: 'cookie' }
  const query = allowQuery ? url.searchParams.get('token') : null
  return query ? { token: query, source: 'query' } : null
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown'
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  })
  res.end(text)
}
