/** What the access, reference-number and audit routes share: who is calling, and audit entries about a study. */
import type { z } from 'zod'
import type { PersonRef, Privilege } from '../../shared/domain.ts'
import { may, ROLE_POLICY } from '../access/roles.ts'
import type { AuditEntryInput, AuditOutcome } from '../audit/types.ts'
import type { SessionService } from '../auth/sessions.ts'
import type { Config } from '../config.ts'
import type { Actor, DomainContext } from '../domain/context.ts'
import { gone, studyNotFound } from '../domain/errors.ts'
import type { StudyRecord } from '../registry/types.ts'
import { requireSession } from './auth.ts'
import { forbidden } from './errors.ts'
import { parseBody, readJson } from './request.ts'
import type { RequestContext } from './router.ts'
import { userActor } from './study-routes.ts'

export type UserActor = Actor & { kind: 'user' }

export interface AccessRouteDeps {
  ctx: DomainContext
  sessions: SessionService
  /** Re-checks open connections after a change (watcher.ts). */
  watcher: { changed(by: PersonRef | 'SYSTEM'): number }
  config: Pick<
    Config,
    | 'allowedOrigins'
    | 'breakGlassMs'
    | 'refNumberValidDays'
    | 'pinMaxAttempts'
    | 'sessionTtlMs'
    | 'limits'
  >
}

export function helpers(deps: Pick<AccessRouteDeps, 'ctx' | 'sessions' | 'config'>) {
  const { ctx, config } = deps
  /** A signed-in staff member: patient (scoped) sessions are refused here. */
  const staff = (rc: RequestContext): UserActor => {
    const session = requireSession(rc, deps.sessions, config.allowedOrigins)
    if (ROLE_POLICY[session.user.role].scoped) throw forbidden('Not available to patient sessions.')
    return userActor(session, rc)
  }
  /** A staff member holding `privilege` (directly or through their role). */
  const holding = (rc: RequestContext, privilege: Privilege, what: string): UserActor => {
    const actor = staff(rc)
    if (!may(actor.user, privilege)) throw forbidden(`${what} needs the ${privilege} privilege.`)
    return actor
  }
  return {
    staff,
    manager: (rc: RequestContext) => holding(rc, 'manageAccess', 'Managing access'),
    auditor: (rc: RequestContext) => holding(rc, 'readAudit', 'Reading the audit log'),
    body: async <T>(rc: RequestContext, schema: z.ZodType<T>) =>
      parseBody(schema, await readJson(rc.req, config.limits.maxBodyBytes)),
    now: () => ctx.clock.now(),
  }
}

/** An audit entry by a signed-in user about a study (so it shows on the study's timeline). */
export function studyAudit(
  actor: UserActor,
  action: string,
  study: { accession: string; patientId?: string },
  outcome: AuditOutcome,
  details: Record<string, unknown>,
): AuditEntryInput {
  return {
    actor: { id: actor.identity.id, name: actor.identity.name },
    action,
    subject: { type: 'study', id: study.accession },
    ...(study.patientId ? { patientId: study.patientId } : {}),
    outcome,
    source: { ip: actor.ip, session: actor.sessionId },
    details,
  }
}

/** The study, or the 404/410 that explains why not (call only after the permission check). */
export function activeStudy(study: StudyRecord | undefined, accession: string): StudyRecord {
  if (!study) throw studyNotFound(accession)
  if (study.lifecycle !== 'active')
    throw gone(`Study ${accession}`, study.lifecycle, study.mergedInto)
  return study
}

export function me(actor: UserActor): PersonRef {
  return { id: actor.identity.id, name: actor.identity.name }
}
