/**
 * The app's shared look: a few CSS custom properties (font, sizes, colours) and the
 * control styles built on them. Custom properties inherit into shadow roots, so the
 * tokens are set once on the document's :root (`adoptTheme`, from main.ts) and read
 * by every element; `controlStyles` gives an element's own buttons and inputs the app
 * font, tablet-sized targets (≥ 40 px) and a visible focus ring.
 */
import { css, unsafeCSS } from 'lit'

/** The declarations alone, for a host that must work without the document theme (tests). */
export const themeTokens = unsafeCSS(`
  --ss-font: system-ui, sans-serif;
  --ss-text: #101828;
  --ss-muted: #555b63;
  --ss-border: #c0c4ca;
  --ss-surface: #fff;
  --ss-surface-muted: #f4f6f8;
  --ss-accent: #1a5fb4;
  --ss-accent-soft: #e8f0fe;
  --ss-warn-soft: #fff4e5;
  --ss-danger: #b00020;
  --ss-focus: #1a5fb4;
  --ss-target: 40px;
  --ss-radius: 4px;
`)

const documentTheme = css`
  :root {
    ${themeTokens}
  }
  body {
    margin: 0;
    font-family: var(--ss-font);
    color: var(--ss-text);
  }
`

/** Puts the tokens on `doc`'s :root, once. */
export function adoptTheme(doc: Document): void {
  const sheet = documentTheme.styleSheet
  if (sheet === undefined || doc.adoptedStyleSheets.includes(sheet)) return
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet]
}

/** Buttons, inputs and selects in the app's font, ≥ 40 px, with a clear focus ring. */
export const controlStyles = css`
  button,
  input:not([type='checkbox']):not([type='radio']),
  select {
    box-sizing: border-box;
    min-height: var(--ss-target, 40px);
    font: inherit;
    color: inherit;
    border: 1px solid var(--ss-border, #c0c4ca);
    border-radius: var(--ss-radius, 4px);
    background: var(--ss-surface, #fff);
  }
  input:not([type='checkbox']):not([type='radio']),
  select {
    padding: 0 0.6rem;
  }
  button {
    padding: 0 1rem;
  }
  button:not(:disabled) {
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button.primary {
    background: var(--ss-accent, #1a5fb4);
    border-color: var(--ss-accent, #1a5fb4);
    color: #fff;
    font-weight: 600;
  }
  :focus-visible {
    outline: 3px solid var(--ss-focus, #1a5fb4);
    outline-offset: 2px;
  }
`
