/** The client connection layer: documents, their connection status, local storage. */
export {
  type BackoffPolicy,
  backoffCeiling,
  DEFAULT_BACKOFF,
  jitteredBackoff,
  type RandomSource,
} from './backoff.ts'
export { browserNetwork, browserTimers, type Network, type Timers } from './environment.ts'
export {
  type DocumentEvents,
  type DocumentHandle,
  DocumentUnavailableError,
  defaultSyncUrl,
  type OpenDocumentOptions,
  openDocument,
  type QuarantineSink,
  type ReplicaView,
  type SavedEvent,
} from './open-document.ts'
export type { PendingEdit, SavedSnapshot } from './saved-tracker.ts'
export {
  type ClosedStatus,
  type ConnectionStatus,
  parseGoneReason,
  type RefusedEvent,
} from './status.ts'
export {
  documentDatabaseName,
  userDatabasePrefix,
  type WipeResult,
  wipeUserDocuments,
} from './storage.ts'
export type { UnsavedEdits } from './unsaved-edits.ts'
