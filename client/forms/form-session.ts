import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type * as Y from 'yjs'
import type { PersonRef, View } from '../../shared/domain.ts'
import type { FormSchema } from '../../shared/schema.ts'
import type { FeedClient } from '../app/contexts.ts'
import type { ClosedStatus, ReplicaView } from '../connection/index.ts'
import type { QuarantineEntry } from '../quarantine/types.ts'
import { FormDocuments } from './form-documents.ts'
import { HighlightController } from './highlight-controller.ts'
import { PresenceController } from './presence-controller.ts'

export type SubjectType = 'study' | 'patient'

export interface FormSessionOptions {
  readonly type: SubjectType
  readonly schema: FormSchema
  readonly view: View
  /** "study" or "patient record", for presence announcements. */
  readonly noun: string
  /** The signed-in user's id. */
  readonly selfId: () => string | null
  readonly closed?: (status: ClosedStatus) => void
  readonly refused?: () => void
  readonly quarantined?: (entry: QuarantineEntry) => void
}

export interface FormTarget {
  readonly id: string
  readonly userId: string
  readonly token: string | null
  readonly serverUrl?: string | undefined
}

/**
 * Everything an open form holds (STYLE 14): its two documents, presence in the
 * form document's awareness, highlights of others' changes, and the live feed
 * routed to both. Rebinds all of it when the documents are replaced (4409 reset).
 */
export class FormSession implements ReactiveController {
  readonly documents: FormDocuments
  readonly presence: PresenceController
  readonly highlights: HighlightController
  readonly #host: ReactiveControllerHost
  readonly #options: FormSessionOptions
  #target: FormTarget | null = null
  #fields: Y.Map<unknown> | null = null
  #state: Y.Map<unknown> | null = null
  #feed: FeedClient | null = null
  #unsubscribeFeed: (() => void) | null = null
  #connected = false

  constructor(host: ReactiveControllerHost, options: FormSessionOptions) {
    this.#host = host
    this.#options = options
    host.addController(this)
    this.documents = new FormDocuments(host, {
      rebind: (main, state) => this.#rebind(main, state),
      synced: () => this.highlights.arm(),
      closed: (status) => options.closed?.(status),
      refused: () => options.refused?.(),
      quarantined: (entry) => options.quarantined?.(entry),
    })
    this.presence = new PresenceController(host, {
      view: options.view,
      noun: options.noun,
      selfId: options.selfId,
    })
    this.highlights = new HighlightController(host, {
      schema: options.schema,
      subject: () => this.subject,
      authorOf: (clientId) => this.#authorOf(clientId),
    })
  }

  get subject(): { type: SubjectType; id: string } | null {
    return this.#target === null ? null : { type: this.#options.type, id: this.#target.id }
  }

  /** The Y.Map `fields` of the form document; null until it is open. */
  get fields(): Y.Map<unknown> | null {
    return this.#fields
  }

  /** The Y.Map `state` of the server-owned state document (observe it yourself); null until open. */
  get state(): Y.Map<unknown> | null {
    return this.#state
  }

  /** Opens the forms of `target` (null closes); the same target again changes nothing. */
  open(target: FormTarget | null): void {
    const previous = this.#target
    if (sameTarget(previous, target)) return
    if (previous?.id !== target?.id) this.presence.restart()
    this.#target = target
    const { type } = this.#options
    this.documents.configure(
      target === null
        ? null
        : {
            docName: `${type}/${target.id}`,
            stateDocName: `${type}/${target.id}/state`,
            userId: target.userId,
            token: target.token,
            serverUrl: target.serverUrl,
          },
    )
  }

  setFeed(feed: FeedClient | null): void {
    if (feed === this.#feed) return
    this.#unsubscribeFeed?.()
    this.#unsubscribeFeed = null
    this.#feed = feed
    this.highlights.setFeed(feed)
    if (this.#connected) this.#subscribeFeed()
  }

  hostConnected(): void {
    this.#connected = true
    this.#subscribeFeed()
  }

  hostDisconnected(): void {
    this.#connected = false
    this.#unsubscribeFeed?.()
    this.#unsubscribeFeed = null
  }

  /**
   * Presence from the feed carries what this document's awareness cannot: who dropped
   * off without goodbye (S4), and who has the subject open elsewhere (the desktop).
   */
  #subscribeFeed(): void {
    if (this.#feed === null || this.#unsubscribeFeed !== null) return
    this.#unsubscribeFeed = this.#feed.subscribe(({ event }) => {
      const subject = this.subject
      if (event.type !== 'presence' || subject === null) return
      const { type, id } = event.data.subject
      if (type === subject.type && id === subject.id)
        this.presence.setReported(event.data.entries, `${type}/${id}`)
    })
  }

  #rebind(main: ReplicaView | null, state: ReplicaView | null): void {
    this.#fields = main?.doc.getMap('fields') ?? null
    this.#state = state?.doc.getMap('state') ?? null
    this.presence.bind(main?.awareness ?? null)
    this.highlights.bind(this.#fields)
    this.#host.requestUpdate()
  }

  #authorOf(clientId: number): PersonRef | null {
    const peer = this.presence.peers.find((p) => p.clientId === clientId)
    return peer === undefined ? null : { id: peer.user.id, name: peer.user.name }
  }
}

function sameTarget(a: FormTarget | null, b: FormTarget | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.id === b.id && a.userId === b.userId && a.token === b.token && a.serverUrl === b.serverUrl
  )
}
