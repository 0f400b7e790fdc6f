/** How one audit entry reads in the table and the timeline. */
import { html } from 'lit'
import { who } from '../access/format.ts'
import type { AuditEntry } from './types.ts'

export function outcomeBadge(outcome: string) {
  const tone = outcome === 'success' ? 'good' : 'bad'
  return html`<span class="badge ${tone}">${outcome}</span>`
}

export function subjectText(entry: AuditEntry): string {
  return `${entry.subject.type} ${entry.subject.id}`
}

export function actorText(entry: AuditEntry): string {
  return who(entry.actor)
}

/** The expandable part: chain position, session, hashes and the entry's details. */
export function entryDetails(entry: AuditEntry) {
  const details = entry.details ?? {}
  return html`<details>
    <summary>Details<span class="visually-hidden"> of entry ${entry.id}</span></summary>
    <dl class="details">
      <dt>Entry</dt>
      <dd>${entry.id}</dd>
      <dt>Session</dt>
      <dd>${entry.source.session ?? '—'}</dd>
      <dt>Hash</dt>
      <dd><code>${entry.hash}</code></dd>
      <dt>Previous hash</dt>
      <dd><code>${entry.prevHash}</code></dd>
      <dt>Details</dt>
      <dd>${
        Object.keys(details).length === 0
          ? '—'
          : html`<pre>${JSON.stringify(details, null, 2)}</pre>`
      }</dd>
    </dl>
  </details>`
}
