import { consume } from '@lit/context'
import { html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { Role } from '../../shared/domain.ts'
import { PATIENT_FORM } from '../../shared/schema.ts'
import {
  type AppSession,
  type FeedClient,
  feedContext,
  type Navigator,
  type Notifier,
  navigatorContext,
  notifierContext,
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
import { YObserver } from './y-observer.ts'
import './ss-presence-bar.ts'

/**
 * Who may edit patient registration. The server decides (a read-only connection's
 * writes are never applied); this mirror only keeps the form from offering edits
 * that would be refused.
 */
const PATIENT_EDITORS: ReadonlySet<Role> = new Set([
  'clerk',
  'technologist',
  'admin',
  'systemAdmin',
  'system',
])

/**
 * The patient registration form (`<ss-patient-form patient-id="P1001">`) over
 * `patient/<id>`: the same live editing, presence and change highlights as the
 * study form (S9), closed with the worklist when the patient is merged or deleted (S23).
 */
@customElement('ss-patient-form')
export class SsPatientForm extends LitElement {
  static override styles = formStyles

  @property({ attribute: 'patient-id' }) patientId = ''
  /** Sync endpoint override (tests); default this origin's `/sync`. */
  @property({ attribute: false }) syncUrl: string | undefined = undefined
  /** Forces read-only rendering (e.g. for a patient's own view). */
  @property({ type: Boolean, attribute: 'read-only' }) readOnly = false

  @consume({ context: sessionContext, subscribe: true }) session: AppSession | null = null
  @consume({ context: notifierContext, subscribe: true }) notifier: Notifier | null = null
  @consume({ context: navigatorContext, subscribe: true }) nav: Navigator | null = null
  @consume({ context: feedContext, subscribe: true }) feed: FeedClient | null = null

  readonly #form = new FormSession(this, {
    type: 'patient',
    schema: PATIENT_FORM,
    view: 'info',
    noun: 'patient record',
    selfId: () => this.session?.user.id ?? null,
    closed: (status) => this.#onClosed(status),
    refused: () =>
      this.notifier?.toast(
        `The server refused changes made on this device to patient ${this.patientId}; the form was reloaded from the server.`,
        'error',
      ),
    quarantined: (entry) => this.notifier?.toast(quarantinedText(entry), 'error'),
  })
  readonly #state = new YObserver(this)

  protected override willUpdate(): void {
    const { session, patientId } = this
    this.#form.setFeed(this.feed)
    this.#form.open(
      session === null || patientId === ''
        ? null
        : { id: patientId, userId: session.user.id, token: session.token, serverUrl: this.syncUrl },
    )
    this.#state.observe(this.#form.state)
  }

  override render() {
    const closed = this.#form.documents.closed
    if (closed !== null)
      return html`<p role="alert" class="banner">${closedText('patient', this.patientId, closed)}</p>`
    const readOnly = this.#readOnly
    const { status, unsaved, acknowledged } = this.#form.documents
    const connection = connectionText(status, unsaved, acknowledged)
    return html`
      <header><h2>Patient ${this.patientId}</h2></header>
      <ss-presence-bar
        .peers=${this.#form.presence.peers}
        announcement=${this.#form.presence.announcement}
        noun="patient record"
      ></ss-presence-bar>
      ${readOnly ? html`<p class="banner">Read-only: you can view this patient record but not change it.</p>` : nothing}
      <p class="connection ${connection === ALL_SAVED ? '' : 'warn'}" role="status">${connection}</p>
      ${renderFields(PATIENT_FORM, this.#form, readOnly)}
      <p class="visually-hidden" role="status" aria-live="polite">${this.#form.highlights.announcement}</p>
    `
  }

  get #readOnly(): boolean {
    const role = this.session?.user.role
    const lifecycle = this.#form.state?.get('lifecycle')
    return (
      this.readOnly ||
      role === undefined ||
      !PATIENT_EDITORS.has(role) ||
      (typeof lifecycle === 'string' && lifecycle !== 'active')
    )
  }

  #onClosed(status: ClosedStatus): void {
    if (status.code !== 4410) return
    void this.#form.documents.discard()
    leaveGone(
      { navigator: this.nav, notifier: this.notifier, feed: this.feed },
      'patient',
      this.patientId,
      status.gone,
    )
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-patient-form': SsPatientForm
  }
}
