import { css, html, LitElement, type PropertyValues } from 'lit'
import { customElement, property, query } from 'lit/decorators.js'
import uPlot from 'uplot'
import type { PresenceSample } from './presence-sampler.ts'

/**
 * uPlot's stylesheet, linked inside the shadow root (a document-level stylesheet
 * would not reach it). Vite rewrites this `new URL(…, import.meta.url)`: a /@fs/
 * path in dev, an emitted asset in the build — `?no-inline` keeps it a file, since
 * the CSP (style-src 'self') would block the data: URL Vite inlines small assets
 * as. The test runner serves node_modules from the project root as is.
 */
const UPLOT_CSS = new URL('../../node_modules/uplot/dist/uPlot.min.css?no-inline', import.meta.url)
  .href

const PEOPLE_COLOUR = '#1a73e8'
const STUDIES_COLOUR = '#e37400'
/** Time-axis tick spacings (s): whole minutes only, so "HH:MM" labels never repeat. */
const TIME_INCREMENTS = [60, 120, 300, 600, 900, 1800, 3600]
/** The time axis spans at least this (s): the first samples do not stretch over seconds. */
const MIN_SPAN_S = 10 * 60

const pad = (n: number) => String(n).padStart(2, '0')

/** Unix seconds → "14:02" (local, 24-hour), the way the rest of the app shows times. */
function hhmm(seconds: number): string {
  const at = new Date(seconds * 1000)
  return `${pad(at.getHours())}:${pad(at.getMinutes())}`
}

/** Unix seconds → "14:02:31", for the legend's reading at the cursor. */
function hhmmss(seconds: number): string {
  return `${hhmm(seconds)}:${pad(new Date(seconds * 1000).getSeconds())}`
}

/**
 * Concurrent people and open studies over the last hour, drawn by uPlot, with the
 * same facts in words beside it for anyone who cannot see the canvas.
 */
@customElement('ss-presence-chart')
export class SsPresenceChart extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    figure {
      margin: 0;
    }
    figcaption {
      margin-bottom: 0.5rem;
    }
  `

  @property({ attribute: false }) samples: readonly PresenceSample[] = []
  @property({ type: Number }) width = 640
  @property({ type: Number }) height = 220

  @query('.plot') private container!: HTMLDivElement
  #plot: uPlot | null = null

  /** E.g. "12 people, 9 studies open now; peak 15 people in the last hour". */
  get summary(): string {
    const last = this.samples.at(-1)
    if (last === undefined) return 'No samples yet.'
    const peak = Math.max(...this.samples.map((s) => s.people))
    const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`
    const studies = `${last.studies} ${last.studies === 1 ? 'study' : 'studies'} open`
    return `${people(last.people)}, ${studies} now; peak ${people(peak)} in the last hour.`
  }

  override render() {
    return html`
      <link rel="stylesheet" href=${UPLOT_CSS} />
      <figure aria-labelledby="summary">
        <figcaption id="summary">${this.summary}</figcaption>
        <div class="plot" aria-hidden="true"></div>
      </figure>
    `
  }

  protected override updated(changed: PropertyValues<this>): void {
    const data = this.#data()
    if (this.#plot === null) {
      this.#plot = new uPlot(this.#options(), data, this.container)
    } else if (changed.has('width') || changed.has('height')) {
      this.#plot.setSize({ width: this.width, height: this.height })
    }
    if (changed.has('samples')) this.#plot.setData(data)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // Moved back into the page: rebuild the plot destroyed on disconnect.
    if (this.hasUpdated && this.#plot === null) this.requestUpdate()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#plot?.destroy()
    this.#plot = null
  }

  #data(): uPlot.AlignedData {
    return [
      this.samples.map((s) => s.at),
      this.samples.map((s) => s.people),
      this.samples.map((s) => s.studies),
    ]
  }

  #options(): uPlot.Options {
    return {
      width: this.width,
      height: this.height,
      scales: {
        x: {
          time: true,
          // From the data itself: uPlot widens a single point's range to days first.
          range: (u) => {
            const times = u.data[0]
            const first = times[0]
            const last = times.at(-1)
            if (first === undefined || last === undefined) return [null, null]
            return [Math.min(first, last - MIN_SPAN_S), last]
          },
        },
        y: { range: (_u, _min, max) => [0, Math.max(5, max + 1)] },
      },
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '--' : hhmmss(v)) },
        { label: 'People connected', stroke: PEOPLE_COLOUR, width: 2 },
        { label: 'Studies open', stroke: STUDIES_COLOUR, width: 2 },
      ],
      axes: [
        { incrs: TIME_INCREMENTS, values: (_u, splits) => splits.map(hhmm) },
        { label: 'Count' },
      ],
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ss-presence-chart': SsPresenceChart
  }
}
