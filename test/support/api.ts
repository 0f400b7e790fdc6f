/** A tiny authenticated REST client for tests. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number
  body: T
}

export function api(baseUrl: string, token: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T }
  }
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
      call<T>('POST', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  }
}

export type Api = ReturnType<typeof api>
