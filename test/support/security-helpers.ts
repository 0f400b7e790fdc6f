/** Sign-in, close-code and registry helpers shared by the security test files. */
import WebSocket from 'ws'
import type { TestServer } from './server.ts'

export function securityHelpers(server: () => TestServer) {
  async function signIn(username: string, password = 'demo', headers: Record<string, string> = {}) {
    const res = await fetch(`${server().url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    })
    const body = (await res.json()) as { token?: string }
    return { res, token: body.token ?? '', cookie: res.headers.get('set-cookie') ?? '' }
  }

  function closeOf(
    path: string,
    headers: Record<string, string> = {},
    onOpen?: (ws: WebSocket) => void,
  ) {
    const ws = new WebSocket(`${server().wsUrl}${path}`, { headers })
    ws.on('error', () => {})
    if (onOpen) ws.on('open', () => onOpen(ws))
    return new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  /** The registry as a string, without sessions (signing in is allowed to change those). */
  function registryWithoutSessions(): string {
    const { sessions: _sessions, ...rest } = server().registry.read()
    return JSON.stringify(rest)
  }

  return { signIn, closeOf, registryWithoutSessions }
}
