import { html, LitElement } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { TransferView } from '../../shared/access-types.ts'
import { timeEl, who } from './format.ts'
import { accessStyles } from './styles.ts'

const KIND: Readonly<Record<TransferView['kind'], string>> = {
  forwarded: 'Forwarded',
  downloaded: 'Downloaded',
}

/** "PACS (Transferred)" (seed 002): every forward or download of the study to a local PACS. */
@customElement('ss-access-transfers')
export class SsAccessTransfers extends LitElement {
  static override styles = accessStyles

  @property({ attribute: false }) transfers: TransferView[] = []

  override render() {
    if (this.transfers.length === 0)
      return html`<p class="empty">This study has not been forwarded or downloaded to a PACS.</p>`
    return html`<div class="scroll">
      <table aria-label="Transfers to PACS">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Destination</th>
            <th scope="col">By</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          ${this.transfers.map(
            (t) => html`<tr>
              <td>${KIND[t.kind] ?? t.kind}</td>
              <th scope="row">${t.destination}</th>
              <td>${who(t.by)}</td>
              <td>${timeEl(t.at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-access-transfers': SsAccessTransfers
  }
}
