import { describe, expect, it } from 'vitest'
import {
  defaultMaxOpenLogs,
  FALLBACK_MAX_OPEN_LOGS,
  maxOpenLogsFor,
  softOpenFileLimit,
} from '../../../server/storage/open-file-limit.ts'

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                1048576              files
Max locked memory         8388608              8388608              bytes
`

describe('open log file cap', () => {
  it('reads the soft "Max open files" limit', () => {
    expect(softOpenFileLimit(LIMITS)).toBe(20000)
    expect(softOpenFileLimit(LIMITS.replace('20000  ', 'unlimited'))).toBe(Number.POSITIVE_INFINITY)
    expect(softOpenFileLimit('Max cpu time unlimited')).toBeNull()
    expect(softOpenFileLimit('Max open files            lots    files')).toBeNull()
  })

  it('keeps a quarter of the limit for logs, within 64…4096', () => {
    expect(maxOpenLogsFor(20000)).toBe(4096)
    expect(maxOpenLogsFor(4000)).toBe(1000)
    expect(maxOpenLogsFor(1024)).toBe(256)
    expect(maxOpenLogsFor(100)).toBe(64)
    expect(maxOpenLogsFor(Number.POSITIVE_INFINITY)).toBe(4096)
    expect(maxOpenLogsFor(null)).toBe(FALLBACK_MAX_OPEN_LOGS)
  })

  it('derives this process’s cap from /proc when it exists', () => {
    const cap = defaultMaxOpenLogs()
    expect(cap).toBeGreaterThanOrEqual(64)
    expect(cap).toBeLessThanOrEqual(4096)
  })
})
