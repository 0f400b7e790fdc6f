/**
 * The exam Access tab's API (API.md "Access and audit", seed 002): the access
 * list, per-study grants (S30), break-the-glass and its review queue (S31) and
 * bucket revocation. Reference numbers and patient sessions are in
 * reference-routes.ts. Every change is audited and re-checks open connections.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { isEntityId } from '../../shared/protocol.ts'
import { bucketView, grantView, studyAccessView } from '../access/access-view.ts'
import { docAccess, findStudy } from '../access/policy.ts'
import { may, ROLE_POLICY } from '../access/roles.ts'
import { identityOf } from '../auth/sessions.ts'
import type { AccessGrant, RegistryData } from '../registry/types.ts'
import {
  type AccessRouteDeps,
  activeStudy,
  helpers,
  me,
  studyAudit,
  type UserActor,
} from './access-support.ts'
import { breakGlassRoutes } from './break-glass-routes.ts'
import { badRequest, forbidden, notFound } from './errors.ts'
import { referenceRoutes } from './reference-routes.ts'
import { sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'

const Id = z.string().min(1).max(64)

export const GrantBody = z.object({
  userId: Id.optional(),
  groupId: Id.optional(),
  type: z.enum(['view', 'edit', 'report']),
  /** ISO timestamp in the future, or null for no end. */
  validUntil: z.string().max(64).nullable().default(null),
})

export function accessRoutes(router: Router, deps: AccessRouteDeps): void {
  const { ctx } = deps
  const h = helpers(deps)

  router.on('GET', '/api/v1/studies/:accession/access', async (rc) => {
    const actor = h.staff(rc)
    const accession = rc.params.accession!
    const data = ctx.registry.read()
    const now = h.now()
    const manager = may(actor.user, 'manageAccess')
    const doc = { kind: 'study', accession: accession as never } as const
    // Permission before existence: only managers learn about studies they cannot open.
    if (!manager && docAccess(actor.identity, doc, data, now).kind === 'forbidden')
      throw forbidden('You have no access to this study.')
    const study = findStudy(data, accession)
    if (!manager || !study) activeStudy(study, accession)
    await ctx.audit.append(
      studyAudit(actor, 'access.read', { accession, patientId: study?.patientId }, 'success', {}),
    )
    sendJson(rc.res, 200, studyAccessView(data, accession, now))
  })

  router.on('POST', '/api/v1/studies/:accession/access/grants', async (rc) => {
    const actor = h.manager(rc)
    const body = await h.body(rc, GrantBody)
    const request = checkGrantRequest(ctx.registry.read(), body, h.now())
    const accession = rc.params.accession!
    const grant = await ctx.registry.update((data) => {
      activeStudy(findStudy(data, accession), accession)
      const grant: AccessGrant = {
        id: `grant-${randomUUID()}`,
        accession,
        ...request,
        grantedBy: me(actor),
        grantedAt: h.now(),
        revokedAt: null,
        revokedBy: null,
      }
      data.grants.push(grant)
      return structuredClone(grant)
    })
    await recordGrant(deps, actor, 'access.grant', grant)
    tellGrantees(deps, grant, 'added')
    deps.watcher.changed(me(actor))
    sendJson(rc.res, 201, { grant: grantView(ctx.registry.read(), grant) })
  })

  router.on('DELETE', '/api/v1/studies/:accession/access/grants/:grantId', async (rc) => {
    const actor = h.manager(rc)
    const { accession, grantId } = rc.params
    const now = h.now()
    const grant = await ctx.registry.update((data) => {
      // Another study's grant id, a revoked one or garbage: all simply not found here.
      const grant = data.grants.find(
        (g) => g.id === grantId && g.accession === accession && g.revokedAt === null,
      )
      if (!grant) throw notFound('There is no such grant on this study.')
      grant.revokedAt = now
      grant.revokedBy = me(actor)
      return structuredClone(grant)
    })
    await recordGrant(deps, actor, 'access.revoke', grant)
    tellGrantees(deps, grant, 'removed')
    deps.watcher.changed(me(actor))
    sendJson(rc.res, 200, {
      grant: grantView(ctx.registry.read(), grant),
      revokedAt: new Date(now).toISOString(),
    })
  })

  bucketRoutes(router, deps)
  breakGlassRoutes(router, deps)
  referenceRoutes(router, deps)
}

