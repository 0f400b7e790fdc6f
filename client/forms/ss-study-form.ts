import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { OpenResult, StudyDetail } from '../../shared/api-types.ts'
import { type PersonRef, statusLabel } from '../../shared/domain.ts'
import { STUDY_FORM } from '../../shared/schema.ts'
import { BreakGlassController } from '../access/break-glass-controller.ts'
import { mayBeUnlocked } from '../access/permissions.ts'
import type { UnlockedEvent } from '../access/ss-break-glass-unlock.ts'
import {
  type AppSession,
  apiContext,
  type FeedClient,
  feedContext,
  type Navigator,
  type Notifier,
  navigatorContext,
  notifierContext,
  type StudySyncApi,
  sessionContext,
} from '../app/contexts.ts'
import type { ClosedStatus } from '../connection/index.ts'
import { quarantinedText } from '../quarantine/format.ts'
import { FormSession } from './form-session.ts'
import {
  ALL_SAVED,
  closedText,
  connectionText,
  formStyles,
  leaveGone,
  renderFields,
} from './form-view.ts'
import { words } from './format.ts'
import { StudyStateController } from './study-state-controller.ts'
import './ss-presence-bar.ts'
import '../access/ss-break-glass-banner.ts'
import '../access/ss-break-glass-unlock.ts'

const ASSIGNMENTS = [
  'readingPhysician',
  'performingPhysician',
  'technologist',
  'transcriptionist',
] as const

/**
 * The study info form (`<ss-study-form accession="A10001">`): the fields of
 * `study/<acc>` edited together live, the server-owned state of `study/<acc>/state`
 * in the header, who else is here, and whether edits are saved. Registers the
 * visit with the server (open on connect, close on leave) and shows what it says.
 */
@customElement('ss-study-form')
export class SsStudyForm extends LitElement {
  static override styles = [
    formStyles,
    css`
      .badge {
        padding: 0.125rem 0.5rem;
        border-radius: 999px;
        background: #e6eefc;
        color: #123a7a;
        font-weight: 600;
      }
      dl {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        margin: 0.5rem 0;
      }
      dt {
        font-weight: 600;
      }
      dt::after {
        content: ':';
      }
      dd {
        margin: 0 0 0 0.25rem;
      }
      dl > div {
        display: flex;
      }
    `,
  ]

  @property() accession = ''
  /** Sync endpoint override (tests); default this origin's `/sync`. */
  @property({ attribute: false }) syncUrl: string | undefined = undefined

  @consume({ context: sessionContext, subscribe: true }) session: AppSession | null = null
  @consume({ context: apiContext, subscribe: true }) api: StudySyncApi | null = null
  @consume({ context: notifierContext, subscribe: true }) notifier: Notifier | null = null
  @consume({ context: navigatorContext, subscribe: true }) nav: Navigator | null = null
  @consume({ context: feedContext, subscribe: true }) feed: FeedClient | null = null

  @state() private opened: OpenResult | null = null
  @state() private detail: Pick<StudyDetail, 'patientId' | 'modality'> | null = null
  @state() private problem = ''
  /** The server answered 403 to opening the study: offer break-the-glass (S31). */
  @state() private denied = false

