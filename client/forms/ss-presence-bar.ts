import { css, html, LitElement, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { styleMap } from 'lit/directives/style-map.js'
import type { View } from '../../shared/domain.ts'
import { initials, shortTime, userColour, words } from './format.ts'
import type { Peer } from './presence-controller.ts'

const VIEW_WORDS: Record<View, string> = {
  info: 'in the info form',
  desktop: 'on the reading desktop',
  documents: 'in the document viewer',
}

/** "active now", "active 10 s ago", "no sign for 25 s — connection lost?", "connection lost". */
export function freshness(peer: Peer): string {
  const seconds = Math.round(peer.idleMs / 1000)
  const ago = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`
  if (peer.connection === 'lost') return 'connection lost'
  if (peer.connection === 'stale') return `no sign for ${ago} — connection lost?`
  return seconds < 2 ? 'active now' : `active ${ago} ago`
}

/** "BOSE (radiologist) reading since 14:02 on the reading desktop, active 5 s ago" (API.md "Web app"). */
export function peerLabel(peer: Peer): string {
  const who = peer.sameUser
    ? `You (${peer.user.name}) in another window`
    : `${peer.user.name} (${words(peer.user.role)})`
  const since = peer.openedAt === null ? '' : ` since ${shortTime(peer.openedAt)}`
  const where = peer.view === null ? '' : ` ${VIEW_WORDS[peer.view]}`
  return `${who} ${peer.mode}${since}${where}, ${freshness(peer)}`
}

/**
 * Who else has this study or patient open (S1, S4): an avatar per client with
 * name, role, mode, view, since when and how fresh; arrivals are announced in a
 * polite live region and shown in the bar (S2).
 */
@customElement('ss-presence-bar')
export class SsPresenceBar extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    section {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
    }
    ul {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      display: flex;
      align-items: center;
      gap: 0.5rem;
    }
    .avatar {
      display: inline-grid;
      place-items: center;
      width: 2.5rem;
      height: 2.5rem;
      border-radius: 50%;
      color: #fff;
      font-weight: 700;
      flex: none;
    }
    li.stale .avatar,
    li.lost .avatar {
      opacity: 0.45;
      outline: 2px dashed #b00020;
    }
    .details {
      display: grid;
      font-size: 0.875rem;
      line-height: 1.2;
    }
    .fresh {
      color: #555;
    }
    li.stale .fresh,
    li.lost .fresh {
      color: #b00020;
    }
    .announcement:empty,
    .alone {
      color: #555;
    }
    .announcement {
      font-weight: 600;
    }
    @media (max-width: 48rem) {
      .fresh {
        display: none;
      }
    }
  `

  @property({ attribute: false }) peers: readonly Peer[] = []
  /** The latest arrival, e.g. "HUYEN opened this study at 14:03." */
  @property() announcement = ''
  /** "study" or "patient record". */
  @property() noun = 'study'

  override render() {
    return html`<section aria-label="Who else is here">
      ${
        this.peers.length === 0
          ? html`<p class="alone">Nobody else has this ${this.noun} open.</p>`
          : html`<ul>
            ${this.peers.map((peer) => this.#peer(peer))}
          </ul>`
      }
      <p class="announcement" role="status" aria-live="polite">${this.announcement}</p>
    </section>`
  }

  #peer(peer: Peer) {
    const since = peer.openedAt === null ? nothing : html` since ${shortTime(peer.openedAt)}`
    return html`<li class=${peer.connection}>
      <span
        class="avatar"
        role="img"
        aria-label=${peerLabel(peer)}
        title=${peerLabel(peer)}
        style=${styleMap({ background: userColour(peer.user.id) })}
        >${initials(peer.user.name)}</span
      >
      <span class="details" aria-hidden="true">
        <span><strong>${peer.sameUser ? 'You' : peer.user.name}</strong> ${words(peer.user.role)}</span>
        <span>${peer.mode}${since}${peer.view === null ? nothing : ` · ${peer.view}`}</span>
        <span class="fresh">${freshness(peer)}</span>
      </span>
    </li>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-presence-bar': SsPresenceBar
  }
}
