import type { GoneReason } from '../../shared/protocol.ts'
import type { UnsavedEdits } from './unsaved-edits.ts'

/** The connection's life as a tagged union (STYLE 9): exactly one at a time. */
export type ConnectionStatus =
  /** A socket is being opened (first connect, or a retry whose delay elapsed). */
  | { readonly kind: 'connecting' }
  /** The socket is open; `synced` says whether the first sync round trip finished. */
  | { readonly kind: 'online'; readonly synced: boolean }
  /** The socket dropped; the next attempt starts in `retryInMs`. */
  | { readonly kind: 'reconnecting'; readonly attempt: number; readonly retryInMs: number }
  /** The browser reports no network; we wait for its `online` event. */
  | { readonly kind: 'offline' }
  /** The server said retrying cannot succeed (4401/4403/4404/4410). Final. */
  | ClosedStatus

export interface ClosedStatus {
  readonly kind: 'closed'
  readonly code: number
  readonly reason: string
  readonly permanent: true
  /** Present for 4410 when the close reason parsed as a GoneReason. */
  readonly gone?: GoneReason
}

/** Payload of the `refused` event (close code 4409). */
export interface RefusedEvent {
  readonly code: number
  readonly reason: string
  /**
   * The whole local document as a Yjs update, taken just before the local copy was
   * dropped. Nothing else holds the refused edits any more: persist it (quarantine)
   * if it must survive a reload.
   */
  readonly localUpdate: Uint8Array
  /** Of that, what the server never acknowledged (quarantined when not empty). */
  readonly unsaved: UnsavedEdits
}

/**
 * Parses a 4410 close reason. Returns undefined rather than throwing: a malformed
 * reason must not stop the client from treating the close as permanent.
 */
export function parseGoneReason(text: string): GoneReason | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  const { reason, by, at, mergedInto } = value
  if (reason !== 'deleted' && reason !== 'merged') return undefined
  if (typeof at !== 'string') return undefined
  if (mergedInto !== undefined && typeof mergedInto !== 'string') return undefined
  if (by !== 'SYSTEM' && !isPersonRef(by)) return undefined
  // Rebuilt field by field so that nothing the server did not promise leaks through.
  const person = by === 'SYSTEM' ? by : { id: by.id, name: by.name }
  return mergedInto === undefined
    ? { reason, by: person, at }
    : { reason, by: person, at, mergedInto }
}

function isPersonRef(value: unknown): value is { id: string; name: string } {
  return isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