  readonly #form = new FormSession(this, {
    type: 'study',
    schema: STUDY_FORM,
    view: 'info',
    noun: 'study',
    selfId: () => this.session?.user.id ?? null,
    closed: (status) => this.#onClosed(status),
    refused: () =>
      this.notifier?.toast(
        `The server refused changes made on this device to study ${this.accession}; the form was reloaded from the server.`,
        'error',
      ),
    quarantined: (entry) => this.notifier?.toast(quarantinedText(entry), 'error'),
  })
  readonly #state = new StudyStateController(this)
  readonly #breakGlass = new BreakGlassController(this)
  /** The accession the server was told we opened, to tell it we left. */
  #openOnServer: string | null = null

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#registerVisit(null)
  }

  protected override willUpdate(): void {
    const { session, accession } = this
    const id = session !== null && accession !== '' && this.isConnected ? accession : null
    this.#form.setFeed(this.feed)
    this.#form.open(
      id === null || session === null
        ? null
        : { id, userId: session.user.id, token: session.token, serverUrl: this.syncUrl },
    )
    this.#state.bind(this.#form.state)
    if (this.#form.documents.closed === null) this.#registerVisit(id)
  }

  override render() {
    const closed = this.#form.documents.closed
    if (closed !== null)
      return html`<p role="alert" class="banner">${closedText('study', this.accession, closed)}</p>
        ${closed.code === 4403 ? this.#unlock() : nothing}`
    if (this.denied)
      return html`<p role="alert" class="banner">You do not have access to study ${this.accession}.</p>
        ${this.#unlock()}`
    const readOnly = this.#readOnly
    return html`
      ${this.#header()}
      <ss-presence-bar
        .peers=${this.#form.presence.peers}
        announcement=${this.#form.presence.announcement}
        noun="study"
      ></ss-presence-bar>
      <ss-break-glass-banner .active=${this.#breakGlass.active}></ss-break-glass-banner>
      ${this.problem ? html`<p role="alert" class="banner">${this.problem}</p>` : nothing}
      ${readOnly ? html`<p class="banner">Read-only: you can view this study but not change it.</p>` : nothing}
      ${this.#connectionLine()} ${renderFields(STUDY_FORM, this.#form, readOnly)}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#state.announcement}</p>
      <p class="visually-hidden" role="status" aria-live="polite">${this.#form.highlights.announcement}</p>
    `
  }

  get #readOnly(): boolean {
    const lifecycle = this.#state.get('lifecycle')
    return this.opened?.readOnly === true || (lifecycle !== undefined && lifecycle !== 'active')
  }

  #header() {
    const status = this.#state.get('status')
    const patientId = this.detail?.patientId
    const claim = this.#state.get('claim')
    return html`<header>
        <h2>Study ${this.accession}</h2>
        ${patientId ? html`<a href="#/patient/${patientId}" @click=${this.#openPatient}>Patient ${patientId}</a>` : nothing}
        ${this.detail ? html`<span>Modality ${this.detail.modality}</span>` : nothing}
        ${status ? html`<span class="badge"><span class="visually-hidden">Status: </span>${statusLabel(status)}</span>` : nothing}
        ${claim ? html`<span>${claim.holder.name} is reading this study</span>` : nothing}
        <a href="#/study/${this.accession}/access" @click=${this.#openAccess}>Access</a>
      </header>
      <dl aria-label="Assignments and counts">
        ${ASSIGNMENTS.map((key) => this.#item(words(key), personOf(this.#state.get(key))))}
        ${this.#item('Images', this.#state.get('imageCount'))}
        ${this.#item('Structured reports', this.#state.get('srCount'))}
      </dl>`
  }

  #item(term: string, value: unknown) {
    return html`<div><dt>${term[0]?.toUpperCase()}${term.slice(1)}</dt><dd>${value ?? '—'}</dd></div>`
  }

  #connectionLine() {
    const { status, unsaved, acknowledged } = this.#form.documents
    const text = connectionText(status, unsaved, acknowledged)
    return html`<p class="connection ${text === ALL_SAVED ? '' : 'warn'}" role="status">${text}</p>`
  }

  #openPatient(event: Event): void {
    const patientId = this.detail?.patientId
    if (this.nav === null || patientId === undefined) return
    event.preventDefault()
    this.nav.go({ page: 'patient', patientId })
  }

  #openAccess(event: Event): void {
    if (this.nav === null) return
    event.preventDefault()
    this.nav.go({ page: 'access', accession: this.accession })
  }

  #unlock() {
    return html`<ss-break-glass-unlock accession=${this.accession}
      @ss-unlocked=${(e: UnlockedEvent) => this.#reload(e.detail.breakGlass)}
      @ss-access-changed=${() => this.#reload(null)}></ss-break-glass-unlock>`
  }

  /** After an unlock: open the documents and register the visit again, from scratch. */
  #reload(unlocked: UnlockedEvent['detail']['breakGlass'] | null): void {
    if (unlocked !== null) this.#breakGlass.unlocked(unlocked)
    this.denied = false
    this.#openOnServer = null
    this.#form.open(null)
    this.requestUpdate()
  }

  /** Tells the server which study this form shows (open), and when it stops (close). */
  #registerVisit(accession: string | null): void {
    const previous = this.#openOnServer
    const api = this.api
    // Without the API yet, wait: the context's arrival triggers another update.
    if (previous === accession || (accession !== null && api === null)) return
    this.#openOnServer = accession
    if (previous !== null) api?.close(previous, 'info').catch(() => {})
    this.opened = null
    this.detail = null
    this.problem = ''
    if (accession === null || api === null) return
    api.open(accession, 'info').then(
      (result) => this.#onOpened(accession, result),
      (error: unknown) => this.#onOpenFailed(accession, error),
    )
    api.study(accession).then(
      ({ patientId, modality }) => {
        if (this.#openOnServer === accession) this.detail = { patientId, modality }
      },
      () => {}, // offline: the header goes without the patient link
    )
  }

  #onOpened(accession: string, result: OpenResult): void {
    if (this.#openOnServer !== accession) return
    this.opened = result
    this.#state.setFallback(result.state)
    const { api, session } = this
    if (api !== null && session !== null && mayBeUnlocked(session.user, result.readOnly))
      void this.#breakGlass.lookUp(api, accession, session.user.id)
    for (const notice of result.notices) this.notifier?.toast(notice.text)
  }

  #onOpenFailed(accession: string, error: unknown): void {
    if (this.#openOnServer !== accession) return
    const status = (error as { status?: unknown } | null)?.status
    // A network failure is no problem: the form works offline (S26). The server's no is.
    if (typeof status !== 'number') return
    if (status === 403) {
      this.denied = true
      return
    }
    this.problem =
      (error as { message?: string }).message ?? `The server refused to open study ${accession}.`
  }

  #onClosed(status: ClosedStatus): void {
    this.#openOnServer = null // nothing to close on the server any more
    if (status.code === 4403) this.#breakGlass.clear() // an unlock that ended, if any
    if (status.code !== 4410) return
    void this.#form.documents.discard()
    leaveGone(
      { navigator: this.nav, notifier: this.notifier, feed: this.feed },
      'study',
      this.accession,
      status.gone,
    )
  }
}

function personOf(value: unknown): string | undefined {
  return (value as PersonRef | null | undefined)?.name
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-study-form': SsStudyForm
  }
}
