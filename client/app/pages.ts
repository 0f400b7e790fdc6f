/**
 * The page each route shows. The page elements are built by other modules and
 * registered by main.ts; the shell only names them, so a page that is not loaded
 * yet renders as an empty element (styled "Loading…" by the shell) instead of
 * breaking the build.
 */
import { html, type TemplateResult } from 'lit'
import { keyed } from 'lit/directives/keyed.js'
import type { Route, SignedInUser } from './contexts.ts'
import { seesAudit, seesPresence } from './roles.ts'
import { routeKey } from './router.ts'
// The access and audit pages are not in main.ts's page globs; registered here instead.
import '../access/ss-access-tab.ts'
import '../audit/ss-audit-viewer.ts'

/** The tags the shell renders; the `:not(:defined)` placeholder style covers these. */
export const PAGE_TAGS = [
  'ss-worklist',
  'ss-study-form',
  'ss-study-desktop',
  'ss-patient-form',
  'ss-presence-dashboard',
  'ss-access-tab',
  'ss-audit-viewer',
] as const

/** Keyed by route: another study gets a fresh element, so opens and closes pair up. */
export function renderPage(route: Route, user: SignedInUser): ReturnType<typeof keyed> {
  return keyed(routeKey(route), pageFor(route, user))
}

/** For document.title. */
export function pageTitle(route: Route): string {
  switch (route.page) {
    case 'study':
      return `Study ${route.accession}`
    case 'desktop':
      return `Study ${route.accession} — desktop`
    case 'patient':
      return `Patient ${route.patientId}`
    case 'presence':
      return 'Presence'
    case 'access':
      return `Study ${route.accession} — access`
    case 'audit':
      return 'Audit trail'
    case 'login':
      return 'Sign in'
    case 'worklist':
      return 'Worklist'
  }
}

function pageFor(route: Route, user: SignedInUser): TemplateResult {
  switch (route.page) {
    case 'study':
      return html`<ss-study-form accession=${route.accession}></ss-study-form>`
    case 'desktop':
      return html`<ss-study-desktop accession=${route.accession}></ss-study-desktop>`
    case 'patient':
      return html`<ss-patient-form patient-id=${route.patientId}></ss-patient-form>`
    case 'presence':
      return seesPresence(user.role)
        ? html`<ss-presence-dashboard></ss-presence-dashboard>`
        : html`<section aria-labelledby="denied">
            <h2 id="denied">Presence</h2>
            <p>The presence dashboard is for administrators.</p>
            <p><a href="#/worklist">Back to the worklist</a></p>
          </section>`
    case 'access':
      return html`<ss-access-tab accession=${route.accession}></ss-access-tab>`
    case 'audit':
      return seesAudit(user)
        ? html`<ss-audit-viewer></ss-audit-viewer>`
        : html`<section aria-labelledby="denied">
            <h2 id="denied">Audit trail</h2>
            <p>The audit trail is for administrators and holders of the Read Audit privilege.</p>
            <p><a href="#/worklist">Back to the worklist</a></p>
          </section>`
    case 'worklist':
    case 'login':
      return html`<ss-worklist></ss-worklist>`
  }
}
