/**
 * What every stored document must look like whatever clients sent (API.md "Sync"):
 * a form holds only its schema's keys with valid values, texts hold only strings
 * within their length, a report only its body, and presence names only the real
 * user behind each connection (S5). Used by the fuzzers after every accepted message.
 */
import * as Y from 'yjs'
import type { Room } from '../../server/sync/room.ts'
import { type DocName, parseDocName } from '../../shared/protocol.ts'
import {
  checkFieldValue,
  type FormSchema,
  PATIENT_FORM,
  REPORT_BODY_MAX_LENGTH,
  STUDY_FORM,
} from '../../shared/schema.ts'

/** Every way `doc` breaks its family's schema (empty when it holds). */
export function schemaViolations(docName: string, doc: Y.Doc): string[] {
  const name = parseDocName(docName) as DocName
  switch (name.kind) {
    case 'study':
      return formViolations(doc, STUDY_FORM)
    case 'patient':
      return formViolations(doc, PATIENT_FORM)
    case 'studyReport':
      return [
        ...rootsBeyond(doc, ['body']),
        ...textViolations('body', doc.getText('body'), REPORT_BODY_MAX_LENGTH),
      ]
    default:
      return [] // server-owned: clients never write them (checked as "unchanged")
  }
}

function formViolations(doc: Y.Doc, schema: FormSchema): string[] {
  const out = rootsBeyond(doc, ['fields'])
  const fields = doc.getMap<unknown>('fields')
  for (const [key, value] of fields.entries()) {
    const spec = schema[key]
    if (!spec) out.push(`unknown field ${JSON.stringify(key)}`)
    else if (spec.kind === 'text') {
      if (value instanceof Y.Text) out.push(...textViolations(key, value, spec.maxLength))
      else out.push(`${key} is not a Y.Text`)
    } else if (value instanceof Y.AbstractType) out.push(`${key} holds a shared type`)
    else {
      const problem = checkFieldValue(spec, value)
      if (problem) out.push(`${key} ${problem}: ${JSON.stringify(value).slice(0, 80)}`)
    }
  }
  return out
}

function textViolations(key: string, text: Y.Text, maxLength: number): string[] {
  const out: string[] = []
  if (text.length > maxLength) out.push(`${key} is ${text.length} long (max ${maxLength})`)
  for (const op of text.toDelta() as { insert: unknown }[]) {
    if (typeof op.insert !== 'string') out.push(`${key} holds an embed`)
  }
  return out
}

/** Root types other than `allowed` that hold content. */
function rootsBeyond(doc: Y.Doc, allowed: string[]): string[] {
  const out: string[] = []
  for (const [name, type] of doc.share) {
    if (!allowed.includes(name) && type._start !== null) out.push(`root ${name} holds content`)
    if (!allowed.includes(name) && type._map.size > 0) out.push(`root ${name} holds keys`)
  }
  return out
}

/**
 * The document's state must load into a fresh Y.Doc: that is what a restart (the
 * snapshot) and every newly connecting client (the sync step 2) do with it.
 */
export function reloadViolations(doc: Y.Doc): string[] {
  try {
    const fresh = new Y.Doc()
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc))
    fresh.destroy()
    return []
  } catch (error) {
    return [`its state no longer loads into a fresh document: ${String(error)}`]
  }
}

/** Presence in `room` that does not belong to, or does not name, its connection's user. */
export function presenceViolations(room: Room, maxIdsPerConnection: number): string[] {
  const out: string[] = []
  for (const [clientId, state] of room.awareness.getStates()) {
    const owner = room.awarenessOwners.get(clientId)
    if (!owner) {
      out.push(`awareness id ${clientId} has no owning connection`)
      continue
    }
    const user = (state as { user?: { id?: unknown } }).user
    if (user?.id !== owner.userId) {
      out.push(`awareness id ${clientId} shows ${JSON.stringify(user)} for ${owner.userId}`)
    }
  }
  for (const member of room.members) {
    if (member.awarenessIds.size > maxIdsPerConnection) {
      out.push(`${member.userId} holds ${member.awarenessIds.size} awareness ids`)
    }
  }
  return out
}
