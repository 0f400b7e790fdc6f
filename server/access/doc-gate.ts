/** What the sync upgrade asks before any document work: may this user open it, and if it is gone, why. */
import type { UserIdentity } from '../../shared/domain.ts'
import { type GoneReason, parseDocName } from '../../shared/protocol.ts'
import { studyByAccession } from '../registry/lookup.ts'
import type { RegistryData } from '../registry/types.ts'
import { type DocAccess, docAccess } from './policy.ts'

export function accessToDocument(
  identity: UserIdentity,
  name: string,
  data: RegistryData,
  now: number,
): DocAccess {
  const doc = parseDocName(name)
  return doc ? docAccess(identity, doc, data, now) : { kind: 'missing' }
}

/** The JSON of a 4410 close: deleted or merged, by whom, when, and into what. */
export function goneReasonOf(
  name: string,
  access: DocAccess & { kind: 'gone' },
  data: RegistryData,
  now: number,
): GoneReason {
  const doc = parseDocName(name)
  const record =
    doc && 'accession' in doc
      ? studyByAccession(data, doc.accession)
      : data.patients.find((p) => doc && 'patientId' in doc && p.id === doc.patientId)
  const by = record?.updatedBy ? record.updatedBy : 'SYSTEM'
  const at = record?.updatedAt ? record.updatedAt : now
  return {
    reason: access.lifecycle,
    by,
    at: new Date(at).toISOString(),
    ...(access.mergedInto ? { mergedInto: access.mergedInto } : {}),
  }
}
