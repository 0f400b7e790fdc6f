/**
 * Queries by role and accessible name that look through shadow roots (the worklist
 * nests several elements), in the spirit of Testing Library: tests find what a user
 * of assistive technology finds, never CSS classes.
 */
/** Every element under `root`, shadow trees included, in document order. */
export function deepElements(root: Node): Element[] {
  const out: Element[] = []
  const visit = (node: Node) => {
    for (const child of node.childNodes) {
      if (!(child instanceof Element)) continue
      out.push(child)
      if (child.shadowRoot) visit(child.shadowRoot)
      visit(child)
    }
  }
  if (root instanceof Element && root.shadowRoot) visit(root.shadowRoot)
  visit(root)
  return out
}

const IMPLICIT: [string, string][] = [
  ['button', 'button'],
  ['a[href]', 'link'],
  ['input[type=checkbox]', 'checkbox'],
  ['input[type=radio]', 'radio'],
  ['input[type=search]', 'searchbox'],
  ['select', 'combobox'],
  ['th', 'columnheader'],
  ['tr', 'row'],
  ['td', 'cell'],
  ['table', 'table'],
  ['dialog', 'dialog'],
  ['ul', 'list'],
  ['li', 'listitem'],
  ['section[aria-label], section[aria-labelledby]', 'region'],
]

export function roleOf(el: Element): string | null {
  return el.getAttribute('role') ?? IMPLICIT.find(([selector]) => el.matches(selector))?.[1] ?? null
}

/** Deep text, shadow trees included, whitespace collapsed. */
export function deepText(el: Node): string {
  const parts: string[] = []
  const visit = (node: Node) => {
    if (node instanceof Text) parts.push(node.data)
    if (node instanceof Element && node.shadowRoot) visit(node.shadowRoot)
    for (const child of node.childNodes) visit(child)
  }
  visit(el)
  return parts.join('').replace(/\s+/g, ' ').trim()
}

/** A simplified accessible-name computation: aria-label, aria-labelledby, <label>, content. */
export function nameOf(el: Element): string {
  const label = el.getAttribute('aria-label')
  if (label) return label.trim()
  const root = el.getRootNode() as Document | ShadowRoot
  const labelledBy = el.getAttribute('aria-labelledby')
  if (labelledBy) {
    return labelledBy
      .split(/\s+/)
      .map((id) => {
        const target = root.getElementById(id)
        return target ? deepText(target) : ''
      })
      .join(' ')
      .trim()
  }
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) {
    const wrapping =
      el.closest('label') ?? (el.id ? root.querySelector(`label[for="${el.id}"]`) : null)
    if (wrapping) return deepText(wrapping)
  }
  return deepText(el)
}

export type NameMatch = string | RegExp

const fits = (name: string, match: NameMatch) =>
  typeof match === 'string' ? name === match : match.test(name)

export function allByRole(root: Node, role: string, name?: NameMatch): HTMLElement[] {
  return deepElements(root).filter(
    (el): el is HTMLElement =>
      el instanceof HTMLElement &&
      roleOf(el) === role &&
      (name === undefined || fits(nameOf(el), name)),
  )
}

export function byRole(root: Node, role: string, name?: NameMatch): HTMLElement {
  const found = allByRole(root, role, name)
  if (found.length === 1) return found[0]!
  const names = allByRole(root, role).map((el) => JSON.stringify(nameOf(el)))
  throw new Error(
    `${found.length} ${role} elements named ${String(name)}; there are: ${names.join(', ')}`,
  )
}

/** The table row whose accession link is `accession`. */
export function rowOf(root: Node, accession: string): HTMLElement {
  const found = allByRole(root, 'row').filter((tr) => allByRole(tr, 'link', accession).length > 0)
  if (found.length !== 1) throw new Error(`${found.length} rows for ${accession}`)
  return found[0]!
}

/** Accessions of the rows in the order shown. */
export function shownAccessions(root: Node): string[] {
  return allByRole(root, 'row')
    .map((tr) => allByRole(tr, 'link').find((a) => /^A\d+$/.test(nameOf(a))))
    .flatMap((a) => (a ? [nameOf(a)] : []))
}
