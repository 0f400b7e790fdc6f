import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { parseSavedSnapshot, SAVED_STORAGE_KEY } from '../connection/saved-acks.ts'
import { SavedTracker } from '../connection/saved-tracker.ts'
import { deleteDatabase, documentDatabaseName } from '../connection/storage.ts'
import { captureUnsaved } from '../connection/unsaved-edits.ts'
import { quarantineEntry } from './capture.ts'
import { QuarantineStore } from './store.ts'
import type { RefusalReason } from './types.ts'

export type GoneSubject = { readonly type: 'study' | 'patient'; readonly id: string }

/** Every document of a study or patient that a device may hold a copy of. */
export function documentsOf(subject: GoneSubject): string[] {
  const base = `${subject.type}/${subject.id}`
  return subject.type === 'study'
    ? [base, `${base}/report`, `${base}/state`]
    : [base, `${base}/state`]
}

/**
 * A study or patient was deleted or merged (the feed said so): purge this user's
 * local copies of its documents, quarantining what they hold unsaved first. The open
 * form usually does this itself on its 4410, but the feed may tell first and the form
 * may already be gone; and a copy whose form is closed would otherwise linger (S27).
 * A copy that is still open is deleted as soon as its handle closes.
 */
export async function purgeGoneSubject(
  userId: string,
  subject: GoneSubject,
  why: RefusalReason,
  factory: IDBFactory = indexedDB,
): Promise<void> {
  const present = new Set((await factory.databases()).map((info) => info.name))
  for (const docName of documentsOf(subject)) {
    const name = documentDatabaseName(userId, docName)
    if (!present.has(name)) continue
    await quarantineCopy(userId, docName, name, why).catch((error: unknown) =>
      console.error(`could not quarantine the local copy of ${docName}`, error),
    )
    await deleteDatabase(factory, name).catch(() => {})
  }
}

async function quarantineCopy(
  userId: string,
  docName: string,
  databaseName: string,
  why: RefusalReason,
): Promise<void> {
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(databaseName, doc)
  const tracker = new SavedTracker(doc, () => {})
  try {
    await persistence.whenSynced
    const stored: unknown = await persistence.get(SAVED_STORAGE_KEY).catch(() => undefined)
    const snapshot = typeof stored === 'string' ? parseSavedSnapshot(stored) : null
    if (snapshot !== null) tracker.restore(snapshot)
    // Content beyond the last acknowledgement that no entry accounts for counts too.
    if (snapshot?.acked) tracker.acknowledge(new Map(snapshot.acked))
    const unsaved = captureUnsaved(doc, tracker)
    if (unsaved.count > 0)
      await new QuarantineStore(userId).add(quarantineEntry(userId, docName, unsaved, why))
  } finally {
    tracker.destroy()
    await persistence.destroy()
    doc.destroy()
  }
}
