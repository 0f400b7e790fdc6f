/** Styles shared by the worklist's elements: tablet-sized targets (≥ 40 px), visible focus. */
import { css } from 'lit'
import { themeTokens } from '../theme.ts'

export const controlStyles = css`
  /* The app's tokens (client/theme.ts), also on the host so the elements stand alone. */
  :host {
    ${themeTokens}
  }
  button,
  select,
  input[type='search'],
  input[type='text'],
  a.target {
    min-height: var(--ss-target);
    min-width: var(--ss-target);
    box-sizing: border-box;
    font: inherit;
  }
  button,
  select,
  input[type='search'],
  input[type='text'] {
    border: 1px solid var(--ss-border);
    border-radius: 4px;
    background: #fff;
    color: inherit;
    padding: 0 0.6rem;
  }
  button:not(:disabled) {
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.55;
  }
  input[type='checkbox'],
  input[type='radio'] {
    width: 20px;
    height: 20px;
    margin: 10px;
  }
  :focus-visible {
    outline: 3px solid var(--ss-focus);
    outline-offset: 1px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`
