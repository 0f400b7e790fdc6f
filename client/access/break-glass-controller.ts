import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { BreakGlassView } from '../../shared/access-types.ts'
import type { StudySyncApi } from '../app/contexts.ts'

/** Mirrors BREAK_GLASS_MIN_REASON in server/http/break-glass-routes.ts; the server checks again. */
export const BREAK_GLASS_MIN_REASON = 15

/** The user's own unlock of the study shown, while it lasts. */
export interface ActiveBreakGlass {
  expiresAt: string
  reason: string
}

/** Longest delay setTimeout takes; an unlock never lasts that long, but a bad clock could say so. */
const MAX_DELAY_MS = 2 ** 31 - 1

/**
 * Whether the signed-in user is on the study through break-the-glass (S31), for
 * the banner on the study form: set from the unlock's answer, or looked up in the
 * study's access list after a reload, and cleared when it expires (the server then
 * closes the documents with 4403 by itself).
 */
export class BreakGlassController implements ReactiveController {
  #active: ActiveBreakGlass | null = null
  #timer: ReturnType<typeof setTimeout> | null = null
  #lookup = 0
  readonly #host: ReactiveControllerHost

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    host.addController(this)
  }

  get active(): ActiveBreakGlass | null {
    return this.#active
  }

  /** The server just unlocked the study for us. */
  unlocked(view: Pick<BreakGlassView, 'expiresAt' | 'reason'>): void {
    this.#lookup += 1
    this.#set({ expiresAt: view.expiresAt, reason: view.reason })
  }

  /**
   * After opening a study read-only: is that because of our own unlock? The open
   * result does not say, so the study's access list does (GET …/access; audited).
   */
  async lookUp(api: StudySyncApi, accession: string, userId: string): Promise<void> {
    const lookup = ++this.#lookup
    let view: Awaited<ReturnType<StudySyncApi['studyAccess']>>
    try {
      view = await api.studyAccess(accession)
    } catch {
      return // offline or refused: no banner rather than a wrong one
    }
    if (lookup !== this.#lookup) return
    const mine = view.breakGlass
      .filter((b) => b.user.id === userId && b.active)
      .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))[0]
    this.#set(mine === undefined ? null : { expiresAt: mine.expiresAt, reason: mine.reason })
  }

  clear(): void {
    this.#lookup += 1
    this.#set(null)
  }

  hostConnected(): void {
    if (this.#active !== null) this.#schedule(this.#active)
  }

  hostDisconnected(): void {
    this.#cancel()
  }

  #set(active: ActiveBreakGlass | null): void {
    this.#cancel()
    this.#active = active !== null && Date.parse(active.expiresAt) > Date.now() ? active : null
    if (this.#active !== null) this.#schedule(this.#active)
    this.#host.requestUpdate()
  }

  #schedule(active: ActiveBreakGlass): void {
    this.#cancel()
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, Date.parse(active.expiresAt) - Date.now()))
    this.#timer = setTimeout(() => this.#set(null), delay)
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
