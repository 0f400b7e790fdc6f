/**
 * Typed wrappers for the session endpoints of API.md "Authentication". The session
 * cookie is HttpOnly and SameSite=Strict, so same-origin requests carry it and the
 * returned token is only needed where a cookie cannot go.
 */
import type { ApiErrorBody } from '../shared/api-types.ts'
import type { Privilege, UserIdentity } from '../shared/domain.ts'

export interface Session {
  readonly token: string
  readonly user: UserIdentity & UserDetails
}

/**
 * A non-2xx answer, with the JSON error body of API.md "Errors" when there is one.
 * `body` is the whole body: a 409 `stale` carries `by`/`at`, a 423 carries `holder`.
 */
export class ApiError extends Error {
  readonly body: ApiErrorBody & Record<string, unknown>

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    body?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'ApiError'
    // Trusted as far as the server's contract goes: the fields are read, never executed.
    this.body = { ...body, error: code, message } as ApiErrorBody & Record<string, unknown>
  }
}

/**
 * What `me()` and `login()` may carry beyond the identity (the server sends both);
 * absent when an older server or a test fake leaves them out.
 */
export interface UserDetails {
  readonly username?: string
  readonly privileges?: readonly Privilege[]
}

export interface ApiClient {
  login(username: string, password: string): Promise<Session>
  /** The signed-in user, or null when the session is missing or expired (401). */
  me(): Promise<(UserIdentity & UserDetails) | null>
  logout(): Promise<void>
}

export interface ApiClientOptions {
  /** Prefix for every path; default '' (same origin). */
  readonly baseUrl?: string
  readonly fetch?: typeof fetch
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const base = options.baseUrl ?? ''
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis)
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetchFn(`${base}/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  return {
    async login(username, password) {
      const response = await call('POST', '/session', { username, password })
      return parseSession(await expectJson(response))
    },
    async me() {
      const response = await call('GET', '/me')
      if (response.status === 401) return null
      const body = await expectJson(response)
      // Accept both a bare user and `{user}`: API.md does not pin the shape down.
      return parseUser(isRecord(body) && 'user' in body ? body.user : body)
    },
    async logout() {
      const response = await call('DELETE', '/session')
      // 401: the session had already expired, which is what logging out wants anyway.
      if (!response.ok && response.status !== 401) await expectJson(response)
    },
  }
}

/** The parsed JSON body of a 2xx answer (undefined when empty); throws ApiError otherwise. */
export async function expectJson(response: Response): Promise<unknown> {
  const text = await response.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  if (response.ok) return body
  const code = isRecord(body) && typeof body.error === 'string' ? body.error : 'http_error'
  const message =
    isRecord(body) && typeof body.message === 'string'
      ? body.message
      : `${response.status} ${response.statusText}`
  throw new ApiError(response.status, code, message, isRecord(body) ? body : undefined)
}

function parseSession(body: unknown): Session {
  if (!isRecord(body) || typeof body.token !== 'string') {
    throw new ApiError(502, 'bad_response', 'session response without a token')
  }
  return { token: body.token, user: parseUser(body.user) }
}

function parseUser(value: unknown): UserIdentity & UserDetails {
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    typeof value.name !== 'string' ||
    typeof value.role !== 'string'
  ) {
    throw new ApiError(502, 'bad_response', 'response without a valid user')
  }
  // The role is shown, never trusted for decisions: the server enforces every rule.
  const user = { id: value.id, name: value.name, role: value.role as UserIdentity['role'] }
  const { username, privileges } = value
  return {
    ...user,
    ...(typeof username === 'string' ? { username } : {}),
    ...(Array.isArray(privileges)
      ? { privileges: privileges.filter((p): p is Privilege => typeof p === 'string') }
      : {}),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
