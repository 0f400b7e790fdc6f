import { html, LitElement, nothing } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import type { BucketView } from '../../shared/access-types.ts'
import type { AccessActions } from './access-controller.ts'
import { who } from './format.ts'
import type { SsConfirmDialog } from './ss-confirm-dialog.ts'
import { accessStyles } from './styles.ts'
import './ss-confirm-dialog.ts'

/**
 * Buckets (seed 002): every bucket the study belongs to, its owner and who it is
 * shared with. Managers can remove the study from a bucket or revoke the whole
 * bucket, each after a confirmation that says who loses what.
 */
@customElement('ss-access-buckets')
export class SsAccessBuckets extends LitElement {
  static override styles = accessStyles

  @property() accession = ''
  @property({ attribute: false }) buckets: BucketView[] = []
  @property({ type: Boolean }) manage = false
  @property({ attribute: false }) actions: AccessActions | null = null

  @query('ss-confirm-dialog') private confirm!: SsConfirmDialog

  override render() {
    if (this.buckets.length === 0) return html`<p class="empty">This study is in no bucket.</p>`
    return html`<div class="scroll">
        <table aria-label="Buckets">
          <thead>
            <tr>
              <th scope="col">Bucket</th>
              <th scope="col">Owner</th>
              <th scope="col">Shared with</th>
              <th scope="col">Studies</th>
              ${this.manage ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : nothing}
            </tr>
          </thead>
          <tbody>
            ${this.buckets.map((b) => this.#row(b))}
          </tbody>
        </table>
      </div>
      ${this.manage ? html`<ss-confirm-dialog></ss-confirm-dialog>` : nothing}`
  }

  #row(b: BucketView) {
    const shared = b.sharedWith.map((p) => (p.kind === 'group' ? `${p.name} (group)` : p.name))
    return html`<tr data-bucket=${b.id}>
      <th scope="row">${b.name}</th>
      <td>${who(b.owner)}</td>
      <td>${shared.length === 0 ? html`<span class="note">Nobody</span>` : shared.join(', ')}</td>
      <td>${b.accessions.length} (${b.accessions.join(', ')})</td>
      ${
        this.manage
          ? html`<td class="actions">
            <button type="button" class="danger" aria-label="Remove study from bucket ${b.name}"
              @click=${() => this.#removeStudy(b)}>Remove study from bucket</button>
            <button type="button" class="danger" aria-label="Revoke whole bucket ${b.name}"
              @click=${() => this.#revokeBucket(b)}>Revoke whole bucket</button>
          </td>`
          : nothing
      }
    </tr>`
  }

  async #removeStudy(b: BucketView): Promise<void> {
    const yes = await this.confirm.ask({
      heading: 'Remove study from bucket?',
      message: `Study ${this.accession} leaves bucket “${b.name}”: ${sharedText(b)} lose access to this study through it. ${othersText(b.accessions.length - 1)}`,
      confirm: 'Remove study from bucket',
    })
    if (yes) await this.actions?.removeFromBucket(b).catch(() => {})
  }

  async #revokeBucket(b: BucketView): Promise<void> {
    const yes = await this.confirm.ask({
      heading: 'Revoke whole bucket?',
      message: `Bucket “${b.name}” is revoked for all ${count(b.accessions.length, 'study', 'studies')} in it: ${sharedText(b)} lose access to them through it at once.`,
      confirm: 'Revoke whole bucket',
    })
    if (yes) await this.actions?.revokeBucket(b).catch(() => {})
  }
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

function sharedText(b: BucketView): string {
  const names = b.sharedWith.map((p) => p.name)
  return names.length === 0 ? 'those it is shared with' : names.join(', ')
}

function othersText(others: number): string {
  if (others === 0) return 'The bucket holds no other study.'
  return `The other ${count(others, 'study stays', 'studies stay')} in the bucket.`
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-buckets': SsAccessBuckets
  }
}
