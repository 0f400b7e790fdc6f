/**
 * Patient reference numbers and the patient login (S32): regenerate, withdraw,
 * set a PIN (stored scrypt-hashed, never returned or audited), and
 * `POST /api/v1/patient-session`, which counts failed PINs and locks a number
 * out after `pinMaxAttempts`. Every attempt is audited with its outcome.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { referenceNumberView } from '../access/access-view.ts'
import { findStudy, PATIENT_ID_PREFIX, referenceUsable } from '../access/policy.ts'
import {
  generateReferenceNumber,
  maskReferenceNumber,
  normalizeReferenceNumber,
  pinProblem,
} from '../access/reference-numbers.ts'
import type { AuditEntryInput } from '../audit/types.ts'
import { hashPassword, verifyPassword } from '../auth/passwords.ts'
import { patientUser } from '../auth/sessions.ts'
import type { ReferenceNumberRecord, RegistryData } from '../registry/types.ts'
import { type AccessRouteDeps, activeStudy, helpers, me, studyAudit } from './access-support.ts'
import { badRequest, HttpError, notFound } from './errors.ts'
import { clientIp, parseBody, readJson, sendJson } from './request.ts'
import type { RequestContext, Router } from './router.ts'
import { requestIsTls, sessionCookie } from './security.ts'

const DAY_MS = 86_400_000

export const PinBody = z.object({ pin: z.string().max(64) })
export const PatientSessionBody = z.object({
  referenceNumber: z.string().min(1).max(64),
  pin: z.string().max(64).optional(),
})

export function referenceRoutes(router: Router, deps: AccessRouteDeps): void {
  const { ctx } = deps
  const h = helpers(deps)

  router.on('POST', '/api/v1/studies/:accession/reference-numbers/regenerate', async (rc) => {
    const actor = h.manager(rc)
    const accession = rc.params.accession!
    const now = h.now()
    const { created, withdrawn, patientId } = await ctx.registry.update((data) => {
      const study = activeStudy(findStudy(data, accession), accession)
      const withdrawn: string[] = []
      for (const r of data.referenceNumbers) {
        if (r.accession !== accession || r.withdrawnAt !== null) continue
        r.withdrawnAt = now
        withdrawn.push(r.id)
      }
      const created: ReferenceNumberRecord = {
        id: `ref-${randomUUID()}`,
        accession,
        number: uniqueNumber(data, study.modality),
        validFrom: now,
        validTo: now + deps.config.refNumberValidDays * DAY_MS,
        pinHash: null,
        failedAttempts: 0,
        lockedOut: false,
        compliant: true,
        createdAt: now,
        withdrawnAt: null,
      }
      data.referenceNumbers.push(created)
      return { created: structuredClone(created), withdrawn, patientId: study.patientId }
    })
    await ctx.audit.append(
      studyAudit(actor, 'access.reference-number.regenerate', { accession, patientId }, 'success', {
        referenceNumberId: created.id,
        number: maskReferenceNumber(created.number),
        validTo: new Date(created.validTo).toISOString(),
        withdrawn,
      }),
    )
    deps.watcher.changed(me(actor))
    sendJson(rc.res, 201, { referenceNumber: referenceNumberView(created, now), withdrawn })
  })

  router.on('DELETE', '/api/v1/studies/:accession/reference-numbers/:id', async (rc) => {
    const actor = h.manager(rc)
    const now = h.now()
    const ref = await ctx.registry.update((data) => {
      const ref = activeReference(data, rc)
      ref.withdrawnAt = now
      return structuredClone(ref)
    })
    await ctx.audit.append(refAudit(deps, actor, 'access.reference-number.withdraw', ref, {}))
    deps.watcher.changed(me(actor))
    sendJson(rc.res, 200, {
      referenceNumber: referenceNumberView(ref, now),
      withdrawnAt: new Date(now).toISOString(),
    })
  })

  router.on('PUT', '/api/v1/studies/:accession/reference-numbers/:id/pin', async (rc) => {
    const actor = h.manager(rc)
    const { pin } = await h.body(rc, PinBody)
    const current = activeReference(ctx.registry.read(), rc)
    const problem = pinProblem(pin)
    if (problem) {
      await ctx.audit.append(
        refAudit(deps, actor, 'access.reference-number.pin-set', current, { problem }, 'refused'),
      )
      throw badRequest(problem, { pin: problem })
    }
    if (!current.compliant)
      throw new HttpError(409, 'conflict', 'This number is not compliant and cannot be used.')
    const pinHash = hashPassword(pin)
    const ref = await ctx.registry.update((data) => {
      const ref = activeReference(data, rc)
      ref.pinHash = pinHash
      ref.failedAttempts = 0
      ref.lockedOut = false
      return structuredClone(ref)
    })
    await ctx.audit.append(
      refAudit(deps, actor, 'access.reference-number.pin-set', ref, {
        unlocked: current.lockedOut,
      }),
    )
    sendJson(rc.res, 200, { referenceNumber: referenceNumberView(ref, h.now()) })
  })

  router.on('POST', '/api/v1/patient-session', (rc) => patientLogin(rc, deps))
}

/** Status, error code, message, and the reason the audit entry records. */
type Refusal = readonly [status: number, code: string, message: string, reason: string]

