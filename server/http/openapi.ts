/**
 * The project's API reference (API.md): an OpenAPI 3.1 document for every
 * HTTP route, the `/sync` WebSocket and the live feed's events, served at
 * `GET /api/v1/openapi.json`.
 *
 * The operation tables sit beside the routes they describe (openapi-*-paths.ts);
 * request bodies come from the routes' own zod schemas. The integration test
 * compares `paths` with what the router registers, so a route added without a
 * table row fails it.
 */
import { accessOperations } from './openapi-access-paths.ts'
import { healthOperations, liveOperations, sessionOperations } from './openapi-core-paths.ts'
import { lifecycleOperations } from './openapi-lifecycle-paths.ts'
import { buildOperation, type OperationSpec, openApiPath } from './openapi-operation.ts'
import { componentSchemas, type OpenApiObject, securitySchemes } from './openapi-schemas.ts'
import { studyOperations } from './openapi-study-paths.ts'
import { syncPathItem, syncSchemas } from './openapi-sync.ts'
import { sendJson } from './request.ts'
import type { Router } from './router.ts'

export const OPENAPI_PATH = '/api/v1/openapi.json'

/** Every documented HTTP operation, in the order they appear in the document. */
export const operations: readonly OperationSpec[] = [
  ...healthOperations,
  ...sessionOperations,
  ...studyOperations,
  ...lifecycleOperations,
  ...accessOperations,
  ...liveOperations,
]

const TAGS = [
  {
    name: 'Authentication',
    description: 'Sessions: bearer token or the `studysync_session` cookie.',
  },
  { name: 'Studies', description: 'The worklist and study commands.' },
  { name: 'Lifecycle', description: 'Merge, delete and grouping of studies and patients.' },
  { name: 'Images and SR', description: 'Instances reported by DICOM systems.' },
  { name: 'Integrations', description: 'HL7 v2 inbound.' },
  { name: 'Access', description: 'Per-study grants, break-the-glass, buckets, reference numbers.' },
  { name: 'Audit', description: 'The hash-chained audit trail: query, verify, FHIR export.' },
  { name: 'Live feed', description: 'Server-Sent Events and presence.' },
  { name: 'Sync', description: 'The y-websocket endpoint for Yjs documents.' },
  { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
]

export function buildOpenApiDocument(): OpenApiObject {
  const paths: Record<string, Record<string, OpenApiObject>> = {}
  for (const spec of operations) {
    const path = openApiPath(spec.path)
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: buildOperation(spec) }
  }
  paths['/sync/{docName}'] = syncPathItem
  return {
    openapi: '3.1.0',
    info: {
      title: 'StudySync API',
      version: '1.0.0',
      description:
        'Real-time collaboration for radiology studies. Errors are JSON `{error, message, fields?}` with the ' +
        'fitting status; some add members (`by`/`at` on 409 `stale`, `holder` on 423, `lifecycle`/`mergedInto` ' +
        'on 410). Write requests take `application/json` (415 otherwise) up to the body size limit (413).',
    },
    servers: [{ url: '/' }],
    tags: TAGS,
    paths,
    components: { schemas: { ...componentSchemas, ...syncSchemas }, securitySchemes },
  }
}

/** Registers `GET /api/v1/openapi.json` (no authentication). */
export function openapiRoutes(router: Router): void {
  // Built once: the document is a pure function of the code.
  const document = buildOpenApiDocument()
  router.on('GET', OPENAPI_PATH, (ctx) => sendJson(ctx.res, 200, document))
}
