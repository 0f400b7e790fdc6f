/** Reading Prometheus text (GET /metrics or a registry's `metrics()`) in tests. */

/**
 * The value of one sample: `name` plus, optionally, labels that must all match.
 * Sums every matching series (e.g. all close codes) and returns 0 when none exists.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}) {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$/.exec(line.trim())
    if (!m || m[1] !== name) continue
    const have = new Map<string, string>()
    for (const pair of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      have.set(pair[1]!, pair[2]!)
    }
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[4])
  }
  return sum
}

/** Fetches /metrics with a bearer token (admin session or metrics token). */
export async function fetchMetrics(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`)
  return res.text()
}
