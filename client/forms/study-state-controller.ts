import type { ReactiveControllerHost } from 'lit'
import type * as Y from 'yjs'
import type { StudyState } from '../../shared/api-types.ts'
import { statusLabel } from '../../shared/domain.ts'
import { YObserver } from './y-observer.ts'

/**
 * The server-owned `study/<acc>/state` as the header shows it, live, with a polite
 * announcement when images, structured reports or the status change (S25). Before
 * the state document has synced, the state from the open call stands in.
 */
export class StudyStateController {
  readonly #host: ReactiveControllerHost
  readonly #observer: YObserver
  #map: Y.Map<unknown> | null = null
  #fallback: Partial<StudyState> = {}
  /** Last values seen, kept across rebinds so a resync is not announced as news. */
  readonly #seen = new Map<'imageCount' | 'srCount' | 'status', unknown>()
  #announcement = ''

  constructor(host: ReactiveControllerHost) {
    this.#host = host
    // The observer is the controller that follows the host's connection.
    this.#observer = new YObserver(host, () => this.#onChange())
  }

  get announcement(): string {
    return this.#announcement
  }

  bind(map: Y.Map<unknown> | null): void {
    if (map === this.#map) return
    this.#map = map
    this.#observer.observe(map)
    this.#onChange()
  }

  /** The state the open call returned, shown until the document has it. */
  setFallback(state: Partial<StudyState>): void {
    this.#fallback = state
    this.#host.requestUpdate()
  }

  get<K extends keyof StudyState>(key: K): StudyState[K] | undefined {
    const value = this.#map?.get(key)
    return (value ?? this.#fallback[key]) as StudyState[K] | undefined
  }

  #onChange(): void {
    const news = [
      this.#count('imageCount', 'image', 'arrived', 'deleted'),
      this.#count('srCount', 'structured report', 'added', 'removed'),
      this.#status(),
    ].filter((text) => text !== '')
    if (news.length > 0) this.#announcement = news.join(' ')
    this.#host.requestUpdate()
  }

  #count(key: 'imageCount' | 'srCount', noun: string, up: string, down: string): string {
    const now = this.#map?.get(key)
    if (typeof now !== 'number') return ''
    const before = this.#seen.get(key)
    this.#seen.set(key, now)
    if (typeof before !== 'number' || before === now) return ''
    const delta = Math.abs(now - before)
    const nouns = delta === 1 ? noun : `${noun}s`
    const what = now > before ? `${delta} new ${nouns} ${up}` : `${delta} ${nouns} ${down}`
    return `${what} (now ${now}).`
  }

  #status(): string {
    const now = this.#map?.get('status')
    if (typeof now !== 'string') return ''
    const before = this.#seen.get('status')
    this.#seen.set('status', now)
    if (typeof before !== 'string' || before === now) return ''
    return `Status ${statusLabel(before)} → ${statusLabel(now)}.`
  }
}
