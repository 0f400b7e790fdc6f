/**
 * The API reference (API.md: "document it in the project's own API reference,
 * an OpenAPI document served at /api/v1/openapi.json") against a real server:
 * every route the router registers is documented with its method, and every
 * documented path is a real route, so a route added without documentation, or
 * documentation left behind by a removed route, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'

type Json = Record<string, unknown>

const SYNC_PATH = '/sync/{docName}'
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

let t: TestServer
let doc: Json
let contentType: string | null

beforeAll(async () => {
  t = await startTestServer()
  // No credentials: the reference is public.
  const res = await fetch(`${t.url}/api/v1/openapi.json`)
  expect(res.status).toBe(200)
  contentType = res.headers.get('content-type')
  doc = JSON.parse(await res.text()) as Json
})
afterAll(async () => {
  await t?.close()
})

const paths = () => doc.paths as Record<string, Record<string, Json>>

function documentedOperations(): { method: string; path: string; op: Json }[] {
  return Object.entries(paths()).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m]! })),
  )
}

const registered = () =>
  t.server.routes.map((r) => ({
    method: r.method,
    path: r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
  }))

/** Follows a local `#/…` JSON pointer; undefined when it does not resolve. */
function resolvePointer(pointer: string): unknown {
  let node: unknown = doc
  for (const part of pointer.replace(/^#\//, '').split('/')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return node
}

function collectRefs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into)
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value)
      else collectRefs(value, into)
    }
  }
  return into
}

describe('API reference: GET /api/v1/openapi.json', () => {
  it('is served without authentication as JSON, OpenAPI 3.1', () => {
    expect(contentType).toMatch(/^application\/json/)
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/)
    expect((doc.info as Json).title).toBeTruthy()
  })

  it('documents every route the router registers, with its method', () => {
    const routes = registered()
    expect(routes.length).toBeGreaterThan(5)
    const missing = routes.filter((r) => !paths()[r.path]?.[r.method.toLowerCase()])
    expect(missing).toEqual([])
  })

  it('documents nothing the server does not register, except the sync WebSocket', () => {
    const real = new Set(registered().map((r) => `${r.method} ${r.path}`))
    const stale = documentedOperations()
      .filter((o) => o.path !== SYNC_PATH)
      .filter((o) => !real.has(`${o.method} ${o.path}`))
    expect(stale).toEqual([])
  })

  it('gives every operation a unique operationId, a summary, a description and a success response', () => {
    const ids = new Set<string>()
    for (const { method, path, op } of documentedOperations()) {
      const where = `${method} ${path}`
      expect(op.operationId, where).toEqual(expect.any(String))
      expect(ids.has(op.operationId as string), `${where}: duplicate operationId`).toBe(false)
      ids.add(op.operationId as string)
      expect(op.summary, where).toEqual(expect.any(String))
      expect(op.description, where).toEqual(expect.any(String))
      const statuses = Object.keys(op.responses as Json)
      const success = path === SYNC_PATH ? ['101'] : statuses.filter((s) => /^2\d\d$/.test(s))
      expect(success.length, `${where}: no success response`).toBeGreaterThan(0)
      expect(
        statuses.filter((s) => success.includes(s) || /^[1-5]\d\d$|^default$/.test(s)),
      ).toEqual(statuses)
    }
  })

  it('declares security on every operation, and documents errors with the error schema', () => {
    for (const { method, path, op } of documentedOperations()) {
      const where = `${method} ${path}`
      expect(Array.isArray(op.security), where).toBe(true)
      // The WebSocket answers refusals with close codes; its HTTP statuses are bare status lines.
      if (path === SYNC_PATH) continue
      const errors = Object.entries(op.responses as Record<string, Json>).filter(([s]) =>
        /^[45]\d\d$/.test(s),
      )
      for (const [status, response] of errors) {
        const schema = (response.content as Record<string, Json> | undefined)?.['application/json']
          ?.schema
        expect(schema, `${where} ${status}`).toBeDefined()
      }
      if ((op.security as Json[]).length > 0)
        expect(Object.keys(op.responses as Json), where).toContain('401')
    }
  })

  it('gives every request body a schema, and JSON bodies an object schema with properties', () => {
    for (const { method, path, op } of documentedOperations()) {
      const where = `${method} ${path}`
      const responses = op.responses as Json
      // A 415 means the route reads a JSON body: it must say what that body is.
      if ('415' in responses) expect(op.requestBody, `${where}: 415 without a body`).toBeDefined()
      const body = op.requestBody as { content?: Record<string, { schema?: Json }> } | undefined
      if (!body) continue
      const content = Object.entries(body.content ?? {})
      expect(content.length, where).toBeGreaterThan(0)
      for (const [type, media] of content) {
        expect(media.schema, `${where} ${type}`).toBeDefined()
        if (type === 'application/json') {
          expect(media.schema!.type, where).toBe('object')
          expect(
            Object.keys((media.schema!.properties as Json) ?? {}).length,
            where,
          ).toBeGreaterThan(0)
        }
      }
    }
  })

  it('documents every path parameter of the path', () => {
    for (const { method, path, op } of documentedOperations()) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
      const declared = ((op.parameters as Json[] | undefined) ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
      expect(declared.sort(), `${method} ${path}`).toEqual(inPath.sort())
    }
  })

  it('resolves every $ref', () => {
    const broken = collectRefs(doc).filter(
      (r) => !r.startsWith('#/') || resolvePointer(r) === undefined,
    )
    expect(broken).toEqual([])
  })

  it('describes the sync WebSocket: doc names, every close code, GoneReason and message types', () => {
    const sync = paths()[SYNC_PATH]?.get as Json
    expect(sync).toBeDefined()
    const docName = (sync.parameters as Json[]).find((p) => p.name === 'docName')!
    const pattern = new RegExp((docName.schema as Json).pattern as string)
    for (const ok of [
      'worklist',
      'study/A1',
      'study/A1/report',
      'study/A1/state',
      'patient/P-1',
      'patient/P.1/state',
    ]) {
      expect(pattern.test(ok), ok).toBe(true)
    }
    for (const bad of [
      'study',
      'study/A1/x',
      'study/.A',
      'other/A1',
      'patient/P1/report',
      `study/${'a'.repeat(65)}`,
    ]) {
      expect(pattern.test(bad), bad).toBe(false)
    }
    const schemas = (doc.components as Json).schemas as Record<string, Json>
    const codes = (schemas.CloseCode!.oneOf as Json[]).map((c) => c.const)
    expect(codes).toEqual([4400, 4401, 4403, 4404, 4409, 4410, 4413, 4429, 4503])
    expect((schemas.GoneReason!.required as string[]).sort()).toEqual(['at', 'by', 'reason'])
    const types = (schemas.SyncMessageType!.oneOf as Json[]).map((c) => c.const)
    expect(types).toEqual([0, 1, 2, 3, 100])
  })

  it('describes the live feed events under components', () => {
    const schemas = (doc.components as Json).schemas as Record<string, Json>
    const variants = (schemas.FeedEvent!.oneOf as Json[]).map(
      (v) => resolvePointer(v.$ref as string) as Json,
    )
    const types = variants.map((v) => ((v.properties as Json).type as Json).const)
    expect(types.sort()).toEqual(['forced-close', 'notice', 'presence', 'worklist'])
    expect(schemas.Notice!.required).toEqual(
      expect.arrayContaining(['kind', 'subject', 'by', 'at', 'text']),
    )
  })
})
