import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Awareness } from 'y-protocols/awareness'
import {
  PRESENCE_MODES,
  type PresenceMode,
  ROLES,
  type UserIdentity,
  VIEWS,
  type View,
} from '../../shared/domain.ts'
import type { PresenceEntry } from '../../shared/events.ts'
import { listNames, shortTime } from './format.ts'

/** What this client publishes in the room's awareness (DESIGN §3); the server adds `user`. */
export interface LocalPresence {
  mode: PresenceMode
  view: View
  openedAt: string
  focus: string | null
}

/**
 * `live`: renewed recently. `stale`: not renewed for longer than `staleAfterMs`, which a
 * healthy client never is (y-protocols renews every 15 s) — probably a dropped connection
 * the server has not noticed yet. `lost`: the server says the connection dropped.
 */
export type PeerConnection = 'live' | 'stale' | 'lost'

/** Another client in the same room, as the server stamped it. */
export interface Peer {
  readonly clientId: number
  readonly user: UserIdentity
  readonly mode: PresenceMode
  readonly view: View | null
  readonly openedAt: string | null
  readonly focus: string | null
  /** Milliseconds since the peer last renewed its presence. */
  readonly idleMs: number
  readonly connection: PeerConnection
  /** The signed-in user in another window or device: not "someone else". */
  readonly sameUser: boolean
}

export interface PresenceOptions {
  readonly view: View
  /** "study" or "patient record", for announcements: "HUYEN opened this study at 14:03". */
  readonly noun: string
  /** Published while no field has focus; `editing` is published while one has. */
  readonly restingMode?: PresenceMode
  /** The signed-in user's id, to tell own other windows apart. */
  readonly selfId?: () => string | null
  readonly now?: () => number
  /** How often freshness texts are refreshed. */
  readonly tickMs?: number
  readonly staleAfterMs?: number
}

/** y-protocols renews every 15 s and drops a peer after 30 s; 20 s leaves room for jitter. */
export const STALE_AFTER_MS = 20_000

/**
 * Presence of one document (STYLE 14): publishes the local state, lists remote peers
 * with freshness, and says who arrived. Bind it to a replica's awareness (again after
 * a `reset`: the awareness is then a new object); it re-renders the host on changes.
 */
export class PresenceController implements ReactiveController {
  readonly #host: ReactiveControllerHost
  readonly #options: PresenceOptions
  readonly #now: () => number
  #awareness: Awareness | null = null
  #connected = false
  #timer: ReturnType<typeof setInterval> | null = null
  #focus: string | null = null
  #openedAt: string | null = null
  #restingMode: PresenceMode
  /** From the feed: lost entries, and who has this subject open in another document. */
  #reported: PresenceEntry[] = []
  /** Client ids already announced: a reconnect or a `reset` must not announce them again. */
  readonly #announced = new Set<number>()
  #announcement = ''

  constructor(host: ReactiveControllerHost, options: PresenceOptions) {
    this.#host = host
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#restingMode = options.restingMode ?? 'viewing'
    host.addController(this)
  }

  /** The latest arrival, for a polite live region; empty until someone arrives. */
  get announcement(): string {
    return this.#announcement
  }

  get focus(): string | null {
    return this.#focus
  }

