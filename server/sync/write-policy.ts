/**
 * The server's ConnectionPolicy: who may write (the access policy, re-checked
 * on every write), what a write may contain (the form schemas), and how
 * refusals, protocol errors and storage failures are logged, counted and audited.
 */
import type { UserIdentity } from '../../shared/domain.ts'
import { PATIENT_FORM, REPORT_BODY_MAX_LENGTH, STUDY_FORM } from '../../shared/schema.ts'
import { docAccess } from '../access/policy.ts'
import type { AuditLog } from '../audit/types.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics.ts'
import type { RegistryStore } from '../storage/types.ts'
import type { ConnectionPolicy, WriteVerdict } from './connection.ts'
import { validateFieldsUpdate, validateReportUpdate } from './field-validator.ts'
import type { Room } from './room.ts'

export interface WritePolicyDeps {
  registry: RegistryStore
  audit: AuditLog
  clock: Clock
  logger: Logger
  metrics: Metrics
}

export function createWritePolicy(deps: WritePolicyDeps): ConnectionPolicy {
  const { registry, audit, clock, logger, metrics } = deps
  return {
    mayWrite: (identity: UserIdentity, room: Room) => {
      const access = docAccess(identity, room.docName, registry.read(), clock.now())
      return access.kind === 'allowed' && access.write
    },
    validate: validateFor,
    onRefused: (conn, reason, field) => {
      metrics.refusedWrites.inc()
      logger.warn('write refused', { doc: conn.room.name, user: conn.userId, reason, field })
      const { id, name } = conn.identity
      audit
        .append({
          actor: { id, name },
          action: 'sync.write-refused',
          subject: { type: 'document', id: conn.room.name },
          outcome: 'refused',
          source: { ip: 'sync', session: conn.sessionId },
          details: { reason, field: field ?? null },
        })
        .catch((error) => logger.error('refused write not audited', { error: String(error) }))
    },
    onProtocolError: (conn, error) => {
      metrics.protocolErrors.inc()
      logger.warn('protocol error', { doc: conn.room.name, user: conn.userId, error })
    },
    onStorageError: (conn, error) => {
      metrics.storageErrors.inc()
      logger.error('log append failed', { doc: conn.room.name, error: String(error) })
    },
    onMessage: (bytes) => {
      metrics.messagesIn.inc()
      metrics.bytesIn.inc(bytes)
    },
  }
}

/** Schema checks per document family; server-owned documents take no client writes at all. */
function validateFor(room: Room, update: Uint8Array): WriteVerdict {
  switch (room.docName.kind) {
    case 'study':
      return verdict(validateFieldsUpdate(room.doc, update, STUDY_FORM))
    case 'patient':
      return verdict(validateFieldsUpdate(room.doc, update, PATIENT_FORM))
    case 'studyReport':
      return verdict(validateReportUpdate(room.doc, update, REPORT_BODY_MAX_LENGTH))
    default:
      return { ok: false, reason: 'this document is written only by the server' }
  }
}

function verdict(
  result: { ok: true } | { ok: false; error: string; field?: string },
): WriteVerdict {
  return result.ok ? { ok: true } : { ok: false, reason: result.error, field: result.field }
}
