/** The 4410 close reason must fit a WebSocket close frame (123 bytes) and stay valid JSON (S21, S22). */
import { describe, expect, it } from 'vitest'
import { goneReasonText } from '../../../server/domain/lifecycle-notices.ts'

const at = '2024-06-01T14:02:31.000Z'

describe('goneReasonText', () => {
  it('[S22] keeps the whole reason when it fits', () => {
    const reason = {
      reason: 'merged' as const,
      by: { id: 'u-admin', name: 'ADMIN' },
      at,
      mergedInto: 'A10006',
    }
    expect(JSON.parse(goneReasonText(reason))).toEqual(reason)
  })

  it('[S21] shortens long names, then drops what it must, never the reason or the target', () => {
    const long = 'X'.repeat(64)
    for (const by of [{ id: long, name: long }, 'SYSTEM' as const]) {
      const text = goneReasonText({ reason: 'merged', by, at, mergedInto: long })
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(123)
      expect(JSON.parse(text)).toMatchObject({ reason: 'merged', mergedInto: long })
    }
    const short = JSON.parse(
      goneReasonText({ reason: 'deleted', by: { id: long, name: long }, at }),
    )
    expect(short).toEqual({
      reason: 'deleted',
      by: { id: long.slice(0, 16), name: long.slice(0, 16) },
      at,
    })
  })
})
