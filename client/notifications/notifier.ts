/**
 * The shell's Notifier (client/app/contexts.ts): routes each notice by its tier
 * (DESIGN §5) — routine → history only; toast → toast + history; blocking →
 * modal dialog + history — and shows one safety event once, however many paths
 * report it and at whatever tier (the feed's forced-close, the server's blocking
 * notice, a form closed with 4410 all describe the same deletion: same subject,
 * same `at`). Routine and toast notices are not de-duplicated among themselves:
 * two edits of one study in the same millisecond are two notices.
 */
import type { Notice } from '../../shared/events.ts'
import type { Notifier } from '../app/contexts.ts'
import { metaLine, noticeTitle } from './format.ts'
import type { NotificationHistory } from './history.ts'
import type { BlockingRequest, DialogAction } from './ss-blocking-dialog.ts'
import type { ToastRequest } from './ss-toast-stack.ts'

export interface NotifierSurfaces {
  readonly history: NotificationHistory
  toast(request: ToastRequest): void
  block(request: BlockingRequest): void
  /** Buttons for a blocking notice shown without any, e.g. "Open A10006" after a merge. */
  defaultActions?(notice: Notice): readonly DialogAction[]
}

/** Safety events remembered for de-duplication; the oldest are forgotten first. */
const REMEMBERED_EVENTS = 500

/** The identity of the event a notice reports, for de-duplication. */
export function eventKey(notice: Pick<Notice, 'subject' | 'at'>): string {
  return `${notice.subject.type}/${notice.subject.id}@${notice.at}`
}

export class AppNotifier implements Notifier {
  readonly #surfaces: NotifierSurfaces
  readonly #shown = new Set<string>()

  constructor(surfaces: NotifierSurfaces) {
    this.#surfaces = surfaces
  }

  show(notice: Notice, options?: { actions?: { label: string; run: () => void }[] }): void {
    const { history } = this.#surfaces
    // Whatever tier a later report of a safety event comes with, it was already shown.
    if (this.#shown.has(eventKey(notice))) return
    switch (notice.tier) {
      case 'blocking': {
        this.#remember(notice)
        history.add(notice, 'dialog')
        const actions = options?.actions ?? this.#surfaces.defaultActions?.(notice) ?? []
        this.#surfaces.block({
          title: noticeTitle(notice),
          text: notice.text,
          meta: metaLine(notice),
          actions,
        })
        return
      }
      case 'routine':
        history.add(notice, 'history')
        return
      default:
        // 'toast', and any tier a newer server may add: visible but not blocking.
        history.add(notice, 'toast')
        this.#surfaces.toast({ text: notice.text, meta: metaLine(notice) })
    }
  }

  toast(text: string, kind: 'info' | 'error' = 'info'): void {
    this.#surfaces.toast({ text, kind })
  }

  /** Whether a safety event with this key has been shown (see eventKey). */
  hasShown(key: string): boolean {
    return this.#shown.has(key)
  }

  /** Forget every shown event (sign-out). */
  reset(): void {
    this.#shown.clear()
  }

  #remember(notice: Notice): void {
    this.#shown.add(eventKey(notice))
    if (this.#shown.size > REMEMBERED_EVENTS) {
      const oldest = this.#shown.values().next().value
      if (oldest !== undefined) this.#shown.delete(oldest)
    }
  }
}
