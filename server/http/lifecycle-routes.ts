/**
 * Merge, delete, grouping, images/SR and the HL7 inbound endpoint (API.md
 * "Studies, patients and worklist"): thin adapters over the domain commands.
 */
import { z } from 'zod'
import { isEntityId } from '../../shared/protocol.ts'
import type { AuthenticatedSession } from '../auth/sessions.ts'
import { SYSTEM_ROLES } from '../domain/command-support.ts'
import { type Actor, personOf } from '../domain/context.ts'
import { groupStudies } from '../domain/grouping.ts'
import { applyHl7, recordHl7Refusal, type SystemActor } from '../domain/hl7-apply.ts'
import { addImages, addSr, deleteImage, deleteSr } from '../domain/images.ts'
import { deletePatient, deleteStudy, mergePatient, mergeStudy } from '../domain/lifecycle.ts'
import { buildAck } from '../hl7/ack.ts'
import { parseHl7 } from '../hl7/parse.ts'
import { requireSession } from './auth.ts'
import { badRequest, forbidden, HttpError } from './errors.ts'
import { clientIp, parseBody, readJson, readText, sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'
import { type StudyRouteDeps, userActor } from './study-routes.ts'

/** The same dependencies as the study routes. */
export type LifecycleRouteDeps = StudyRouteDeps

/** One HL7 v2 message; anything bigger is not one message. */
export const HL7_MAX_BYTES = 1024 * 1024
export const HL7_CONTENT_TYPE = 'x-application/hl7-v2+er7'
const HL7_BODY_TYPES: ReadonlySet<string> = new Set(['text/plain', HL7_CONTENT_TYPE])

/** DICOM UIDs: digits and dots, at most 64 characters (PS3.5 §9.1). */
const SOP_INSTANCE_UID = /^[0-9.]{1,64}$/

const EntityIdSchema = z
  .string()
  .refine(isEntityId, 'must be an id: letters, digits, . _ - (at most 64)')
export const MergeBody = z.object({ into: EntityIdSchema })
export const GroupBody = z.object({
  accessions: z.array(z.string().min(1).max(64)).min(1).max(500),
  expectedRevs: z.record(z.string(), z.number().int().nonnegative()),
})
const Uid = z.string().regex(SOP_INSTANCE_UID, 'must be a DICOM UID: digits and dots, at most 64')
export const ImagesBody = z.object({ sopInstanceUids: z.array(Uid).min(1).max(1000) })
export const SrBody = z.object({ sopInstanceUid: Uid })

export function lifecycleRoutes(router: Router, deps: LifecycleRouteDeps): void {
  const { ctx } = deps
  const sessionOf = (rc: RequestContext) => requireSession(rc, deps.sessions, deps.allowedOrigins)
  const actorOf = (rc: RequestContext): Actor => userActor(sessionOf(rc), rc)
  /** The `system` service account acts as SYSTEM (on its own behalf); admins act as themselves. */
  const machineOf = (rc: RequestContext): Actor => {
    const session = sessionOf(rc)
    return session.user.role === 'system' ? systemActor(session, rc) : userActor(session, rc)
  }
  const body = async <T>(rc: RequestContext, schema: z.ZodType<T>) =>
    parseBody(schema, await readJson(rc.req, deps.maxBodyBytes))
  const param = (rc: RequestContext, name: string) => rc.params[name]!

  router.on('POST', '/api/v1/studies/:accession/merge', async (rc) => {
    const actor = actorOf(rc)
    const { into } = await body(rc, MergeBody)
    sendJson(rc.res, 200, await mergeStudy(ctx, actor, param(rc, 'accession'), into))
  })

  router.on('DELETE', '/api/v1/studies/:accession', async (rc) => {
    sendJson(rc.res, 200, await deleteStudy(ctx, actorOf(rc), param(rc, 'accession')))
  })

  router.on('POST', '/api/v1/patients/:patientId/merge', async (rc) => {
    const actor = actorOf(rc)
    const { into } = await body(rc, MergeBody)
    sendJson(rc.res, 200, await mergePatient(ctx, actor, param(rc, 'patientId'), into))
  })

  router.on('DELETE', '/api/v1/patients/:patientId', async (rc) => {
    sendJson(rc.res, 200, await deletePatient(ctx, actorOf(rc), param(rc, 'patientId')))
  })

  router.on('POST', '/api/v1/study-groups', async (rc) => {
    const actor = actorOf(rc)
    sendJson(rc.res, 200, await groupStudies(ctx, actor, await body(rc, GroupBody)))
  })

  router.on('POST', '/api/v1/studies/:accession/images', async (rc) => {
    const actor = machineOf(rc)
    const { sopInstanceUids } = await body(rc, ImagesBody)
    sendJson(rc.res, 200, await addImages(ctx, actor, param(rc, 'accession'), sopInstanceUids))
  })

  router.on('DELETE', '/api/v1/studies/:accession/images/:sopInstanceUid', async (rc) => {
    const actor = machineOf(rc)
    sendJson(rc.res, 200, await deleteImage(ctx, actor, param(rc, 'accession'), uidParam(rc)))
  })

  router.on('POST', '/api/v1/studies/:accession/sr', async (rc) => {
    const actor = machineOf(rc)
    const { sopInstanceUid } = await body(rc, SrBody)
    sendJson(rc.res, 200, await addSr(ctx, actor, param(rc, 'accession'), sopInstanceUid))
  })

  router.on('DELETE', '/api/v1/studies/:accession/sr/:sopInstanceUid', async (rc) => {
    const actor = machineOf(rc)
    sendJson(rc.res, 200, await deleteSr(ctx, actor, param(rc, 'accession'), uidParam(rc)))
  })

  router.on('POST', '/api/v1/hl7', async (rc) => {
    const session = sessionOf(rc)
    if (!SYSTEM_ROLES.has(session.user.role))
      throw forbidden('Only integrations and admins may send HL7.')
    const type = (rc.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (!HL7_BODY_TYPES.has(type)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `Send one HL7 v2 message as text/plain or ${HL7_CONTENT_TYPE}.`,
      )
    }
    const text = await readText(rc.req, HL7_MAX_BYTES)
    const ack = await acknowledge(deps, systemActor(session, rc), text)
    rc.res.writeHead(200, { 'content-type': HL7_CONTENT_TYPE, 'cache-control': 'no-store' })
    rc.res.end(ack)
  })
}

/** Parses, applies and answers: AA, or AE/AR with the reason; a refused message changes nothing. */
async function acknowledge(
  deps: LifecycleRouteDeps,
  actor: SystemActor,
  text: string,
): Promise<string> {
  const { ctx } = deps
  const parsed = parseHl7(text)
  const now = () => new Date(ctx.clock.now())
  if (!parsed.ok) {
    await recordHl7Refusal(ctx, actor, parsed.header, parsed.code, parsed.reason)
    return buildAck(parsed.header, parsed.code, parsed.reason, now(), { error: parsed.error })
  }
  try {
    const outcome = await applyHl7(ctx, actor, parsed.command, parsed.header)
    if (outcome.code === 'AA') return buildAck(parsed.header, 'AA', outcome.text, now())
    return buildAck(parsed.header, 'AE', outcome.text, now(), { error: outcome.error })
  } catch (error) {
    // The sender must still get an answer it understands; the log says what broke.
    ctx.logger.error('hl7 apply failed', {
      controlId: parsed.header.controlId,
      error: String(error),
    })
    return buildAck(parsed.header, 'AE', 'internal error while applying the message', now(), {
      error: { condition: '207' },
    })
  }
}

function systemActor(session: AuthenticatedSession, rc: RequestContext): SystemActor {
  return {
    kind: 'system',
    ip: clientIp(rc.req),
    sessionId: session.sessionId,
    onBehalfOf: personOf(session.user),
  }
}

function uidParam(rc: RequestContext): string {
  const uid = rc.params.sopInstanceUid!
  if (!SOP_INSTANCE_UID.test(uid))
    throw badRequest('Not a DICOM UID.', { sopInstanceUid: 'digits and dots, at most 64' })
  return uid
}
