/** Web security: headers for every response, and the Origin check against cross-site use of cookies. */
import type { IncomingMessage, ServerResponse } from 'node:http'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // 'self' covers ws:/wss: to this host (CSP3); bare `ws: wss:` would let injected script
  // open a socket to any host and carry data off.
  "connect-src 'self'",
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

/**
 * Did the browser reach us over TLS — directly, or through a proxy that terminated it
 * (`X-Forwarded-Proto: https`)? Used only to add `Secure` to the cookie, so trusting the
 * header cannot weaken anything: a plain-http client would just get a cookie it never sends.
 */
export function requestIsTls(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true
  const proto = req.headers['x-forwarded-proto']
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim()
  return first === 'https'
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
