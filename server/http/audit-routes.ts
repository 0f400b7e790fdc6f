/**
 * The audit trail's API (S33, API.md "Access and audit"): query, verify and FHIR
 * export, for holders of readAudit (admins). Reading is itself audited — before
 * the answer, so a read that could not be recorded is not served — and refused
 * reads are audited too.
 */
import { parseQuery } from '../audit/audit-index.ts'
import { toFhirBundle } from '../audit/fhir.ts'
import type { AuditEntry, AuditQuery } from '../audit/types.ts'
import { type AccessRouteDeps, helpers, type UserActor } from './access-support.ts'
import { requireSession } from './auth.ts'
import { badRequest, HttpError } from './errors.ts'
import { clientIp, sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'

/** Most entries one FHIR export holds; narrow the query (from/to, subject) for more. */
export const MAX_EXPORT_ENTRIES = 10_000

const FILTERS = ['subject', 'user', 'action', 'from', 'to'] as const
const QUERY_KEYS = [...FILTERS, 'cursor', 'limit'] as const
const MAX_PARAM_LENGTH = 200

export type AuditRouteDeps = Pick<AccessRouteDeps, 'ctx' | 'sessions' | 'config'>

export function auditRoutes(router: Router, deps: AuditRouteDeps): void {
  const { ctx } = deps
  const h = helpers(deps)
  /** The auditor, or 403 — and the refused attempt is on the record. */
  const auditor = async (rc: RequestContext, action: string): Promise<UserActor> => {
    try {
      return h.auditor(rc)
    } catch (error) {
      const session = requireSession(rc, deps.sessions, deps.config.allowedOrigins)
      await ctx.audit.append({
        actor: { id: session.identity.id, name: session.identity.name },
        action,
        subject: { type: 'audit', id: 'audit-log' },
        outcome: 'refused',
        source: { ip: clientIp(rc.req), session: session.sessionId },
        details: { path: rc.url.pathname },
      })
      throw error
    }
  }
  const record = (actor: UserActor, action: string, details: Record<string, unknown>) =>
    ctx.audit.append({
      actor: { id: actor.identity.id, name: actor.identity.name },
      action,
      subject: { type: 'audit', id: 'audit-log' },
      outcome: 'success',
      source: { ip: actor.ip, session: actor.sessionId },
      details,
    })

  router.on('GET', '/api/v1/audit', async (rc) => {
    const actor = await auditor(rc, 'audit.read')
    const query = queryOf(rc.url, QUERY_KEYS)
    await record(actor, 'audit.read', { query })
    sendJson(rc.res, 200, await ctx.audit.query(query))
  })

  router.on('GET', '/api/v1/audit/verify', async (rc) => {
    const actor = await auditor(rc, 'audit.verify')
    const result = await ctx.audit.verify()
    await record(actor, 'audit.verify', { ...result })
    sendJson(rc.res, 200, result)
  })

  router.on('GET', '/api/v1/audit/export', async (rc) => {
    const actor = await auditor(rc, 'audit.export')
    const format = rc.url.searchParams.get('format') ?? 'fhir'
    if (format !== 'fhir')
      throw badRequest('Only format=fhir is supported.', { format: 'must be fhir' })
    const query = queryOf(rc.url, FILTERS)
    await record(actor, 'audit.export', { query, format })
    const entries = await collect(deps, query)
    const bundle = toFhirBundle(entries, { type: 'searchset', total: entries.length })
    rc.res.writeHead(200, {
      'content-type': 'application/fhir+json; charset=utf-8',
      'cache-control': 'no-store',
    })
    rc.res.end(JSON.stringify(bundle))
  })
}

/** The query parameters we know, each at most once and short; the rest is refused. */
function queryOf(url: URL, keys: readonly string[]): AuditQuery {
  const query: Record<string, string | number> = {}
  for (const [key, value] of url.searchParams) {
    if (key === 'format') continue
    if (!keys.includes(key))
      throw badRequest(`Unknown query parameter ${key}.`, { [key]: 'unknown' })
    if (value.length > MAX_PARAM_LENGTH)
      throw badRequest(`${key} is too long.`, { [key]: `at most ${MAX_PARAM_LENGTH} characters` })
    if (value === '') continue
    query[key] = key === 'limit' ? Number(value) : value
  }
  try {
    parseQuery(query) // the log's own checks (times, cursor, limit), as 400 before anything is recorded
  } catch (error) {
    if (error instanceof RangeError) throw badRequest(error.message)
    throw error
  }
  return query as AuditQuery
}

/** Every matching entry, newest first, up to the export cap. */
async function collect(deps: AuditRouteDeps, query: AuditQuery): Promise<AuditEntry[]> {
  const out: AuditEntry[] = []
  let cursor: string | undefined
  do {
    const page = await deps.ctx.audit.query({ ...query, cursor, limit: 500 })
    out.push(...page.entries)
    cursor = page.nextCursor ?? undefined
    if (out.length > MAX_EXPORT_ENTRIES)
      throw new HttpError(
        413,
        'too_large',
        `More than ${MAX_EXPORT_ENTRIES} entries match: narrow the export with from/to.`,
      )
  } while (cursor)
  return out
}
