/** Queries the way assistive technology sees the page: by role, label and name, through shadow roots. */

/** Every element matching `selector`, in light DOM and every open shadow root below `root`. */
export function deepQueryAll<E extends Element = HTMLElement>(
  root: ParentNode,
  selector: string,
): E[] {
  const found: E[] = [...root.querySelectorAll<E>(selector)]
  if (root instanceof Element && root.shadowRoot)
    found.push(...deepQueryAll<E>(root.shadowRoot, selector))
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) found.push(...deepQueryAll<E>(el.shadowRoot, selector))
  }
  return found
}

export function deepQuery<E extends Element = HTMLElement>(
  root: ParentNode,
  selector: string,
): E | null {
  return deepQueryAll<E>(root, selector)[0] ?? null
}

/** The accessible name, as far as these tests need it: aria-label, aria-labelledby, else text. */
export function accessibleName(el: Element): string {
  const label = el.getAttribute('aria-label')
  if (label) return label.trim()
  const ids = el.getAttribute('aria-labelledby')
  const root = el.getRootNode() as Document | ShadowRoot
  if (ids)
    return ids
      .split(/\s+/)
      .map((id) => root.getElementById(id)?.textContent?.trim() ?? '')
      .join(' ')
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim()
}

/** A button (or link) by its accessible name, searched through shadow roots. */
export function control<E extends HTMLElement = HTMLButtonElement>(
  root: ParentNode,
  name: string | RegExp,
  selector = 'button',
): E {
  const found = deepQueryAll<E>(root, selector).find((el) =>
    typeof name === 'string' ? accessibleName(el) === name : name.test(accessibleName(el)),
  )
  if (found === undefined) throw new Error(`no ${selector} named ${name}`)
  return found
}

export function hasControl(root: ParentNode, name: string | RegExp, selector = 'button'): boolean {
  try {
    control(root, name, selector)
    return true
  } catch {
    return false
  }
}

/** An input by the text of its <label for>. */
export function inputLabelled(root: ParentNode, text: string): HTMLInputElement {
  for (const label of deepQueryAll<HTMLLabelElement>(root, 'label')) {
    if (label.textContent?.trim() !== text || !label.htmlFor) continue
    const input = (label.getRootNode() as ShadowRoot | Document).getElementById(label.htmlFor)
    if (input instanceof HTMLInputElement) return input
  }
  throw new Error(`no input labelled ${text}`)
}

/** Every interactive control below `root` that has no accessible name. */
export function unnamedControls(root: ParentNode): Element[] {
  return deepQueryAll(root, 'button, a[href], input, select, textarea, [role="button"]').filter(
    (el) =>
      !(el instanceof HTMLInputElement && el.labels && el.labels.length > 0) &&
      accessibleName(el) === '',
  )
}

/** The element that has focus, looking into shadow roots. */
export function deepActiveElement(): Element | null {
  let active: Element | null = document.activeElement
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
  return active
}

/** The visible-ish text below `root`, shadow roots included, whitespace collapsed. */
export function deepText(root: Node): string {
  return collect(root).replace(/\s+/g, ' ').trim()
}

function collect(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? ''
  if (node instanceof HTMLStyleElement || node instanceof HTMLScriptElement) return ''
  const own = node instanceof Element && node.shadowRoot ? collect(node.shadowRoot) : ''
  return own + [...node.childNodes].map((child) => ` ${collect(child)}`).join('')
}

/** Resolves with the next `type` event on `target`. */
export function nextEvent<T extends Event = Event>(target: EventTarget, type: string): Promise<T> {
  return new Promise((resolve) =>
    target.addEventListener(type, (e) => resolve(e as T), { once: true }),
  )
}