const UNKNOWN: Refusal = [
  401,
  'invalid_credentials',
  'Unknown reference number or wrong PIN.',
  'unknown-number',
]
const LOCKED: Refusal = [
  423,
  'locked_out',
  'Too many wrong PINs: this reference number is locked.',
  'locked-out',
]

/** Why this number cannot open a session now, before any PIN is checked; null when it may try. */
function refusalOf(
  ref: ReferenceNumberRecord | undefined,
  now: number,
  pin: string | undefined,
): Refusal | null {
  const unusable = (message: string, reason: string): Refusal => [
    403,
    'reference_unusable',
    message,
    reason,
  ]
  if (!ref) return UNKNOWN
  if (ref.withdrawnAt !== null) return unusable('This reference number was withdrawn.', 'withdrawn')
  if (!ref.compliant)
    return unusable(
      'This reference number does not meet the department’s rules and cannot be used.',
      'not-compliant',
    )
  if (!referenceUsable(ref, now))
    return unusable('This reference number is not valid at this time.', 'outside-validity')
  if (ref.lockedOut) return LOCKED
  // A missing PIN is not a guess: it is not counted against the number.
  if (ref.pinHash !== null && pin === undefined)
    return [401, 'pin_required', 'This reference number needs its PIN.', 'pin-required']
  return null
}

async function patientLogin(rc: RequestContext, deps: AccessRouteDeps): Promise<void> {
  const { ctx, config } = deps
  const body = parseBody(PatientSessionBody, await readJson(rc.req, config.limits.maxBodyBytes))
  const number = normalizeReferenceNumber(body.referenceNumber)
  const ip = clientIp(rc.req)
  const now = ctx.clock.now()
  const ref = ctx.registry.read().referenceNumbers.find((r) => r.number === number)
  const fail = async (
    status: number,
    code: string,
    message: string,
    reason: string,
  ): Promise<never> => {
    await ctx.audit.append(
      attempt(deps, ip, ref, 'failure', { reason, number: maskReferenceNumber(number) }),
    )
    throw new HttpError(status, code, message)
  }
  const refusal = refusalOf(ref, now, body.pin)
  if (refusal || !ref) return fail(...(refusal ?? UNKNOWN))
  if (ref.pinHash !== null && !verifyPassword(body.pin ?? '', ref.pinHash)) {
    const counted = await countFailure(deps, ref.id)
    await ctx.audit.append(attempt(deps, ip, ref, 'failure', { reason: 'wrong-pin', ...counted }))
    if (counted.lockedOut && counted.failedAttempts > config.pinMaxAttempts)
      throw new HttpError(LOCKED[0], LOCKED[1], LOCKED[2])
    throw new HttpError(
      401,
      'invalid_credentials',
      'Unknown reference number or wrong PIN.',
      undefined,
      {
        attemptsLeft: Math.max(0, config.pinMaxAttempts - counted.failedAttempts),
      },
    )
  }
  // A lockout that raced in while the PIN was being checked still wins.
  const lockedMeanwhile = await ctx.registry.update((data) => {
    const r = data.referenceNumbers.find((x) => x.id === ref.id)
    if (!r || r.lockedOut) return true
    r.failedAttempts = 0
    return false
  })
  if (lockedMeanwhile) return fail(...LOCKED)
  const user = patientUser(`${PATIENT_ID_PREFIX}${ref.id}`)
  const { token, session } = await deps.sessions.create(user, ip, { accession: ref.accession })
  await ctx.audit.append({
    ...attempt(deps, ip, ref, 'success', { referenceNumberId: ref.id }),
    source: { ip, session: session.id },
  })
  const secure = requestIsTls(rc.req) // behind a TLS-terminating proxy too
  rc.res.setHeader('set-cookie', sessionCookie(token, secure, config.sessionTtlMs / 1000))
  sendJson(rc.res, 200, { token, accession: ref.accession, readOnly: true })
}

