/** The desktop's custom events, typed in the global event map (STYLE 14). */
import type { StudyState } from '../../shared/api-types.ts'

export interface TakeoverConfirmDetail {
  /** Trimmed, at least TAKEOVER_REASON_MIN characters. */
  readonly reason: string
}

/** What a press of the action bar asks for. */
export type ReaderAction =
  | { action: 'create'; autoTemplate: boolean }
  | { action: 'amend' }
  /** `expectedRev` is the rev of the state the button was drawn from. */
  | { action: 'advance'; to: StudyState['status']; expectedRev: number }
  | { action: 'take-over' }

/** The server's minimum (POST …/takeover). */
export const TAKEOVER_REASON_MIN = 10

/** Dispatched from a dialog element, bubbling and composed. */
export function emit<K extends keyof DesktopEvents>(
  from: HTMLElement,
  type: K,
  detail: DesktopEvents[K],
): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
}

interface DesktopEvents {
  'ss-reader-action': ReaderAction
  'ss-takeover-confirm': TakeoverConfirmDetail
  'ss-assignment-takeover': null
  'ss-dialog-close': null
}

declare global {
  interface HTMLElementEventMap {
    /** A press in the desktop's action bar. */
    'ss-reader-action': CustomEvent<ReaderAction>
    /** The reading take-over dialog was confirmed with a valid reason. */
    'ss-takeover-confirm': CustomEvent<TakeoverConfirmDetail>
    /** "Take over as transcriptionist" in the assignment warning. */
    'ss-assignment-takeover': CustomEvent<null>
    /** A desktop dialog was dismissed (Cancel, Escape). */
    'ss-dialog-close': CustomEvent<null>
  }
}
