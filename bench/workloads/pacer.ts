/**
 * Fires `total` actions at `rate` per second, spread evenly. A late timer
 * catches up at once, so the offered load stays what was asked even when the
 * load generator stalls; the achieved rate is reported.
 */
import { sleep } from './types.ts'

/** Timer granularity: small enough that 1,000/s leaves in bursts of a few. */
const TICK_MS = 2

export async function paced(
  rate: number,
  total: number,
  fire: (k: number) => void,
): Promise<{ seconds: number }> {
  const start = performance.now()
  let done = 0
  while (done < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1)
    while (done < due) fire(done++)
    if (done < total) await sleep(TICK_MS)
  }
  return { seconds: (performance.now() - start) / 1000 }
}
