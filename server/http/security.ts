/** Web security: headers for every response, and the Origin check against cross-site use of cookies. */
import type { IncomingMessage, ServerResponse } from 'node:http'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ')

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP)
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('x-frame-options', 'DENY')
  res.setHeader('referrer-policy', 'no-referrer')
  res.setHeader('cross-origin-opener-policy', 'same-origin')
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()')
}

/**
 * Browsers send Origin on WebSocket upgrades and cross-site requests. A
 * cookie-authenticated request from another origin is cross-site request
 * forgery or WebSocket hijacking; requests without Origin (non-browser
 * clients) are judged by their credentials alone.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true
  const host = req.headers.host
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true
  return allowedOrigins.includes(origin)
}

export function sessionCookie(token: string, secure: boolean, maxAgeS: number): string {
  return [
    `studysync_session=${encodeURIComponent(token)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeS)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}

export function clearedSessionCookie(): string {
  return 'studysync_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'
}
