import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { OpenResult, StudyState } from '../../shared/api-types.ts'
import type { PresenceEntry } from '../../shared/events.ts'
import { formatDocName, isEntityId } from '../../shared/protocol.ts'
import type { AppSession, SignedInUser, StudySyncApi } from '../app/contexts.ts'
import type { ClosedStatus, RefusedEvent } from '../connection/index.ts'
import { PresenceController } from '../forms/presence-controller.ts'
import { LiveDocumentController } from './live-document-controller.ts'
import { describeFailure } from './workflow.ts'

/** What the controller reads from its host before each update. */
export interface StudyInputs {
  readonly accession: string
  readonly session: AppSession | null | undefined
  readonly api: StudySyncApi | null | undefined
  /** Sync endpoint override (tests); default is this origin's `/sync`. */
  readonly syncUrl: string | undefined
}

/** The reading claim this user lost, and the draft they keep (S19, S14). */
export interface LostClaim {
  /** The state's rev when it was lost: read-only until a newer state gives it back. */
  readonly rev: number
  /** What the server said (the notice text), or why we concluded it. */
  readonly why: string
  readonly draft: string
  /** Which source the draft came from; a better one replaces a worse one. */
  readonly source: DraftSource
}

/** Best last: the refused local copy holds even what never reached the server. */
const DRAFT_SOURCES = ['local', 'notice', 'refused'] as const
export type DraftSource = (typeof DRAFT_SOURCES)[number]

/**
 * One open study on the desktop (STYLE 14: the element renders, this holds the
 * state): `POST …/open {view: desktop}` on connect and `…/close` on leave, the
 * report and state documents, presence, the newest known state, and a lost
 * reading claim.
 */
export class StudySessionController implements ReactiveController {
  /**
   * This user's presence in the report document's awareness (DESIGN §3): view
   * `desktop`, mode `reading` while holding the reading claim, else `viewing`.
   */
  readonly presence: PresenceController
  readonly report: LiveDocumentController
  readonly stateDoc: LiveDocumentController
  /** The Y.Text `body` of `study/<accession>/report`; replaced after a 4409. */
  body: Y.Text | null = null
  opened: OpenResult | null = null
  openError = ''
  lost: LostClaim | null = null

  readonly #host: ReactiveControllerHost
  readonly #inputs: () => StudyInputs
  readonly #onGone: (status: ClosedStatus) => void
  #docState: StudyState | null = null
  #answered: StudyState | null = null
  #open: { key: string; accession: string; api: StudySyncApi } | null = null
  #ticket = 0

  constructor(
    host: ReactiveControllerHost,
    inputs: () => StudyInputs,
    onGone: (status: ClosedStatus) => void,
  ) {
    this.#host = host
    this.#inputs = inputs
    this.#onGone = onGone
    const closed = (status: ClosedStatus) => {
      if (status.code === 4410) this.#onGone(status)
    }
    this.presence = new PresenceController(host, {
      view: 'desktop',
      noun: 'study',
      selfId: () => this.me?.id ?? null,
    })
    this.report = new LiveDocumentController(host, {
      bind: (doc, awareness) => this.#bindReport(doc, awareness),
      refused: (event) => this.#refused(event),
      closed,
    })
    this.stateDoc = new LiveDocumentController(host, {
      bind: (doc, awareness) => this.#bindState(doc, awareness),
      closed,
    })
    host.addController(this)
  }

  /** The newest state known: the state document's, or a fresher one from an answer. */
  get state(): StudyState | null {
    const fromDoc = this.#docState
    const answered = this.#answered
    if (fromDoc === null || answered === null) return fromDoc ?? answered
    return answered.rev > fromDoc.rev ? answered : fromDoc
  }

  get me(): SignedInUser | null {
    return this.#inputs().session?.user ?? null
  }

  /** Whether this user may write the report and take reader steps now. */
  get holdsClaim(): boolean {
    const state = this.state
    const me = this.me
    if (state === null || me === null || state.claim?.holder.id !== me.id) return false
    return this.lost === null || state.rev > this.lost.rev
  }