  /** Binds to an awareness (null unbinds) and publishes the local state into it. */
  bind(awareness: Awareness | null): void {
    if (awareness === this.#awareness) return
    this.#unsubscribe()
    this.#awareness = awareness
    if (awareness === null) return
    this.#openedAt ??= new Date(this.#now()).toISOString()
    if (this.#connected) this.#subscribe()
    this.#publish()
  }

  /** Another document from now on: forget who was announced and when this one was opened. */
  restart(): void {
    this.bind(null)
    this.#openedAt = null
    this.#focus = null
    this.#reported = []
    this.#announced.clear()
    this.#announcement = ''
  }

  /** The field this user is in (null: none); mode becomes `editing` while there is one. */
  setFocus(field: string | null): void {
    if (field === this.#focus) return
    this.#focus = field
    this.#publish()
  }

  /** The mode published while no field has focus, e.g. `reading` once the reading claim is ours. */
  setRestingMode(mode: PresenceMode): void {
    if (mode === this.#restingMode) return
    this.#restingMode = mode
    this.#publish()
  }

  /**
   * The server's presence of this subject (live feed). Kept: entries it reports as
   * `lost`, and live ones of the subject's other documents (`ownDoc` is the one whose
   * awareness is bound), so the info form shows the reader on the desktop and back.
   */
  setReported(entries: readonly PresenceEntry[], ownDoc: string): void {
    this.#reported = entries.filter((e) => e.connection === 'lost' || e.doc !== ownDoc)
    this.#host.requestUpdate()
  }

  /** Remote peers, oldest first; own other windows included (`sameUser`). */
  get peers(): Peer[] {
    const awareness = this.#awareness
    const now = this.#now()
    const live: Peer[] = []
    if (awareness !== null) {
      for (const [clientId, state] of awareness.getStates()) {
        if (clientId === awareness.clientID) continue
        const lastUpdated = awareness.meta.get(clientId)?.lastUpdated ?? now
        const peer = this.#peerOf(clientId, state, Math.max(0, now - lastUpdated))
        if (peer !== null) live.push(peer)
      }
    }
    const liveIds = new Set(live.map((p) => p.clientId))
    if (awareness !== null) liveIds.add(awareness.clientID)
    const reported = this.#reported
      .filter((e) => !liveIds.has(e.clientId))
      .map((e) => this.#peerOfEntry(e, now))
    return [...live, ...reported].sort((a, b) => (a.openedAt ?? '').localeCompare(b.openedAt ?? ''))
  }

  /** Other users (not own windows) whose focus is in `field` right now. */
  editorsOf(field: string): Peer[] {
    return this.peers.filter((p) => p.focus === field && !p.sameUser && p.connection !== 'lost')
  }

  hostConnected(): void {
    this.#connected = true
    this.#subscribe()
    this.#timer ??= setInterval(() => this.#host.requestUpdate(), this.#options.tickMs ?? 5_000)
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#unsubscribe()
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  readonly #onChange = (
    { added, updated }: { added: number[]; updated: number[] },
    _origin: unknown,
  ): void => {
    this.#announceArrivals([...added, ...updated])
    this.#host.requestUpdate()
  }

  #subscribe(): void {
    if (this.#awareness === null) return
    this.#awareness.off('change', this.#onChange)
    this.#awareness.on('change', this.#onChange)
    // Peers already in the room when we bind are arrivals too (told as "is here").
    this.#announceArrivals([...this.#awareness.getStates().keys()])
  }

  #unsubscribe(): void {
    this.#awareness?.off('change', this.#onChange)
  }

  #publish(): void {
    const awareness = this.#awareness
    if (awareness === null || this.#openedAt === null) return
    const state: LocalPresence = {
      mode: this.#focus === null ? this.#restingMode : 'editing',
      view: this.#options.view,
      openedAt: this.#openedAt,
      focus: this.#focus,
    }
    awareness.setLocalState({ ...state })
  }

  #announceArrivals(clientIds: number[]): void {
    const awareness = this.#awareness
    if (awareness === null) return
    const sentences: string[] = []
    for (const clientId of clientIds) {
      if (clientId === awareness.clientID || this.#announced.has(clientId)) continue
      const peer = this.#peerOf(clientId, awareness.getStates().get(clientId), 0)
      if (peer === null || peer.sameUser) continue
      this.#announced.add(clientId)
      sentences.push(this.#arrivalText(peer))
    }
    if (sentences.length > 0) this.#announcement = sentences.join(' ')
  }

  /** Who came after us "opened" it; who was there before "has it open" (S1, S2). */
  #arrivalText(peer: Peer): string {
    const { noun } = this.#options
    const name = peer.user.name
    if (peer.openedAt === null) return `${name} has this ${noun} open.`
    const since = shortTime(peer.openedAt)
    if (this.#openedAt !== null && Date.parse(peer.openedAt) >= Date.parse(this.#openedAt))
      return `${name} opened this ${noun} at ${since}.`
    return `${name} has had this ${noun} open since ${since}, ${peer.mode}.`
  }

  #peerOf(clientId: number, state: unknown, idleMs: number): Peer | null {
    if (!isRecord(state)) return null
    const user = stampedUser(state.user)
    if (user === null) return null // not stamped by the server: nobody we can name (S5)
    const openedAt = typeof state.openedAt === 'string' && isIsoTime(state.openedAt)
    return {
      clientId,
      user,
      mode: oneOf(PRESENCE_MODES, state.mode) ?? 'viewing',
      view: oneOf(VIEWS, state.view) ?? null,
      openedAt: openedAt ? (state.openedAt as string) : null,
      focus: typeof state.focus === 'string' ? state.focus : null,
      idleMs,
      connection: idleMs > (this.#options.staleAfterMs ?? STALE_AFTER_MS) ? 'stale' : 'live',
      sameUser: user.id === this.#options.selfId?.(),
    }
  }

  #peerOfEntry(entry: PresenceEntry, now: number): Peer {
    const idleMs = Math.max(0, now - Date.parse(entry.lastActiveAt))
    const stale = idleMs > (this.#options.staleAfterMs ?? STALE_AFTER_MS)
    return {
      clientId: entry.clientId,
      user: entry.user,
      mode: entry.mode,
      view: entry.view,
      openedAt: entry.since,
      // A field of another document: not one of ours (editorsOf).
      focus: null,
      idleMs,
      connection: entry.connection === 'lost' ? 'lost' : stale ? 'stale' : 'live',
      sameUser: entry.user.id === this.#options.selfId?.(),
    }
  }
}

/** "BOSE and HUYEN are editing" */
export function editingText(editors: readonly Peer[]): string {
  if (editors.length === 0) return ''
  const names = listNames(editors.map((p) => p.user.name))
  return `${names} ${editors.length === 1 ? 'is' : 'are'} editing`
}

function stampedUser(value: unknown): UserIdentity | null {
  if (!isRecord(value)) return null
  const { id, name, role } = value
  const known = oneOf(ROLES, role)
  if (typeof id !== 'string' || typeof name !== 'string' || known === undefined) return null
  return { id, name, role: known }
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return allowed.find((a) => a === value)
}

function isIsoTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
