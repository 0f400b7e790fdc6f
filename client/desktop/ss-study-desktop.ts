import { consume } from '@lit/context'
import { css, html, LitElement, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { StudyState } from '../../shared/api-types.ts'
import { statusLabel } from '../../shared/domain.ts'
import type { DeliveredEvent } from '../../shared/events.ts'
import {
  type AppSession,
  apiContext,
  type Navigator,
  navigatorContext,
  type StudySyncApi,
  sessionContext,
} from '../app/contexts.ts'
import { savedText } from '../components/saved-text.ts'
import { describeStatus } from '../components/status-text.ts'
import { FeedSubscription } from '../controllers/feed-subscription.ts'
import { controlStyles } from '../theme.ts'
import type { ReaderAction, TakeoverConfirmDetail } from './events.ts'
import { StudySessionController } from './study-session-controller.ts'
import { describeFailure } from './workflow.ts'
import './ss-assignment-warning.ts'
import './ss-draft-rescue.ts'
import './ss-reader-actions.ts'
import './ss-report-editor.ts'
import './ss-takeover-dialog.ts'
import '../forms/ss-presence-bar.ts'

const TRANSCRIPTIONIST_WARNING = /for \(Transcriptionist\)/
/** Why a non-holder's reader controls are disabled; the banner says who reads. */
const ONLY_THE_READER = 'Only the reader can create, amend or advance the report.'
const REPORT_READ_ONLY = 'Read-only: only the reader can edit the report.'

type Message = { text: string; kind: 'info' | 'error' } | null

/**
 * The study desktop (`#/study/<accession>/desktop`): the reading claim banner, the
 * report editor, and the reader actions. Only the claim holder may write the report,
 * create or amend it, or take reader steps (S15); the server enforces the same.
 */
@customElement('ss-study-desktop')
export class SsStudyDesktop extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
        font-family: var(--ss-font, system-ui, sans-serif);
      }
      h2,
      p,
      ul {
        margin: 0;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.5rem 1rem;
      }
      .badge {
        padding: 0.1rem 0.6rem;
        border-radius: 999px;
        background: var(--ss-accent-soft, #e8f0fe);
        font-weight: 600;
      }
      .banner {
        padding: 0.5rem 0.75rem;
        border-radius: var(--ss-radius, 4px);
        background: var(--ss-accent-soft, #e8f0fe);
        font-weight: 600;
      }
      .banner.other {
        background: var(--ss-warn-soft, #fff4e5);
      }
      .connection {
        color: var(--ss-muted, #555);
        font-size: 0.875rem;
      }
      .notices {
        padding-left: 1.25rem;
      }
      .error {
        color: var(--ss-danger, #b00020);
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
    `,
  ]

  @property() accession = ''
  /** Sync endpoint override (tests); default is this origin's `/sync`. */
  @property({ attribute: false }) syncUrl: string | undefined = undefined

  @consume({ context: sessionContext, subscribe: true })
  @state()
  private session: AppSession | null = null
  @consume({ context: apiContext, subscribe: true })
  @state()
  private api: StudySyncApi | null = null
  @consume({ context: navigatorContext, subscribe: true })
  @state()
  private navigator: Navigator | null = null

  @state() private busy = false
  @state() private message: Message = null
  @state() private takeoverOpen = false
  @state() private warningDismissed = false
  @state() private dialogError = ''

  readonly #study = new StudySessionController(
    this,
    () => ({
      accession: this.accession,
      session: this.session,
      api: this.api,
      syncUrl: this.syncUrl,
    }),
    // 4410: the study is gone; the shell tells the user why.
    () => this.navigator?.go({ page: 'worklist' }),
  )
  readonly #feed = new FeedSubscription(this, (event) => this.#onFeed(event))

  override render() {
    const study = this.#study
    const state = study.state
    const holder = study.holdsClaim
    const explanation = this.#explanation(state, holder)
    const banner = this.#bannerText(state, holder)
    return html`
      <header>
        <h2>Study ${this.accession}</h2>
        ${state ? html`<span class="badge"><span class="visually-hidden">Status: </span>${statusLabel(state.status)}</span>` : nothing}
      </header>
      <ss-presence-bar
        .peers=${study.presence.peers}
        announcement=${study.presence.announcement}
        noun="study"
      ></ss-presence-bar>
      <p class="connection">${this.#connectionLine()}</p>
      ${study.openError ? html`<p class="error" role="alert">${study.openError}</p>` : nothing}
      <p class="banner ${holder ? '' : 'other'}" role="status">${banner}</p>
      ${this.#notices(state)}
      ${
        study.lost
          ? html`<ss-draft-rescue
              accession=${this.accession}
              why=${study.lost.why}
              .draft=${study.lost.draft}
            ></ss-draft-rescue>`
          : nothing
      }
      <ss-reader-actions
        .state=${state}
        ?holder=${holder}
        ?busy=${this.busy}
        ?mayTakeOver=${this.#mayTakeOver(state)}
        explanation=${explanation}
        @ss-reader-action=${this.#onAction}
      ></ss-reader-actions>
      ${
        this.message
          ? html`<p class=${this.message.kind} role=${this.message.kind === 'error' ? 'alert' : 'status'}>
              ${this.message.text}
            </p>`
          : nothing
      }
      <ss-report-editor
        .text=${study.body}
        ?readonly=${!holder}
        explanation=${holder ? '' : REPORT_READ_ONLY}
      ></ss-report-editor>
      ${this.#dialogs(state)}
    `
  }

  #connectionLine(): string {
    const feed = this.#feed.state
    const live = feed === 'open' ? 'on' : feed === 'connecting' ? 'connecting…' : 'off'
    const { report } = this.#study
    const saved = savedText(report.unsaved, report.acknowledged)
    const savedPart = saved === null ? '' : ` Report: ${saved}.`
    return `Connection: ${describeStatus(report.status)}. Live updates: ${live}.${savedPart}`
  }

  #bannerText(state: StudyState | null, holder: boolean): string {
    if (holder) return 'You are reading this study'
    const claim = state?.claim
    if (this.#study.lost && (!claim || claim.holder.id === this.#study.me?.id))
      return 'You are no longer reading this study (read-only)'
    if (claim) return `${claim.holder.name} is reading this study (read-only)`
    return state ? 'Nobody is reading this study (read-only)' : 'Opening the study…'
  }

  /** Why the reader actions are not available to this user: short, the banner says who reads. */
  #explanation(state: StudyState | null, holder: boolean): string {
    return holder || state === null ? '' : ONLY_THE_READER
  }

  #notices(state: StudyState | null) {
    // "Study belongs to BOSE" while BOSE reads it says what the banner says already.
    const reader = state?.claim?.holder.name
    const saidByBanner = reader === undefined ? null : `Study belongs to ${reader}`
    const notices = (this.#study.opened?.notices ?? []).filter(
      (n) =>
        n.kind !== 'claim.held' &&
        !TRANSCRIPTIONIST_WARNING.test(n.text) &&
        n.text !== saidByBanner,
    )
    if (notices.length === 0) return nothing
    return html`<ul class="notices" aria-label="Notices">
      ${notices.map((n) => html`<li>${n.text}</li>`)}
    </ul>`
  }

  #dialogs(state: StudyState | null) {
    const warning = this.#study.opened?.notices.find((n) => TRANSCRIPTIONIST_WARNING.test(n.text))
    return html`
      <ss-takeover-dialog
        ?open=${this.takeoverOpen}
        holder=${state?.claim?.holder.name ?? ''}
        ?busy=${this.busy}
        error=${this.takeoverOpen ? this.dialogError : ''}
        @ss-takeover-confirm=${this.#takeOver}
        @ss-dialog-close=${() => {
          this.takeoverOpen = false
        }}
      ></ss-takeover-dialog>
      <ss-assignment-warning
        ?open=${warning !== undefined && !this.warningDismissed}
        text=${warning?.text ?? ''}
        ?canTakeOver=${this.#study.opened?.canTakeOver === true}
        ?busy=${this.busy}
        error=${this.takeoverOpen ? '' : this.dialogError}
        @ss-assignment-takeover=${this.#takeOverTranscription}
        @ss-dialog-close=${() => {
          this.warningDismissed = true
        }}
      ></ss-assignment-warning>
    `
  }

  /**
   * The shell shows every notice already (toasts, the blocking claim.lost dialog);
   * here a lost claim also turns the desktop read-only and keeps the draft (S19).
   */
  #onFeed({ event }: DeliveredEvent): void {
    if (event.type === 'presence') {
      const { type, id } = event.data.subject
      if (type === 'study' && id === this.accession)
        this.#study.presenceReported(event.data.entries)
      return
    }
    if (event.type !== 'notice') return
    const notice = event.data
    if (notice.subject.type !== 'study' || notice.subject.id !== this.accession) return
    if (notice.kind === 'claim.lost') this.#study.claimLost(notice.text, notice.details?.draftCopy)
  }

  /** Runs one API call at a time; the answer's state is taken at once. */
  async #run(call: (api: StudySyncApi) => Promise<{ state: StudyState }>, done: string) {
    const api = this.api
    if (api === null || this.busy) return false
    this.busy = true
    this.message = null
    try {
      this.#study.accept((await call(api)).state)
      this.message = { text: done, kind: 'info' }
      return true
    } catch (error) {
      this.message = { text: describeFailure(error), kind: 'error' }
      return false
    } finally {
      this.busy = false
    }
  }

  #mayTakeOver(state: StudyState | null): boolean {
    const me = this.#study.me
    const claim = state?.claim
    return !!me?.privileges.includes('takeOver') && !!claim && claim.holder.id !== me.id
  }

  #onAction({ detail }: CustomEvent<ReaderAction>): void {
    const accession = this.accession
    switch (detail.action) {
      case 'create':
      case 'amend': {
        const body = {
          action: detail.action,
          autoTemplate: detail.action === 'create' && detail.autoTemplate,
        }
        const done =
          detail.action === 'create' ? 'Report created.' : 'The report is open for amendment.'
        void this.#run((api) => api.report(accession, body), done)
        return
      }
      case 'advance': {
        const { to, expectedRev } = detail
        void this.#run((api) => api.advance(accession, { to, expectedRev }), `Advanced to ${to}.`)
        return
      }
      case 'take-over':
        this.dialogError = ''
        this.takeoverOpen = true
    }
  }

  async #takeOver(event: CustomEvent<TakeoverConfirmDetail>): Promise<void> {
    const { reason } = event.detail
    const ok = await this.#run(
      (api) => api.takeOver(this.accession, reason),
      'Take-over recorded: the report is yours to edit now.',
    )
    if (ok) this.takeoverOpen = false
    else this.dialogError = this.message?.text ?? ''
  }

  async #takeOverTranscription(): Promise<void> {
    const me = this.#study.me
    const state = this.#study.state
    if (!me || !state) return
    this.dialogError = ''
    const ok = await this.#run(
      (api) =>
        api.assign(this.accession, {
          role: 'transcriptionist',
          userId: me.id,
          expectedRev: state.rev,
        }),
      'You are the transcriptionist of this study now.',
    )
    if (ok) this.warningDismissed = true
    else this.dialogError = this.message?.text ?? ''
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-study-desktop': SsStudyDesktop
  }
}
