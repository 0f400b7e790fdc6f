/**
 * One table row per HTTP route (`OperationSpec`), turned into an OpenAPI
 * operation with the parts every route shares: path parameters, security,
 * and the error responses implied by its authentication and body.
 */
import type { z } from 'zod'
import {
  ENTITY_ID_PATTERN,
  errorResponses,
  type JsonSchema,
  type OpenApiObject,
  ref,
  zodBody,
} from './openapi-schemas.ts'

/**
 * Who may call: `public` needs nothing; `session` takes the bearer token or the
 * cookie; `stream` also takes `?token=`; `metrics` also takes `$METRICS_TOKEN`.
 */
export type Auth = 'public' | 'session' | 'stream' | 'metrics'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Parameter {
  name: string
  in: 'query' | 'header'
  description: string
  schema: JsonSchema
  required?: boolean
}

/** A body that is not JSON (e.g. HL7 v2 text): its media types and schema. */
export interface RawBody {
  contentTypes: readonly string[]
  schema: JsonSchema
  description?: string
}

export interface OperationSpec {
  method: HttpMethod
  /** As registered on the router, with `:param` segments. */
  path: string
  id: string
  tag: string
  summary: string
  description: string
  auth: Auth
  /** A zod schema is a JSON body, converted with z.toJSONSchema. */
  body?: z.ZodType | RawBody
  parameters?: Parameter[]
  ok: {
    status: number
    description: string
    schema?: JsonSchema
    contentType?: string
    headers?: Record<string, OpenApiObject>
  }
  /** Statuses this route answers besides those implied by `auth` and `body`; a string overrides the description. */
  errors?: (number | [number, string])[]
}

const PATH_PARAMS: Record<string, { description: string; schema: JsonSchema }> = {
  accession: {
    description: 'The study accession number.',
    schema: { type: 'string', pattern: ENTITY_ID_PATTERN },
  },
  patientId: {
    description: 'The patient id.',
    schema: { type: 'string', pattern: ENTITY_ID_PATTERN },
  },
  sopInstanceUid: {
    description: 'A DICOM SOP instance UID: digits and dots, at most 64 characters.',
    schema: { type: 'string', pattern: '^[0-9.]{1,64}$' },
  },
}

const SECURITY: Record<Auth, OpenApiObject[]> = {
  public: [],
  session: [{ bearerAuth: [] }, { cookieAuth: [] }],
  stream: [{ bearerAuth: [] }, { cookieAuth: [] }, { tokenQuery: [] }],
  metrics: [{ bearerAuth: [] }, { cookieAuth: [] }, { metricsToken: [] }],
}

/** `/a/:b` → `/a/{b}`. */
export function openApiPath(routerPath: string): string {
  return routerPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

export function buildOperation(spec: OperationSpec): OpenApiObject {
  const pathParams = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) =>
    pathParameter(name!),
  )
  const parameters = [...pathParams, ...(spec.parameters ?? [])]
  return {
    operationId: spec.id,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    security: SECURITY[spec.auth],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses: { ...okResponse(spec.ok), ...errorsOf(spec) },
  }
}

function pathParameter(name: string): OpenApiObject {
  const known = PATH_PARAMS[name] ?? { description: name, schema: { type: 'string' } }
  return { name, in: 'path', required: true, ...known }
}

function isRaw(body: z.ZodType | RawBody): body is RawBody {
  return 'contentTypes' in body
}

function requestBody(body: z.ZodType | RawBody): OpenApiObject {
  if (!isRaw(body)) {
    const schema = zodBody(body)
    // An empty body reads as `{}`, so a schema with nothing required makes the body optional
    // (the content type must still be JSON).
    const required = Array.isArray(schema.required) && schema.required.length > 0
    return { required, content: { 'application/json': { schema } } }
  }
  const content = Object.fromEntries(
    body.contentTypes.map((type) => [type, { schema: body.schema }]),
  )
  return { required: true, ...(body.description ? { description: body.description } : {}), content }
}

function okResponse(ok: OperationSpec['ok']): OpenApiObject {
  const content = ok.schema
    ? { content: { [ok.contentType ?? 'application/json']: { schema: ok.schema } } }
    : {}
  return {
    [String(ok.status)]: {
      description: ok.description,
      ...(ok.headers ? { headers: ok.headers } : {}),
      ...content,
    },
  }
}

/** Statuses implied by the spec, then its own list; sorted, with a default for the rest (500, 405). */
function errorsOf(spec: OperationSpec): OpenApiObject {
  const implied: (number | [number, string])[] = []
  if (spec.auth !== 'public') implied.push(401)
  if (spec.auth !== 'public' && spec.method !== 'GET') implied.push(403)
  if (spec.body && !isRaw(spec.body)) implied.push(400, 413, 415)
  const described = new Map<number, string | undefined>()
  for (const entry of [...implied, ...(spec.errors ?? [])]) {
    const [status, text] = typeof entry === 'number' ? [entry, undefined] : entry
    if (text !== undefined || !described.has(status)) described.set(status, text)
  }
  const responses: OpenApiObject = {}
  for (const status of [...described.keys()].sort((a, b) => a - b)) {
    const shared = errorResponses[status] ?? {
      description: `HTTP ${status}.`,
      content: { 'application/json': { schema: ref('Error') } },
    }
    const text = described.get(status)
    responses[String(status)] = text ? { ...shared, description: text } : shared
  }
  responses.default = {
    description: 'Any other error (405 wrong method, 500 internal), with the same error body.',
    content: { 'application/json': { schema: ref('Error') } },
  }
  return responses
}
