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
    // One entry per deletion or merge of a document, whoever notices it first (the
    // document's own 4410, or the feed's forced-close): the second write replaces it.
    id:
      why.gone === undefined
        ? `${now.getTime().toString(36)}-${crypto.randomUUID()}`
        : `${docName}@${why.gone.at}`,
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
