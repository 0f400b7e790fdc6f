/**
 * Fixtures for the form tests: fake shell services provided through @lit/context,
 * "the other user" as a second Y.Doc + stock WebsocketProvider in the same page
 * (disableBc, so everything goes through the sync test server), and queries by
 * label and role across shadow roots.
 */
import { ContextProvider } from '@lit/context'
import { html, LitElement } from 'lit'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import {
  type AppSession,
  apiContext,
  type FeedClient,
  feedContext,
  type Navigator,
  type Notifier,
  navigatorContext,
  notifierContext,
  type Route,
  type StudySyncApi,
  sessionContext,
} from '../../client/app/contexts.ts'
import type { OpenResult, StudyState } from '../../shared/api-types.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import type { DeliveredEvent, FeedEvent, Notice } from '../../shared/events.ts'

export interface Fakes {
  session: AppSession
  api: StudySyncApi
  notifier: Notifier
  navigator: Navigator
  feed: FeedClient | null
  /** What the fakes were asked to do, in order: "open A1", "close A1", "toast …", "show …", "go worklist". */
  calls: string[]
  shown: Notice[]
}

export const STATE: StudyState = {
  status: 'ready-to-read',
  readingPhysician: null,
  performingPhysician: null,
  technologist: null,
  transcriptionist: null,
  imageCount: 12,
  srCount: 0,
  claim: null,
  group: null,
  lifecycle: 'active',
  mergedInto: null,
  rev: 1,
}

export function fakes(
  user: UserIdentity,
  options: { open?: Partial<OpenResult>; feed?: FeedClient | null } = {},
): Fakes {
  const calls: string[] = []
  const shown: Notice[] = []
  const api = {
    async open(accession: string) {
      calls.push(`open ${accession}`)
      const base = { readOnly: false, claim: null, assigned: false, assignedRoles: [] }
      return { ...base, canTakeOver: false, notices: [], state: STATE, ...options.open }
    },
    async close(accession: string) {
      calls.push(`close ${accession}`)
      return { released: false }
    },
    async study(accession: string) {
      return { accession, patientId: 'P1001', modality: 'CT', fields: {}, state: STATE, access: [] }
    },
  }
  let route: Route = { page: 'worklist' }
  return {
    session: { user: { ...user, username: user.name.toLowerCase(), privileges: [] }, token: null },
    api: api as unknown as StudySyncApi,
    notifier: {
      show: (notice) => {
        calls.push(`show ${notice.text}`)
        shown.push(notice)
      },
      toast: (text) => calls.push(`toast ${text}`),
    },
    navigator: {
      get route() {
        return route
      },
      go: (next) => {
        route = next
        calls.push(`go ${next.page}`)
      },
    },
    feed: options.feed === undefined ? null : options.feed,
    calls,
    shown,
  }
}

export interface FakeFeed extends FeedClient {
  emit(event: FeedEvent): void
  readonly listeners: number
}

export function fakeFeed(state: FeedClient['state'] = 'open'): FakeFeed {
  const listeners = new Set<(event: DeliveredEvent) => void>()
  let id = 0
  return {
    state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onState: () => () => {},
    emit(event) {
      id += 1
      for (const listener of [...listeners]) listener({ id, event })
    },
    get listeners() {
      return listeners.size
    },
  }
}

/** The app shell's part in these tests: provides the fakes to whatever is slotted in. */
export class FormsTestShell extends LitElement {
  readonly #session = new ContextProvider(this, { context: sessionContext, initialValue: null })
  readonly #api = new ContextProvider(this, { context: apiContext })
  readonly #notifier = new ContextProvider(this, { context: notifierContext, initialValue: null })
  readonly #navigator = new ContextProvider(this, { context: navigatorContext, initialValue: null })
  readonly #feed = new ContextProvider(this, { context: feedContext, initialValue: null })

  set fakes(value: Fakes) {
    this.#session.setValue(value.session)
    this.#api.setValue(value.api)
    this.#notifier.setValue(value.notifier)
    this.#navigator.setValue(value.navigator)
    this.#feed.setValue(value.feed)
  }

  override render() {
    return html`<slot></slot>`
  }
}
if (!customElements.get('forms-test-shell'))
  customElements.define('forms-test-shell', FormsTestShell)

