/**
 * Rendering and wording shared by <ss-study-form> and <ss-patient-form>.
 */
import { css, html, type TemplateResult } from 'lit'
import type { Notice } from '../../shared/events.ts'
import type { GoneReason } from '../../shared/protocol.ts'
import type { FormSchema } from '../../shared/schema.ts'
import type { FeedClient, Navigator, Notifier } from '../app/contexts.ts'
import { ALL_SAVED, savedText } from '../components/saved-text.ts'
import type { ClosedStatus, ConnectionStatus } from '../connection/index.ts'
import type { FormSession, SubjectType } from './form-session.ts'
import { clockTime, personName } from './format.ts'
import './ss-field.ts'
import './ss-text-field.ts'

export { ALL_SAVED }

/** The connection line (DESIGN §6): the connection, and whether edits are saved on the server. */
export function connectionText(
  status: ConnectionStatus | null,
  unsaved: number,
  acknowledged: boolean,
): string {
  const saved = savedText(unsaved, acknowledged)
  const kept = unsaved > 0 ? `${saved}, kept on this device` : saved
  switch (status?.kind) {
    case undefined:
    case 'connecting':
      return kept ? `Connecting… — ${kept}` : 'Connecting…'
    case 'online':
      if (status.synced && unsaved === 0 && acknowledged) return ALL_SAVED
      return saved ? `Syncing… — ${saved}` : 'Syncing…'
    case 'reconnecting':
      return kept ? `Reconnecting… — ${kept}` : 'Reconnecting…'
    case 'offline':
      return `Offline — ${kept ?? 'changes are kept on this device'}`
    case 'closed':
      return 'Closed'
  }
}

const NOUN: Record<SubjectType, string> = { study: 'Study', patient: 'Patient' }

/** Why a form cannot be shown, for a permanent close. */
export function closedText(type: SubjectType, id: string, status: ClosedStatus): string {
  const what = `${NOUN[type]} ${id}`
  switch (status.code) {
    case 4401:
      return 'Your session has ended. Please sign in again.'
    case 4403:
      return `You do not have access to ${what.toLowerCase()}.`
    case 4404:
      return `${what} does not exist.`
    case 4410:
      return status.gone === undefined ? `${what} is gone.` : goneText(type, id, status.gone)
    default:
      return `${what} was closed by the server (${status.code}).`
  }
}

/** "study A10001 deleted by BOSE at 14:02:31" — the words of the server's own notice. */
export function goneText(type: SubjectType, id: string, gone: GoneReason): string {
  const what = gone.reason === 'merged' ? `merged into ${gone.mergedInto ?? '?'}` : 'deleted'
  return `${type} ${id} ${what} by ${personName(gone.by)} at ${clockTime(gone.at)}`
}

/**
 * After a 4410 the form leaves for the worklist. The shell shows the blocking dialog
 * from the feed's notice; without a live feed nobody would, so the form raises it.
 */
export function leaveGone(
  context: { navigator: Navigator | null; notifier: Notifier | null; feed: FeedClient | null },
  type: SubjectType,
  id: string,
  gone: GoneReason | undefined,
): void {
  const { navigator, notifier, feed } = context
  if (feed === null || feed.state !== 'open') {
    const at = gone?.at ?? new Date().toISOString()
    const notice: Notice = {
      kind: `${type}.${gone?.reason ?? 'deleted'}`,
      tier: 'blocking',
      subject: { type, id },
      by: gone?.by ?? 'SYSTEM',
      at,
      text: gone === undefined ? `${NOUN[type]} ${id} is gone` : goneText(type, id, gone),
      ...(gone?.mergedInto === undefined ? {} : { details: { mergedInto: gone.mergedInto } }),
    }
    const target = gone?.mergedInto
    const actions =
      target === undefined || navigator === null
        ? []
        : [{ label: `Open ${target}`, run: () => navigator.go(routeTo(type, target)) }]
    notifier?.show(notice, { actions })
  }
  navigator?.go({ page: 'worklist' })
}

function routeTo(type: SubjectType, id: string) {
  return type === 'study'
    ? ({ page: 'study', accession: id } as const)
    : ({ page: 'patient', patientId: id } as const)
}

/** The schema's fields in order; focus events go to presence. */
export function renderFields(
  schema: FormSchema,
  session: FormSession,
  readOnly: boolean,
): TemplateResult {
  const fields = session.fields
  return html`<div
    class="fields"
    @ss-field-focus=${(e: CustomEvent<{ field: string | null }>) =>
      session.presence.setFocus(e.detail.field)}
  >
    ${Object.entries(schema).map(([key, spec]) => {
      const editors = session.presence.editorsOf(key)
      const highlight = session.highlights.get(key)
      return spec.kind === 'text'
        ? html`<ss-text-field
            class="wide"
            .fields=${fields}
            field=${key}
            .spec=${spec}
            ?read-only=${readOnly}
            .editors=${editors}
            .highlight=${highlight}
          ></ss-text-field>`
        : html`<ss-field
            .fields=${fields}
            field=${key}
            .spec=${spec}
            ?read-only=${readOnly}
            .editors=${editors}
            .highlight=${highlight}
          ></ss-field>`
    })}
  </div>`
}

export const formStyles = css`
  :host {
    display: block;
    font-family: system-ui, sans-serif;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25rem 1rem;
  }
  h2 {
    margin: 0;
  }
  .fields {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
    gap: 0.5rem 1rem;
    margin-top: 0.75rem;
  }
  .wide {
    grid-column: 1 / -1;
  }
  .connection {
    font-size: 0.875rem;
    color: #555;
  }
  .connection.warn {
    color: #8a4b00;
    font-weight: 600;
  }
  .banner {
    padding: 0.5rem 0.75rem;
    border-left: 4px solid #8a4b00;
    background: #fff7e6;
  }
  [role='alert'].banner {
    border-color: #b00020;
    background: #fdecee;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`
