import type { GoneReason } from '../../shared/protocol.ts'

/** Why the server would not take a document's local copy. */
export interface RefusalReason {
  /** Close code: 4409 refused, 4410 gone, 4403 forbidden, 4404 no such document. */
  readonly code: number
  readonly reason: string
  /** For 4410: deleted or merged, by whom, when (and into what). */
  readonly gone?: GoneReason
}

/**
 * Local edits the server refused or can no longer take, kept for the user to see
 * and export (DESIGN §2, S27). One entry per refused document copy.
 */
export interface QuarantineEntry {
  readonly id: string
  readonly userId: string
  /** e.g. `study/A10005`, `study/A10005/report`, `patient/P1001`. */
  readonly docName: string
  readonly subject: { readonly type: 'study' | 'patient'; readonly id: string } | null
  /** When it was quarantined (ISO 8601). */
  readonly at: string
  readonly why: RefusalReason
  /** How many local edits (transactions) were never acknowledged. */
  readonly count: number
  /** For humans: each touched field or text with its value on this device. */
  readonly values: readonly { readonly path: string; readonly value: string }[]
  /** The same edits as a Yjs update (base64), relative to the last acknowledged state. */
  readonly update: string
}
