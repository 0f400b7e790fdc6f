/**
 * Where things are in the StudySync UI, by role and accessible name only (API.md
 * "Web app"): the worklist row of an accession, the presence bar, the claim banner,
 * the blocking dialog. Each helper names the label it relies on, so a renamed
 * control fails here, once, with a clear message.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import type { UserTab } from './cast.ts'
import { ROOT } from './env.ts'
import { until } from './wait.ts'

export const SCREENSHOTS = join(ROOT, 'test', 'e2e', 'screenshots')

/** The worklist link named by its accession number (API.md). */
export function accessionLink(page: Page, accession: string): Locator {
  return page.getByRole('link', { name: accession, exact: true })
}

/** The worklist row holding that accession's link. */
export function rowOf(page: Page, accession: string): Locator {
  return page.getByRole('row').filter({ has: accessionLink(page, accession) })
}

/** The Access flag of a row: a button named "Open by BOSE (viewing) since 14:02; …". */
export function accessFlag(page: Page, accession: string): Locator {
  return rowOf(page, accession).getByRole('button', { name: /^Open by / })
}

export function studyHeading(page: Page, accession: string): Locator {
  return page.getByRole('heading', { name: `Study ${accession}`, exact: true })
}

/** The form's presence bar. */
export function presenceBar(page: Page): Locator {
  return page.getByRole('region', { name: 'Who else is here' })
}

/** The blocking dialog for safety events. */
export function blockingDialog(page: Page): Locator {
  return page.getByRole('alertdialog')
}

/** From the worklist, follows the accession link to the study info form. */
export async function openInfoForm(tab: UserTab, accession: string): Promise<void> {
  await accessionLink(tab.page, accession).click()
  await studyHeading(tab.page, accession).waitFor()
}

/** From the worklist, follows "Read <accession>" to the reading desktop (radiologists). */
export async function openDesktop(tab: UserTab, accession: string): Promise<void> {
  await tab.page.getByRole('link', { name: `Read ${accession}`, exact: true }).click()
  await studyHeading(tab.page, accession).waitFor()
}

/** Back to the worklist through the top bar. */
export async function goToWorklist(tab: UserTab): Promise<void> {
  await tab.page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Worklist' })
    .click()
  await tab.page.getByRole('heading', { name: 'Worklist', exact: true }).waitFor()
}

/** The route the tab shows, from its URL hash. */
export async function routeOf(tab: UserTab): Promise<string> {
  return new URL(tab.page.url()).hash
}

/**
 * The accessible description Chromium computes for a control (its aria-describedby
 * notes), read from the browser's accessibility tree over CDP: what a screen reader
 * announces, not what we guess from the markup.
 */
export async function accessibleDescription(
  page: Page,
  role: string,
  name: string,
): Promise<string> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as {
      root: { nodeId: number }
    }
    const { nodes } = (await cdp.send('Accessibility.queryAXTree', {
      nodeId: root.nodeId,
      accessibleName: name,
      role,
    })) as { nodes: { description?: { value?: unknown } }[] }
    const described = nodes.map((n) => n.description?.value).filter((d) => typeof d === 'string')
    return described.join(' | ')
  } finally {
    await cdp.detach().catch(() => {})
  }
}

/** Waits for a control's accessible description to match. */
export async function describedAs(page: Page, role: string, name: string, pattern: RegExp) {
  const { value } = await until(
    () => accessibleDescription(page, role, name),
    (description) => pattern.test(description),
    { what: `the ${role} "${name}" to be described as ${pattern}` },
  )
  return value
}

/** A screenshot of the whole viewport into test/e2e/screenshots (committed as evidence). */
export async function shoot(tab: UserTab, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await tab.page.screenshot({ path })
  return path
}

/** "14:02" for a moment, the way the app shows "since" (local time, 24 h). */
export function hhmm(at: Date): string {
  return at.toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit' })
}
