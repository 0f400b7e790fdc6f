/** Raw HTTP calls for access tests: any method, optional token, the raw text kept for leak checks. */
export interface HttpResult<T = Record<string, unknown>> {
  status: number
  body: T
  text: string
  headers: Headers
}

export interface HttpOptions {
  token?: string | null
  body?: unknown
  /** Send `body` as this content type, as text (e.g. HL7 as text/plain). */
  contentType?: string
  /** For streams: resolve with the status as soon as headers arrive, then hang up. */
  headersOnly?: boolean
}

export async function http<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: HttpOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let payload: string | undefined
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json'
    payload =
      typeof options.body === 'string' && options.contentType
        ? options.body
        : JSON.stringify(options.body)
  }
  const abort = new AbortController()
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: payload,
    signal: abort.signal,
  })
  if (options.headersOnly && res.status === 200) {
    abort.abort()
    return { status: res.status, body: {} as T, text: '', headers: res.headers }
  }
  const text = await res.text()
  let body = {} as T
  try {
    body = (text ? JSON.parse(text) : {}) as T
  } catch {}
  return { status: res.status, body, text, headers: res.headers }
}

/** Bound to one server and one token. */
export function client(baseUrl: string, token: string | null) {
  const call =
    (method: string) =>
    <T = Record<string, unknown>>(path: string, body?: unknown) =>
      http<T>(baseUrl, method, path, { token, body })
  return {
    token,
    get: call('GET'),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
      http<T>(baseUrl, 'POST', path, { token, body }),
    put: call('PUT'),
    delete: call('DELETE'),
  }
}

export type Client = ReturnType<typeof client>

/** A patient's reference-number login (S32). */
export function patientSession(baseUrl: string, referenceNumber: string, pin?: string) {
  return http<{ token: string; accession: string; readOnly: boolean; error?: string }>(
    baseUrl,
    'POST',
    '/api/v1/patient-session',
    { body: pin === undefined ? { referenceNumber } : { referenceNumber, pin } },
  )
}