/** Exactly one of userId and groupId, naming someone who exists; validUntil in the future. */
function checkGrantRequest(
  data: RegistryData,
  body: z.infer<typeof GrantBody>,
  now: number,
): Pick<AccessGrant, 'userId' | 'groupId' | 'type' | 'validUntil'> {
  if ((body.userId === undefined) === (body.groupId === undefined))
    throw badRequest('Give either userId or groupId.', { userId: 'exactly one of userId, groupId' })
  if (body.userId !== undefined) {
    const user = data.users.find((u) => u.id === body.userId && !u.disabled)
    if (!user || ROLE_POLICY[user.role].scoped)
      throw badRequest('No such user.', { userId: `unknown user ${body.userId}` })
  }
  if (body.groupId !== undefined && !data.groups.some((g) => g.id === body.groupId))
    throw badRequest('No such group.', { groupId: `unknown group ${body.groupId}` })
  const validUntil = body.validUntil === null ? null : Date.parse(body.validUntil)
  if (validUntil !== null && (Number.isNaN(validUntil) || validUntil <= now))
    throw badRequest('validUntil must be a future time (ISO 8601) or null.', {
      validUntil: 'not a future ISO 8601 time',
    })
  return {
    userId: body.userId ?? null,
    groupId: body.groupId ?? null,
    type: body.type,
    validUntil,
  }
}

async function recordGrant(
  deps: AccessRouteDeps,
  actor: UserActor,
  action: string,
  grant: AccessGrant,
): Promise<void> {
  const study = findStudy(deps.ctx.registry.read(), grant.accession)
  await deps.ctx.audit.append(
    studyAudit(
      actor,
      action,
      { accession: grant.accession, patientId: study?.patientId },
      'success',
      {
        grantId: grant.id,
        userId: grant.userId,
        groupId: grant.groupId,
        type: grant.type,
        validUntil: grant.validUntil === null ? null : new Date(grant.validUntil).toISOString(),
      },
    ),
  )
}

/** The grantees whose worklist gained or lost the row (a group grant: its members), as it stands now. */
function tellGrantees(deps: AccessRouteDeps, grant: AccessGrant, change: 'added' | 'removed') {
  const data = deps.ctx.registry.read()
  const now = deps.ctx.clock.now()
  const ids = grant.userId
    ? [grant.userId]
    : (data.groups.find((g) => g.id === grant.groupId)?.members ?? [])
  const doc = { kind: 'study', accession: grant.accession as never } as const
  const affected = data.users
    .filter((u) => ids.includes(u.id))
    .filter(
      (u) => (docAccess(identityOf(u), doc, data, now).kind === 'allowed') === (change === 'added'),
    )
    .map((u) => u.id)
  deps.ctx.hub.publishMany(affected, {
    type: 'worklist',
    data: { accession: grant.accession, change },
  })
}

function bucketRoutes(router: Router, deps: AccessRouteDeps): void {
  const { ctx } = deps
  const h = helpers(deps)
  const revoke = async (
    rc: RequestContext,
    change: (bucket: RegistryData['buckets'][number]) => string[],
    action: string,
  ) => {
    const actor = h.manager(rc)
    const id = rc.params.id!
    const { bucket, affected } = await ctx.registry.update((data) => {
      const bucket = data.buckets.find((b) => b.id === id && b.revokedAt === null)
      if (!bucket) throw notFound('There is no such bucket.')
      const affected = change(bucket)
      return { bucket: structuredClone(bucket), affected }
    })
    const data = ctx.registry.read()
    for (const accession of affected) {
      const patientId = findStudy(data, accession)?.patientId
      await ctx.audit.append(
        studyAudit(actor, action, { accession, patientId }, 'success', {
          bucketId: bucket.id,
          bucket: bucket.name,
        }),
      )
    }
    deps.watcher.changed(me(actor))
    sendJson(rc.res, 200, { bucket: bucketView(data, bucket), revoked: bucket.revokedAt !== null })
  }

  router.on('DELETE', '/api/v1/buckets/:id', (rc) =>
    revoke(
      rc,
      (bucket) => {
        bucket.revokedAt = h.now()
        return [...bucket.accessions]
      },
      'access.bucket.revoke',
    ),
  )

  router.on('DELETE', '/api/v1/buckets/:id/studies/:accession', (rc) =>
    revoke(
      rc,
      (bucket) => {
        const accession = rc.params.accession!
        if (!isEntityId(accession) || !bucket.accessions.includes(accession))
          throw notFound('That study is not in this bucket.')
        bucket.accessions = bucket.accessions.filter((a) => a !== accession)
        return [accession]
      },
      'access.bucket.remove-study',
    ),
  )
}