/** "The other user": its own Y.Doc and stock provider, presence stamped as the server would. */
export interface RemotePeer {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  readonly fields: Y.Map<unknown>
  present(state: Record<string, unknown>): void
  destroy(): void
}

export async function remotePeer(
  syncUrl: string,
  docName: string,
  user: UserIdentity | null = null,
  presence: Record<string, unknown> = {},
): Promise<RemotePeer> {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(syncUrl, docName, doc, { disableBc: true })
  const present = (state: Record<string, unknown>) => {
    const base = { mode: 'viewing', view: 'info', openedAt: new Date().toISOString(), focus: null }
    // The server stamps `user`; the test server does not, so the peer plays both parts.
    provider.awareness.setLocalState(user === null ? null : { ...base, ...state, user })
  }
  present(presence)
  await new Promise<void>((resolve) => {
    const onSync = (synced: boolean) => {
      if (!synced) return
      provider.off('sync', onSync)
      resolve()
    }
    provider.on('sync', onSync)
  })
  return {
    doc,
    provider,
    fields: doc.getMap('fields'),
    present: (state) => present({ ...provider.awareness.getLocalState(), ...state }),
    destroy: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

/** A study as the server seeds it: plain values, and Y.Text for the text fields. */
export function seedStudy(peer: RemotePeer, history = 'Cough.'): void {
  peer.doc.transact(() => {
    peer.fields.set('priority', 'ROUTINE')
    peer.fields.set('description', 'CT head')
    peer.fields.set('referringPhysician', 'Dr Okafor')
    peer.fields.set('bodyPart', 'HEAD')
    peer.fields.set('clinicalHistory', new Y.Text(history))
    peer.fields.set('notes', new Y.Text(''))
  })
}

/** Every root under `root`, shadow roots included. */
function roots(root: Element | ShadowRoot): Array<Element | ShadowRoot> {
  const found: Array<Element | ShadowRoot> = [root]
  for (const el of root.querySelectorAll('*'))
    if (el.shadowRoot) found.push(...roots(el.shadowRoot))
  if (root instanceof Element && root.shadowRoot) found.push(...roots(root.shadowRoot))
  return found
}

export function deepQueryAll<E extends Element = Element>(root: Element, selector: string): E[] {
  return [...new Set(roots(root).flatMap((r) => [...r.querySelectorAll<E>(selector)]))]
}

type Control = HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement

/** The form control whose <label for> says `text`, as assistive technology finds it. */
export function control(root: Element, text: string): Control {
  const label = deepQueryAll<HTMLLabelElement>(root, 'label').find(
    (l) => l.textContent?.trim() === text,
  )
  const target = label ? (label.getRootNode() as ShadowRoot).getElementById(label.htmlFor) : null
  if (target === null) throw new Error(`no control labelled ${text}`)
  return target as Control
}

export function hasControl(root: Element, text: string): boolean {
  return deepQueryAll<HTMLLabelElement>(root, 'label').some((l) => l.textContent?.trim() === text)
}

/** The accessible description from `aria-describedby` (else `title`). */
export function description(el: Element): string {
  const ids = el.getAttribute('aria-describedby')?.split(/\s+/).filter(Boolean) ?? []
  const rootNode = el.getRootNode() as ShadowRoot | Document
  const text = ids.map((id) => rootNode.getElementById(id)?.textContent?.trim() ?? '').join(' ')
  return text || (el.getAttribute('title') ?? '')
}

/** Elements with `role` whose accessible name (aria-label or text) matches. */
export function byRole(root: Element, role: string, name?: RegExp): HTMLElement[] {
  return deepQueryAll<HTMLElement>(root, `[role="${role}"]`).filter(
    (el) => name === undefined || name.test(el.getAttribute('aria-label') ?? el.textContent ?? ''),
  )
}

export function liveText(root: Element): string {
  return byRole(root, 'status')
    .map((el) => el.textContent ?? '')
    .join(' ')
}

/** Types as a user does: the new value, the caret after it, one input event. */
export function typeInto(
  el: HTMLInputElement | HTMLTextAreaElement,
  value: string,
  caret?: number,
) {
  el.focus()
  el.value = value
  const at = caret ?? value.length
  el.setSelectionRange(at, at)
  el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }))
}

/** Commits an input (what blur or Enter does). */
export function commit(el: HTMLElement): void {
  el.dispatchEvent(new Event('change', { bubbles: true }))
}
