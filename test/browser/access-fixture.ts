/**
 * Fixtures for the Access tab, break-the-glass and audit viewer tests: a study's
 * access list like the demo site's (seed 002), audit entries, and queries by
 * label and name through shadow roots.
 */

import type { AuditEntry } from '../../client/audit/types.ts'
import type { StudyAccessView } from '../../shared/access-types.ts'
import { accessibleName, deepQueryAll } from './dom.ts'

export const ACC = 'A10001'
const H = 3600_000
const now = Date.now()
export const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString()

export const CLERK = { id: 'u-clerk', name: 'CLERK' }
export const ADMIN = { id: 'u-admin', name: 'ADMIN' }
export const BOSE = { id: 'u-bose', name: 'BOSE' }
export const PERF = { id: 'u-perf', name: 'PERF' }

export const USERS = [
  { ...BOSE, role: 'radiologist' },
  { ...CLERK, role: 'clerk' },
  { ...PERF, role: 'performingPhysician' },
]

export function accessView(overrides: Partial<StudyAccessView> = {}): StudyAccessView {
  return {
    accession: ACC,
    grants: [
      {
        id: 'grant-1',
        user: CLERK,
        type: 'view',
        validUntil: iso(7 * 24 * H),
        grantedBy: ADMIN,
        grantedAt: iso(-24 * H),
      },
      {
        id: 'grant-2',
        group: {
          id: 'g-registration',
          name: 'Registration desk',
          members: [CLERK, PERF],
          contact: {
            address: '1 Hospital Way, Springfield',
            phone: '555-0140',
            email: 'registration@hospital.example',
          },
        },
        type: 'edit',
        validUntil: null,
        grantedBy: ADMIN,
        grantedAt: iso(-48 * H),
      },
    ],
    breakGlass: [
      {
        id: 'bg-1',
        accession: ACC,
        user: PERF,
        at: iso(-2 * H),
        reason: 'Patient in resus, referring team unreachable',
        expiresAt: iso(2 * H),
        active: true,
        acknowledgedBy: null,
        acknowledgedAt: null,
      },
    ],
    transfers: [
      {
        id: 'tx-1',
        kind: 'forwarded',
        destination: 'NORTHSIDE-PACS (AE NSPACS01)',
        by: 'SYSTEM',
        at: iso(-20 * H),
      },
      {
        id: 'tx-2',
        kind: 'downloaded',
        destination: 'Workstation RAD-WS-03',
        by: BOSE,
        at: iso(-6 * H),
      },
    ],
    buckets: [
      {
        id: 'bucket-1',
        name: 'Tumour board, week 23',
        owner: BOSE,
        sharedWith: [{ kind: 'group', id: 'g-northside', name: 'Northside Referring Clinic' }],
        accessions: [ACC, 'A10004'],
      },
    ],
    referenceNumbers: [
      {
        id: 'ref-1',
        number: 'CT-7KQ4M9PRT2',
        validFrom: iso(-24 * H),
        validTo: iso(29 * 24 * H),
        hasPin: false,
        failedAttempts: 2,
        lockedOut: false,
        compliant: true,
        usable: true,
        createdAt: iso(-24 * H),
      },
      {
        id: 'ref-2',
        number: '12345',
        validFrom: iso(-90 * 24 * H),
        validTo: iso(275 * 24 * H),
        hasPin: false,
        failedAttempts: 0,
        lockedOut: false,
        compliant: false,
        usable: false,
        createdAt: iso(-90 * 24 * H),
      },
    ],
    ...overrides,
  }
}

let nextId = 100
export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  const id = String(nextId++)
  return {
    id,
    at: iso(-Number(id) * 1000),
    actor: BOSE,
    action: 'study.open',
    subject: { type: 'study', id: ACC },
    patientId: 'P20001',
    outcome: 'success',
    source: { ip: '10.0.0.7', session: 'sess-1' },
    details: { view: 'info' },
    hash: `h${id}`,
    prevHash: `h${Number(id) - 1}`,
    ...overrides,
  }
}

type Control = HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement

/** The input, select or textarea whose `<label for>` reads `text`, through shadow roots. */
export function field(root: ParentNode, text: string): Control {
  for (const label of deepQueryAll<HTMLLabelElement>(root, 'label')) {
    if (label.textContent?.trim() !== text || !label.htmlFor) continue
    const found = (label.getRootNode() as ShadowRoot | Document).getElementById(label.htmlFor)
    if (found) return found as Control
  }
  throw new Error(`no field labelled ${text}`)
}

/** Sets a value as a user would and fires input and change. */
export function fill(control: Control, value: string): void {
  control.value = value
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }))
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }))
}

/** Every button named `name` (aria-label or text), through shadow roots. */
export function buttons(root: ParentNode, name: string | RegExp): HTMLButtonElement[] {
  return deepQueryAll<HTMLButtonElement>(root, 'button').filter((b) =>
    typeof name === 'string' ? accessibleName(b) === name : name.test(accessibleName(b)),
  )
}

/** The open modal dialog, if any. */
export function openDialog(root: ParentNode): HTMLDialogElement | null {
  return deepQueryAll<HTMLDialogElement>(root, 'dialog').find((d) => d.open) ?? null
}

/** The text of a `role` region(s), through shadow roots. */
export function roleText(root: ParentNode, role: string): string {
  return deepQueryAll(root, `[role="${role}"]`)
    .map((el) => el.textContent?.replace(/\s+/g, ' ').trim() ?? '')
    .filter(Boolean)
    .join(' | ')
}

/** The table with this accessible name, through shadow roots. */
export function table(root: ParentNode, name: string): HTMLTableElement {
  const found = deepQueryAll<HTMLTableElement>(root, 'table').find(
    (t) => accessibleName(t) === name || t.caption?.textContent?.trim() === name,
  )
  if (!found) throw new Error(`no table ${name}`)
  return found
}

/** Body rows as arrays of cell texts. */
export function rows(t: HTMLTableElement): string[][] {
  return [...t.tBodies[0]!.rows].map((r) =>
    [...r.cells].map((c) => c.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
  )
}
