import { whenText, whoText } from '../notifications/format.ts'
import type { QuarantineEntry, RefusalReason } from './types.ts'

/** "Study A10005", "Report of study A10005", "Patient P1001". */
export function subjectText(entry: Pick<QuarantineEntry, 'docName' | 'subject'>): string {
  const { subject, docName } = entry
  if (subject === null) return docName
  const noun = subject.type === 'study' ? 'Study' : 'Patient'
  return docName.endsWith('/report') ? `Report of study ${subject.id}` : `${noun} ${subject.id}`
}

/** Why the server would not take the edits, in words. */
export function reasonText(why: RefusalReason): string {
  const { gone } = why
  if (gone !== undefined) {
    const what = gone.reason === 'merged' ? `merged into ${gone.mergedInto ?? '?'}` : 'deleted'
    return `${what} by ${whoText(gone.by)} at ${whenText(gone.at)}`
  }
  switch (why.code) {
    case 4409:
      return `refused by the server${why.reason ? `: ${why.reason}` : ''}`
    case 4403:
      return 'your access was withdrawn'
    case 4404:
      return 'it no longer exists'
    case 4410:
      return 'it was deleted or merged'
    default:
      return `closed by the server (${why.code})`
  }
}

export function changesText(count: number): string {
  return `${count} unsaved change${count === 1 ? '' : 's'}`
}

/** The toast when a form's edits went to quarantine. */
export function quarantinedText(entry: QuarantineEntry): string {
  return `${changesText(entry.count)} to ${subjectText(entry).toLowerCase()} could not be saved (${reasonText(entry.why)}). They are kept in quarantine: see the top bar.`
}
