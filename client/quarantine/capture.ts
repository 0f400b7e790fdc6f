import { toBase64 } from 'lib0/buffer'
import { parseDocName } from '../../shared/protocol.ts'
import type { UnsavedEdits } from '../connection/unsaved-edits.ts'
import type { QuarantineEntry, RefusalReason } from './types.ts'

/** The quarantine entry for a document copy the server refused. */
export function quarantineEntry(
  userId: string,
  docName: string,
  unsaved: UnsavedEdits,
  why: RefusalReason,
  now: Date = new Date(),
): QuarantineEntry {
  return {
    id: `${now.getTime().toString(36)}-${crypto.randomUUID()}`,
    userId,
    docName,
    subject: subjectOf(docName),
    at: now.toISOString(),
    why,
    count: unsaved.count,
    values: unsaved.values,
    update: toBase64(unsaved.update),
  }
}

function subjectOf(docName: string): QuarantineEntry['subject'] {
  const doc = parseDocName(docName)
  if (doc === null || doc.kind === 'worklist') return null
  return 'accession' in doc
    ? { type: 'study', id: doc.accession }
    : { type: 'patient', id: doc.patientId }
}
