/** The studies REST API (API.md "Studies, patients and worklist"): thin adapters over the domain commands. */
import { z } from 'zod'
import { STUDY_STATUSES, VIEWS } from '../../shared/domain.ts'
import { formatDocName } from '../../shared/protocol.ts'
import { docAccess } from '../access/policy.ts'
import { ROLE_POLICY } from '../access/roles.ts'
import type { AuthenticatedSession, SessionService } from '../auth/sessions.ts'
import { assign, bulkAssign } from '../domain/assignments.ts'
import type { ClaimTracker } from '../domain/claims.ts'
import type { Actor, DomainContext } from '../domain/context.ts'
import { closeStudy, openStudy, usableStudy } from '../domain/open-close.ts'
import { studyStateOf, worklistRowOf } from '../domain/projector.ts'
import { ASSIGNMENT_ROLES } from '../domain/rules.ts'
import { advanceStatus, reportAction, takeOver } from '../domain/workflow.ts'
import type { PresenceEntry } from '../events/types.ts'
import { requireSession } from './auth.ts'
import { forbidden } from './errors.ts'
import { clientIp, parseBody, readJson, sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'

export interface StudyRouteDeps {
  ctx: DomainContext
  claims: ClaimTracker
  sessions: SessionService
  allowedOrigins: readonly string[]
  maxBodyBytes: number
  presenceOf(accession: string): PresenceEntry[]
}

export const OpenBody = z.object({ view: z.enum(VIEWS).default('info') })
export const AssignBody = z.object({
  role: z.enum(ASSIGNMENT_ROLES),
  userId: z.string().min(1).max(64).nullable(),
  expectedRev: z.number().int().nonnegative(),
})
export const BulkBody = z.object({
  accessions: z.array(z.string().min(1).max(64)).min(1).max(500),
  role: z.enum(ASSIGNMENT_ROLES),
  userId: z.string().min(1).max(64).nullable(),
})
export const StatusBody = z.object({
  to: z.enum(STUDY_STATUSES),
  expectedRev: z.number().int().nonnegative(),
})
export const TakeoverBody = z.object({ reason: z.string().max(1000) })
export const ReportBody = z.object({
  action: z.enum(['create', 'amend']),
  autoTemplate: z.boolean().default(true),
})

export function studyRoutes(router: Router, deps: StudyRouteDeps): void {
  const { ctx, claims } = deps
  const actorOf = (rc: RequestContext): Actor & { kind: 'user' } =>
    userActor(requireSession(rc, deps.sessions, deps.allowedOrigins), rc)
  const body = async <T>(rc: RequestContext, schema: z.ZodType<T>) =>
    parseBody(schema, await readJson(rc.req, deps.maxBodyBytes))
  /** The caller of a command on `:accession`, if they may reach that study at all (before existence: no probing). */
  const studyActorOf = (rc: RequestContext): Actor & { kind: 'user' } => {
    const actor = actorOf(rc)
    const doc = { kind: 'study', accession: rc.params.accession as never } as const
    if (docAccess(actor.identity, doc, ctx.registry.read(), ctx.clock.now()).kind === 'forbidden')
      throw forbidden(`You have no access to study ${rc.params.accession}.`)
    return actor
  }

  router.on('GET', '/api/v1/worklist', (rc) => {
    const actor = actorOf(rc)
    const data = ctx.registry.read()
    const now = ctx.clock.now()
    const worklist = ROLE_POLICY[actor.user.role].worklist
    if (worklist === 'none') throw forbidden('Your role has no worklist.')
    const rows = data.studies
      .filter((s) => s.lifecycle === 'active')
      .filter(
        (s) =>
          docAccess(actor.identity, { kind: 'study', accession: s.accession as never }, data, now)
            .kind === 'allowed',
      )
      .map((s) => ({ ...worklistRowOf(s, data), access: accessOf(deps, s.accession) }))
    // A role that sees only granted studies has no worklist until something is granted.
    if (rows.length === 0 && data.studies.length > 0 && worklist === 'granted')
      throw forbidden('Your role has no worklist.')
    sendJson(rc.res, 200, { rows })
  })

  // For assignment pickers: who can be assigned (names and roles only).
  router.on('GET', '/api/v1/users', (rc) => {
    actorOf(rc)
    const users = ctx.registry
      .read()
      .users.filter((u) => !u.disabled && u.role !== 'system' && u.role !== 'patient')
      .map((u) => ({ id: u.id, name: u.name, role: u.role }))
    sendJson(rc.res, 200, { users })
  })

  router.on('GET', '/api/v1/studies/:accession', async (rc) => {
    const actor = actorOf(rc)
    const data = ctx.registry.read()
    const doc = { kind: 'study', accession: rc.params.accession as never } as const
    // Access before existence: someone without access must not learn whether it exists.
    if (docAccess(actor.identity, doc, data, ctx.clock.now()).kind === 'forbidden')
      throw forbidden()
    const study = usableStudy(
      data.studies.find((s) => s.accession === rc.params.accession),
      rc.params.accession!,
    )
    const fields = await ctx.rooms.with(
      formatDocName({ kind: 'study', accession: study.accession as never }),
      (room) => room.doc.getMap('fields').toJSON(),
    )
    sendJson(rc.res, 200, {
      accession: study.accession,
      patientId: study.patientId,
      modality: study.modality,
      fields,
      state: studyStateOf(study),
      // A patient session does not learn which staff have its study open.
      access: ROLE_POLICY[actor.user.role].scoped ? [] : accessOf(deps, study.accession),
    })
  })

  router.on('POST', '/api/v1/studies/:accession/open', async (rc) => {
    const actor = actorOf(rc)
    const { view } = await body(rc, OpenBody)
    sendJson(rc.res, 200, await openStudy(ctx, claims, actor, rc.params.accession!, view))
  })

  router.on('POST', '/api/v1/studies/:accession/close', async (rc) => {
    const actor = studyActorOf(rc)
    const { view } = await body(rc, OpenBody)
    sendJson(rc.res, 200, await closeStudy(ctx, claims, actor, rc.params.accession!, view))
  })

  router.on('POST', '/api/v1/studies/:accession/assignments', async (rc) => {
    const actor = studyActorOf(rc)
    sendJson(
      rc.res,
      200,
      await assign(ctx, actor, rc.params.accession!, await body(rc, AssignBody)),
    )
  })

  router.on('POST', '/api/v1/assignments/bulk', async (rc) => {
    const actor = actorOf(rc)
    sendJson(rc.res, 200, await bulkAssign(ctx, actor, await body(rc, BulkBody)))
  })

  router.on('POST', '/api/v1/studies/:accession/status', async (rc) => {
    const actor = studyActorOf(rc)
    sendJson(
      rc.res,
      200,
      await advanceStatus(ctx, actor, rc.params.accession!, await body(rc, StatusBody)),
    )
  })

  router.on('POST', '/api/v1/studies/:accession/report', async (rc) => {
    const actor = studyActorOf(rc)
    sendJson(
      rc.res,
      200,
      await reportAction(ctx, actor, rc.params.accession!, await body(rc, ReportBody)),
    )
  })

  router.on('POST', '/api/v1/studies/:accession/takeover', async (rc) => {
    const actor = studyActorOf(rc)
    const { reason } = await body(rc, TakeoverBody)
    sendJson(rc.res, 200, await takeOver(ctx, claims, actor, rc.params.accession!, reason))
  })
}

export function userActor(
  session: AuthenticatedSession,
  rc: RequestContext,
): Actor & { kind: 'user' } {
  return {
    kind: 'user',
    user: session.user,
    identity: session.identity,
    sessionId: session.sessionId,
    ip: clientIp(rc.req),
  }
}

/** The Access column (S3): who has the study open now, from live presence, else from explicit opens. */
function accessOf(deps: StudyRouteDeps, accession: string) {
  const seen = new Set<string>()
  const access: {
    id: string
    name: string
    role: string
    mode: string
    view: string | null
    since: string
    connection: string
  }[] = []
  for (const p of deps.presenceOf(accession)) {
    seen.add(`${p.user.id}|${p.view}`)
    access.push({
      id: p.user.id,
      name: p.user.name,
      role: p.user.role,
      mode: p.mode,
      view: p.view,
      since: p.since,
      connection: p.connection,
    })
  }
  for (const o of deps.ctx.viewers.opensOf(accession)) {
    if (seen.has(`${o.user.id}|${o.view}`)) continue
    const mode = o.view === 'info' ? 'viewing' : 'reading'
    access.push({
      id: o.user.id,
      name: o.user.name,
      role: o.user.role,
      mode,
      view: o.view,
      since: new Date(o.since).toISOString(),
      connection: 'live',
    })
  }
  return access
}