/** One more failed PIN; locks the number at the configured maximum. */
async function countFailure(
  deps: AccessRouteDeps,
  refId: string,
): Promise<{ failedAttempts: number; lockedOut: boolean }> {
  return deps.ctx.registry.update((data) => {
    const r = data.referenceNumbers.find((x) => x.id === refId)!
    r.failedAttempts += 1
    if (r.failedAttempts >= deps.config.pinMaxAttempts) r.lockedOut = true
    return { failedAttempts: r.failedAttempts, lockedOut: r.lockedOut }
  })
}

/** A patient-session attempt: by the number's patient when the number is known. */
function attempt(
  deps: AccessRouteDeps,
  ip: string,
  ref: ReferenceNumberRecord | undefined,
  outcome: 'success' | 'failure',
  details: Record<string, unknown>,
): AuditEntryInput {
  const patientId = ref ? findStudy(deps.ctx.registry.read(), ref.accession)?.patientId : undefined
  return {
    actor: ref
      ? { id: `${PATIENT_ID_PREFIX}${ref.id}`, name: 'PATIENT' }
      : { id: 'anonymous', name: 'ANONYMOUS' },
    action: `patient-session.${outcome}`,
    subject: ref
      ? { type: 'study', id: ref.accession }
      : { type: 'session', id: 'patient-session' },
    ...(patientId ? { patientId } : {}),
    outcome,
    source: { ip, session: null },
    details: { ...(ref ? { referenceNumberId: ref.id } : {}), ...details },
  }
}

function refAudit(
  deps: AccessRouteDeps,
  actor: Parameters<typeof studyAudit>[0],
  action: string,
  ref: ReferenceNumberRecord,
  details: Record<string, unknown>,
  outcome: 'success' | 'refused' = 'success',
): AuditEntryInput {
  const patientId = findStudy(deps.ctx.registry.read(), ref.accession)?.patientId
  return studyAudit(actor, action, { accession: ref.accession, patientId }, outcome, {
    referenceNumberId: ref.id,
    number: maskReferenceNumber(ref.number),
    ...details,
  })
}

/** The route's reference number, active and on the route's study; 404 otherwise. */
function activeReference(data: RegistryData, rc: RequestContext): ReferenceNumberRecord {
  const ref = data.referenceNumbers.find(
    (r) => r.id === rc.params.id && r.accession === rc.params.accession && r.withdrawnAt === null,
  )
  if (!ref) throw notFound('There is no such reference number on this study.')
  return ref
}

function uniqueNumber(data: RegistryData, modality: string): string {
  for (;;) {
    const number = generateReferenceNumber(modality)
    if (!data.referenceNumbers.some((r) => r.number === number)) return number
  }
}
