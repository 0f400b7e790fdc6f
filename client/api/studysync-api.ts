/**
 * The typed REST client of `apiContext` (client/app/contexts.ts) over the paths of
 * API.md "Studies, patients and worklist". Every method throws ApiError
 * (client/api.ts) on a non-2xx answer, with the whole error body in `error.body`.
 */
import type { View } from '../../shared/domain.ts'
import { type ApiClientOptions, expectJson } from '../api.ts'
import type { StudySyncApi } from '../app/contexts.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** `baseUrl` prefixes every path (default '' = same origin); `fetch` is injectable for tests. */
export function createStudySyncApi(options: ApiClientOptions = {}): StudySyncApi {
  const base = options.baseUrl ?? ''
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis)

  // The casts below trust the server's response shapes (shared/api-types.ts).
  async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await fetchFn(`${base}/api/v1${path}`, {
      method,
      // The session cookie (HttpOnly, SameSite=Strict) authenticates every call.
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return (await expectJson(response)) as T
  }

  const study = (accession: string) => `/studies/${encodeURIComponent(accession)}`
  const patient = (patientId: string) => `/patients/${encodeURIComponent(patientId)}`
  const viewBody = (view: View) => ({ view })
  const access = (accession: string) => `${study(accession)}/access`
  const reference = (accession: string, id: string) =>
    `${study(accession)}/reference-numbers/${encodeURIComponent(id)}`
  const bucket = (id: string) => `/buckets/${encodeURIComponent(id)}`

  return {
    worklist: () => call('GET', '/worklist'),
    study: (accession) => call('GET', study(accession)),
    open: (accession, view) => call('POST', `${study(accession)}/open`, viewBody(view)),
    close: (accession, view) => call('POST', `${study(accession)}/close`, viewBody(view)),
    assign: (accession, body) => call('POST', `${study(accession)}/assignments`, body),
    bulkAssign: (body) => call('POST', '/assignments/bulk', body),
    advance: (accession, body) => call('POST', `${study(accession)}/status`, body),
    report: (accession, body) => call('POST', `${study(accession)}/report`, body),
    takeOver: (accession, reason) => call('POST', `${study(accession)}/takeover`, { reason }),
    group: (body) => call('POST', '/study-groups', body),
    mergeStudy: (accession, into) => call('POST', `${study(accession)}/merge`, { into }),
    deleteStudy: (accession) => call('DELETE', study(accession)),
    mergePatient: (patientId, into) => call('POST', `${patient(patientId)}/merge`, { into }),
    deletePatient: (patientId) => call('DELETE', patient(patientId)),
    presence: () => call('GET', '/presence'),
    users: () => call('GET', '/users'),
    studyAccess: (accession) => call('GET', access(accession)),
    addGrant: (accession, body) => call('POST', `${access(accession)}/grants`, body),
    withdrawGrant: (accession, grantId) =>
      call('DELETE', `${access(accession)}/grants/${encodeURIComponent(grantId)}`),
    breakGlass: (accession, reason) => call('POST', `${study(accession)}/break-glass`, { reason }),
    breakGlassQueue: () => call('GET', '/break-glass?pending=1'),
    acknowledgeBreakGlass: (id) =>
      call('POST', `/break-glass/${encodeURIComponent(id)}/acknowledge`),
    regenerateReferenceNumbers: (accession) =>
      call('POST', `${study(accession)}/reference-numbers/regenerate`),
    withdrawReferenceNumber: (accession, id) => call('DELETE', reference(accession, id)),
    setReferencePin: (accession, id, pin) =>
      call('PUT', `${reference(accession, id)}/pin`, { pin }),
    revokeBucket: (id) => call('DELETE', bucket(id)),
    removeFromBucket: (id, accession) =>
      call('DELETE', `${bucket(id)}/studies/${encodeURIComponent(accession)}`),
    audit: (query) => call('GET', `/audit${queryString(query)}`),
    verifyAudit: () => call('GET', '/audit/verify'),
    exportAudit: (filters) =>
      call('GET', `/audit/export${queryString({ format: 'fhir', ...filters })}`),
  }
}

/** `?a=1&b=2` from the given values, leaving out empty ones; '' when none is left. */
function queryString(params: object): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}
