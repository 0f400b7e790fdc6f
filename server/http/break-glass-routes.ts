/**
 * Break-the-glass (S31): a staff member without access unlocks a study for a
 * while by giving a reason; it is audited (refusals too), listed on the study's
 * Access tab, and lands in the admins' review queue until acknowledged.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { Notice } from '../../shared/events.ts'
import { breakGlassView } from '../access/access-view.ts'
import { docAccess, findStudy } from '../access/policy.ts'
import { may, ROLE_POLICY } from '../access/roles.ts'
import type { BreakGlassRecord } from '../registry/types.ts'
import {
  type AccessRouteDeps,
  activeStudy,
  helpers,
  me,
  studyAudit,
  type UserActor,
} from './access-support.ts'
import { badRequest, forbidden, HttpError, notFound } from './errors.ts'
import { readJson, sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'

export const BREAK_GLASS_MIN_REASON = 15
export const BREAK_GLASS_MAX_REASON = 1000

export const BreakGlassBody = z.object({
  reason: z.string().max(BREAK_GLASS_MAX_REASON),
})

export function breakGlassRoutes(router: Router, deps: AccessRouteDeps): void {
  const { ctx } = deps
  const h = helpers(deps)

  router.on('POST', '/api/v1/studies/:accession/break-glass', async (rc) => {
    const actor = h.staff(rc)
    const accession = rc.params.accession!
    if (!ROLE_POLICY[actor.user.role].breakGlass)
      throw forbidden('Your role cannot break the glass.')
    const reason = await reasonOf(rc, deps, actor, accession)
    const now = h.now()
    const record = await ctx.registry.update((data) => {
      const study = activeStudy(findStudy(data, accession), accession)
      const doc = { kind: 'study', accession: accession as never } as const
      if (docAccess(actor.identity, doc, data, now).kind === 'allowed')
        throw new HttpError(409, 'conflict', 'You already have access to this study.')
      const record: BreakGlassRecord = {
        id: `bg-${randomUUID()}`,
        accession: study.accession,
        user: me(actor),
        at: now,
        reason,
        expiresAt: now + deps.config.breakGlassMs,
        acknowledgedBy: null,
        acknowledgedAt: null,
      }
      data.breakGlass.push(record)
      return structuredClone(record)
    })
    const patientId = findStudy(ctx.registry.read(), accession)?.patientId
    await ctx.audit.append(
      studyAudit(actor, 'access.break-glass', { accession, patientId }, 'success', {
        breakGlassId: record.id,
        reason,
        expiresAt: new Date(record.expiresAt).toISOString(),
      }),
    )
    deps.watcher.changed(me(actor))
    tellAdmins(deps, record)
    sendJson(rc.res, 201, { breakGlass: breakGlassView(record, now) })
  })

  router.on('GET', '/api/v1/break-glass', (rc) => {
    h.manager(rc)
    const pending = ['1', 'true'].includes(rc.url.searchParams.get('pending') ?? '')
    const now = h.now()
    const data = ctx.registry.read()
    const entries = data.breakGlass
      .filter((b) => !pending || b.acknowledgedAt === null)
      .sort((a, b) => b.at - a.at)
      .map((b) => ({
        ...breakGlassView(b, now),
        patientId: findStudy(data, b.accession)?.patientId ?? null,
      }))
    sendJson(rc.res, 200, { entries })
  })

  router.on('POST', '/api/v1/break-glass/:id/acknowledge', async (rc) => {
    const actor = h.manager(rc)
    const now = h.now()
    const record = await ctx.registry.update((data) => {
      const record = data.breakGlass.find((b) => b.id === rc.params.id)
      if (!record) throw notFound('There is no such break-the-glass event.')
      if (record.acknowledgedBy)
        throw new HttpError(
          409,
          'conflict',
          `Already acknowledged by ${record.acknowledgedBy.name}.`,
          undefined,
          { by: record.acknowledgedBy },
        )
      record.acknowledgedBy = me(actor)
      record.acknowledgedAt = now
      return structuredClone(record)
    })
    const patientId = findStudy(ctx.registry.read(), record.accession)?.patientId
    await ctx.audit.append(
      studyAudit(
        actor,
        'access.break-glass.acknowledge',
        { accession: record.accession, patientId },
        'success',
        { breakGlassId: record.id, user: record.user },
      ),
    )
    sendJson(rc.res, 200, { breakGlass: breakGlassView(record, now) })
  })
}

/** The trimmed reason, or 400; refusals are audited too (someone tried to unlock). */
async function reasonOf(
  rc: RequestContext,
  deps: AccessRouteDeps,
  actor: UserActor,
  accession: string,
): Promise<string> {
  const given = BreakGlassBody.safeParse(await readJson(rc.req, deps.config.limits.maxBodyBytes))
  const reason = given.success ? given.data.reason.trim() : null
  const problem =
    reason === null
      ? `Give a reason: text of ${BREAK_GLASS_MIN_REASON} to ${BREAK_GLASS_MAX_REASON} characters.`
      : reason.length < BREAK_GLASS_MIN_REASON
        ? `Give a reason of at least ${BREAK_GLASS_MIN_REASON} characters.`
        : null
  if (reason !== null && problem === null) return reason
  await deps.ctx.audit.append(
    studyAudit(actor, 'access.break-glass', { accession }, 'refused', {
      problem,
      reason: reason?.slice(0, 200) ?? null,
    }),
  )
  throw badRequest(problem ?? 'Invalid reason.', { reason: problem ?? 'invalid' })
}

/** A routine notice to every admin: the review queue has a new entry. */
function tellAdmins(deps: AccessRouteDeps, record: BreakGlassRecord): void {
  const admins = deps.ctx.registry
    .read()
    .users.filter((u) => !u.disabled && may(u, 'manageAccess'))
    .map((u) => u.id)
  const notice: Notice = {
    kind: 'access.break-glass',
    tier: 'routine',
    subject: { type: 'study', id: record.accession },
    by: record.user,
    at: new Date(record.at).toISOString(),
    text: `${record.user.name} broke the glass on study ${record.accession}: ${record.reason}`,
    details: { breakGlassId: record.id, expiresAt: new Date(record.expiresAt).toISOString() },
  }
  deps.ctx.hub.publishMany(admins, { type: 'notice', data: notice })
}
