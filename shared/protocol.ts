/**
 * The wire contract shared by server and client: y-websocket message numbers
 * (kept untouched so any stock client interoperates), our own message numbers
 * in a high range no stock client sends, close codes, and document names.
 */

/** y-websocket message types. Never renumber: stock clients depend on them. */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/**
 * StudySync's own message types. They live at 100+ so they can never collide
 * with a future y-websocket type, and the server only sends them to clients
 * that asked for them (a stock client would log "unknown message type").
 */
export const CustomMessageType = {
  /** Server → client: the durable state vector after a group commit. */
  savedAck: 100,
} as const

/** Close codes (API.md). 4xxx mirror the HTTP status that means the same. */
export const CloseCode = {
  protocolError: 4400,
  notAuthenticated: 4401,
  forbidden: 4403,
  noSuchDocument: 4404,
  localCopyRefused: 4409,
  gone: 4410,
  messageTooLarge: 4413,
  tooManyMessages: 4429,
  shuttingDown: 4503,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Clients must not reconnect after these: retrying cannot succeed. */
export const PERMANENT_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.notAuthenticated,
  CloseCode.forbidden,
  CloseCode.noSuchDocument,
  CloseCode.gone,
])

/** JSON carried in the close reason of a 4410. */
export interface GoneReason {
  reason: 'deleted' | 'merged'
  by: { id: string; name: string } | 'SYSTEM'
  at: string
  mergedInto?: string
}

/** An accession number or patient id: validated once, then trusted. */
export type EntityId = string & { readonly __brand: 'EntityId' }

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function isEntityId(value: string): value is EntityId {
  return ID_PATTERN.test(value)
}

/** The document families of DESIGN §2, as a discriminated union. */
export type DocName =
  | { kind: 'study'; accession: EntityId }
  | { kind: 'studyReport'; accession: EntityId }
  | { kind: 'studyState'; accession: EntityId }
  | { kind: 'patient'; patientId: EntityId }
  | { kind: 'patientState'; patientId: EntityId }
  | { kind: 'worklist' }

/** Parses `study/<acc>`, `study/<acc>/report`, …; null for anything else. */
export function parseDocName(name: string): DocName | null {
  if (name === 'worklist') return { kind: 'worklist' }
  const parts = name.split('/')
  const [family, id, sub] = parts
  if (parts.length > 3 || id === undefined || !isEntityId(id)) return null
  if (family === 'study') {
    if (sub === undefined) return { kind: 'study', accession: id }
    if (sub === 'report') return { kind: 'studyReport', accession: id }
    if (sub === 'state') return { kind: 'studyState', accession: id }
    return null
  }
  if (family === 'patient') {
    if (sub === undefined) return { kind: 'patient', patientId: id }
    if (sub === 'state') return { kind: 'patientState', patientId: id }
  }
  return null
}

export function formatDocName(doc: DocName): string {
  switch (doc.kind) {
    case 'study':
      return `study/${doc.accession}`
    case 'studyReport':
      return `study/${doc.accession}/report`
    case 'studyState':
      return `study/${doc.accession}/state`
    case 'patient':
      return `patient/${doc.patientId}`
    case 'patientState':
      return `patient/${doc.patientId}/state`
    case 'worklist':
      return 'worklist'
  }
}

/** Documents only server code writes (DESIGN §2). */
export function isServerOwned(doc: DocName): boolean {
  return doc.kind === 'studyState' || doc.kind === 'patientState' || doc.kind === 'worklist'
}