  /** Takes the state an action answered with, unless the document already has newer. */
  accept(state: StudyState): void {
    if (this.#answered === null || state.rev >= this.#answered.rev) this.#answered = state
    this.#host.requestUpdate()
  }

  /** The server's presence of this study (a feed `presence` event for it). */
  presenceReported(entries: readonly PresenceEntry[]): void {
    const open = this.#open
    if (open === null || !isEntityId(open.accession)) return
    this.presence.setReported(
      entries,
      formatDocName({ kind: 'studyReport', accession: open.accession }),
    )
  }

  /** A `claim.lost` notice for this study: read-only at once, keep the draft. */
  claimLost(why: string, draftCopy: unknown): void {
    if (typeof draftCopy === 'string') this.#keepDraft(why, draftCopy, 'notice')
    else this.#keepDraft(why, this.body?.toString() ?? '', 'local')
  }

  hostConnected(): void {
    // hostUpdate (re)opens the study; make sure one runs after a re-attach.
    this.#host.requestUpdate()
  }

  hostUpdate(): void {
    const { accession, session, api, syncUrl } = this.#inputs()
    const ready = session && api && accession
    const key = ready ? [accession, session.user.id, session.token, syncUrl].join('\n') : null
    if (key !== this.#open?.key || api !== this.#open?.api) {
      this.#stop()
      if (ready && key !== null) this.#start(key, accession, session, api, syncUrl)
    }
    this.presence.setRestingMode(this.holdsClaim ? 'reading' : 'viewing')
  }

  hostDisconnected(): void {
    this.#stop()
  }

  #start(
    key: string,
    accession: string,
    session: AppSession,
    api: StudySyncApi,
    syncUrl: string | undefined,
  ): void {
    this.#open = { key, accession, api }
    this.presence.restart()
    if (!isEntityId(accession)) {
      this.openError = `"${accession}" is not an accession number.`
      return
    }
    const common = {
      userId: session.user.id,
      ...(syncUrl === undefined ? {} : { serverUrl: syncUrl }),
      ...(session.token === null ? {} : { token: session.token }),
    }
    this.report.open({ ...common, docName: formatDocName({ kind: 'studyReport', accession }) })
    this.stateDoc.open({ ...common, docName: formatDocName({ kind: 'studyState', accession }) })
    const ticket = ++this.#ticket
    api.open(accession, 'desktop').then(
      (result) => {
        if (ticket !== this.#ticket) return
        this.opened = result
        this.accept(result.state)
      },
      (error: unknown) => {
        if (ticket !== this.#ticket) return
        this.openError = describeFailure(error)
        this.#host.requestUpdate()
      },
    )
  }

  #stop(): void {
    const open = this.#open
    if (open === null) return
    this.#open = null
    this.#ticket++
    void this.report.close()
    void this.stateDoc.close()
    // Leaving releases the reading claim at once (S18); a failure here only delays
    // that until the tracker timeout, so it is not worth bothering the user.
    open.api.close(open.accession, 'desktop').catch(() => {})
    this.opened = null
    this.openError = ''
    this.lost = null
    this.#answered = null
  }

  #bindReport(doc: Y.Doc, awareness: Awareness): () => void {
    this.body = doc.getText('body')
    this.presence.bind(awareness)
    this.#host.requestUpdate()
    return () => {
      this.body = null
      this.presence.bind(null)
    }
  }

  #bindState(doc: Y.Doc, awareness: Awareness): () => void {
    awareness.setLocalState(null) // presence lives on the report document only
    const map = doc.getMap('state')
    const read = () => {
      this.#docState = parseState(map.toJSON())
      this.#host.requestUpdate()
    }
    map.observe(read)
    read()
    return () => {
      map.unobserve(read)
      this.#docState = null
    }
  }

  /** 4409 on the report: the server no longer takes our writes, so we lost the claim. */
  #refused(event: RefusedEvent): void {
    const mine = this.lost !== null || this.holdsClaim
    if (!mine) return // a viewer's refused copy holds nothing of theirs
    const copy = new Y.Doc()
    try {
      Y.applyUpdate(copy, event.localUpdate)
      const why = 'The server refused your changes to the report: someone else reads it now.'
      this.#keepDraft(this.lost?.why ?? why, copy.getText('body').toString(), 'refused')
    } finally {
      copy.destroy()
    }
  }

  #keepDraft(why: string, draft: string, source: DraftSource): void {
    const previous = this.lost
    const rank = (s: DraftSource) => DRAFT_SOURCES.indexOf(s)
    const keepPrevious = previous !== null && rank(previous.source) > rank(source)
    this.lost = {
      rev: Math.max(previous?.rev ?? 0, this.state?.rev ?? 0),
      // The notice's own words say who took it and when; a refusal says less.
      why: source === 'refused' && previous !== null ? previous.why : why,
      draft: keepPrevious ? previous.draft : draft,
      source: keepPrevious ? previous.source : source,
    }
    this.#host.requestUpdate()
  }
}

function parseState(value: Record<string, unknown>): StudyState | null {
  if (typeof value.status !== 'string' || typeof value.rev !== 'number') return null
  // Written by the server only (DESIGN §4); the keys are those of StudyState.
  return { claim: null, ...value } as unknown as StudyState
}
