/**
 * Fake contexts for the desktop and admin element tests: a recording StudySyncApi,
 * a FeedClient the test drives, a navigator and a notifier, provided through
 * @lit/context on a plain wrapper element, plus accessible-name queries.
 */
import { ContextProvider } from '@lit/context'
import { fixture, html } from '@open-wc/testing'
import { render, type TemplateResult } from 'lit'
import type {
  AppSession,
  FeedClient,
  Navigator,
  Notifier,
  Route,
  SignedInUser,
  StudySyncApi,
} from '../../client/app/contexts.ts'
import {
  apiContext,
  feedContext,
  navigatorContext,
  notifierContext,
  sessionContext,
} from '../../client/app/contexts.ts'
import type { OpenResult, StudyState } from '../../shared/api-types.ts'
import type { DeliveredEvent, FeedEvent } from '../../shared/events.ts'

export interface Call {
  readonly method: keyof StudySyncApi
  readonly args: unknown[]
}

export interface FakeApi {
  readonly api: StudySyncApi
  readonly calls: Call[]
  /** Resolves with the first call of `method` (an earlier one included). */
  called(method: keyof StudySyncApi): Promise<Call>
}

/** Every method records its call, then runs the given implementation or rejects. */
export function fakeApi(impl: Partial<StudySyncApi>): FakeApi {
  const calls: Call[] = []
  const waiting: { method: keyof StudySyncApi; resolve: (call: Call) => void }[] = []
  const api = new Proxy({} as StudySyncApi, {
    get(_target, name) {
      const method = name as keyof StudySyncApi
      return (...args: unknown[]) => {
        const call = { method, args }
        calls.push(call)
        for (const w of waiting.filter((w) => w.method === method)) w.resolve(call)
        const fn = impl[method] as ((...a: unknown[]) => Promise<unknown>) | undefined
        return fn ? fn(...args) : Promise.reject(new Error(`${String(method)} not faked`))
      }
    },
  })
  return {
    api,
    calls,
    called: (method) => {
      const done = calls.find((c) => c.method === method)
      if (done) return Promise.resolve(done)
      return new Promise((resolve) => waiting.push({ method, resolve }))
    },
  }
}

export interface FakeFeed extends FeedClient {
  emit(event: FeedEvent): void
}

export function fakeFeed(): FakeFeed {
  const listeners = new Set<(event: DeliveredEvent) => void>()
  let id = 0
  return {
    state: 'open',
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onState: () => () => {},
    emit(event) {
      id += 1
      for (const listener of [...listeners]) listener({ id, event })
    },
  }
}

export function fakeNavigator(): Navigator & { readonly routes: Route[] } {
  const routes: Route[] = []
  return {
    routes,
    get route() {
      return routes.at(-1) ?? { page: 'worklist' }
    },
    go: (route) => routes.push(route),
  }
}

export function fakeNotifier(): Notifier & { readonly toasts: string[] } {
  const toasts: string[] = []
  return { toasts, show: (notice) => toasts.push(notice.text), toast: (text) => toasts.push(text) }
}

export function session(user: Partial<SignedInUser> & { id: string; name: string }): AppSession {
  return {
    user: { role: 'radiologist', username: user.name.toLowerCase(), privileges: [], ...user },
    token: null,
  }
}

export function studyState(overrides: Partial<StudyState> = {}): StudyState {
  return {
    status: 'ready-to-read',
    readingPhysician: null,
    performingPhysician: null,
    technologist: null,
    transcriptionist: null,
    imageCount: 3,
    srCount: 0,
    claim: null,
    group: null,
    lifecycle: 'active',
    mergedInto: null,
    rev: 7,
    ...overrides,
  }
}

export function openResult(state: StudyState, overrides: Partial<OpenResult> = {}): OpenResult {
  return {
    readOnly: false,
    claim: state.claim,
    assigned: false,
    assignedRoles: [],
    canTakeOver: false,
    notices: [],
    state,
    ...overrides,
  }
}

export interface Contexts {
  session: AppSession | null
  api: StudySyncApi
  feed?: FeedClient | null
  navigator?: Navigator | null
  notifier?: Notifier | null
}

/** Renders `template` inside a wrapper that provides the app contexts. */
export async function mount<T extends HTMLElement & { updateComplete: Promise<boolean> }>(
  contexts: Contexts,
  template: TemplateResult,
): Promise<T> {
  const host = await fixture<HTMLDivElement>(html`<div></div>`)
  new ContextProvider(host, { context: sessionContext, initialValue: contexts.session })
  new ContextProvider(host, { context: apiContext, initialValue: contexts.api })
  new ContextProvider(host, { context: feedContext, initialValue: contexts.feed ?? null })
  new ContextProvider(host, { context: navigatorContext, initialValue: contexts.navigator ?? null })
  new ContextProvider(host, { context: notifierContext, initialValue: contexts.notifier ?? null })
  render(template, host)
  const element = host.firstElementChild as T
  await element.updateComplete
  return element
}

const name = (el: Node) => el.textContent?.replace(/\s+/g, ' ').trim() ?? ''

/** The button whose accessible name (its text) is `text`. */
export function button(root: ParentNode, text: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => name(b) === text)
  if (!found) throw new Error(`no button "${text}"`)
  return found
}

export function hasButton(root: ParentNode, text: string): boolean {
  return [...root.querySelectorAll('button')].some((b) => name(b) === text)
}

/** The form control labelled `text` (by <label for> or a wrapping <label>). */
export function labelled<T extends HTMLElement = HTMLInputElement>(
  root: ParentNode,
  text: string,
): T {
  for (const label of root.querySelectorAll('label')) {
    const own = [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
    const words = own
      .map((n) => n.textContent)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim()
    if (words !== text && name(label) !== text) continue
    const control = label.htmlFor
      ? (root as Element | ShadowRoot).querySelector(`#${label.htmlFor}`)
      : label.querySelector('input, select, textarea')
    if (control) return control as T
  }
  throw new Error(`no control labelled "${text}"`)
}

/** Text of the element referenced by `aria-describedby` (all ids). */
export function description(root: ShadowRoot, el: Element): string {
  const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
  return ids.map((id) => name(root.getElementById(id) ?? document.createElement('i'))).join(' ')
}

/** Elements of `role` (explicit attribute) whose text includes `text`. */
export function byRole(root: ParentNode, role: string, text = ''): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(`[role="${role}"]`)].filter((el) =>
    name(el).includes(text),
  )
}

/** Types into a field the way an input event reports it, the caret (if given) after the typing. */
export function type(
  field: HTMLInputElement | HTMLTextAreaElement,
  value: string,
  caret?: number,
): void {
  field.value = value
  if (caret !== undefined) field.setSelectionRange(caret, caret)
  field.dispatchEvent(new Event('input', { bubbles: true, composed: true }))
}

export const textOf = name
