/** The per-message counters are summed in plain numbers and exported complete on every collection. */
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../../server/metrics.ts'
import { metricValue } from '../../support/metrics.ts'

describe('hot counters', () => {
  it('export every increment made before a scrape, cumulatively', async () => {
    const m = createMetrics()
    const read = async () => {
      const text = await m.registry.metrics()
      return [
        metricValue(text, 'studysync_messages_in_total'),
        metricValue(text, 'studysync_bytes_in_total'),
        metricValue(text, 'studysync_messages_out_total'),
      ]
    }
    expect(await read()).toEqual([0, 0, 0])
    m.messagesIn.inc()
    m.messagesIn.inc()
    m.bytesIn.inc(100)
    for (let i = 0; i < 50; i++) m.messagesOut.inc()
    expect(await read()).toEqual([2, 100, 50])
    expect(await read()).toEqual([2, 100, 50]) // collecting twice adds nothing
    m.messagesIn.inc()
    m.bytesIn.inc(7)
    expect(await read()).toEqual([3, 107, 50])
    const text = await m.registry.metrics()
    expect(text).toContain('# TYPE studysync_messages_out_total counter')
  })
})
