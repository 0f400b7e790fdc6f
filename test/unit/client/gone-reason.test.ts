import { describe, expect, it } from 'vitest'
import { parseGoneReason } from '../../../client/connection/status.ts'
import { documentDatabaseName, userDatabasePrefix } from '../../../client/connection/storage.ts'

describe('parseGoneReason (close code 4410 reason, API.md "Sync")', () => {
  it('parses a deletion by a user', () => {
    const reason = {
      reason: 'deleted',
      by: { id: 'u-bose', name: 'BOSE' },
      at: '2026-11-22T14:02:31Z',
    }
    expect(parseGoneReason(JSON.stringify(reason))).toEqual(reason)
  })

  it('parses a merge by SYSTEM with its target', () => {
    const reason = {
      reason: 'merged',
      by: 'SYSTEM',
      at: '2026-11-22T14:02:31Z',
      mergedInto: '56366',
    }
    expect(parseGoneReason(JSON.stringify(reason))).toEqual(reason)
  })

  it('drops fields the contract does not define', () => {
    const text = JSON.stringify({
      reason: 'deleted',
      by: { id: 'u1', name: 'A', token: 'x' },
      at: 't',
      extra: 1,
    })
    expect(parseGoneReason(text)).toEqual({
      reason: 'deleted',
      by: { id: 'u1', name: 'A' },
      at: 't',
    })
  })

  it.each([
    ['not JSON', 'gone'],
    ['an array', '[]'],
    ['an unknown reason', JSON.stringify({ reason: 'archived', by: 'SYSTEM', at: 't' })],
    ['a missing time', JSON.stringify({ reason: 'deleted', by: 'SYSTEM' })],
    ['a bad person', JSON.stringify({ reason: 'deleted', by: { id: 1 }, at: 't' })],
    [
      'a bad merge target',
      JSON.stringify({ reason: 'merged', by: 'SYSTEM', at: 't', mergedInto: 5 }),
    ],
  ])('returns undefined for %s', (_, text) => {
    expect(parseGoneReason(text)).toBeUndefined()
  })
})

describe('per-user IndexedDB names (DESIGN §6)', () => {
  it('is studysync:<userId>:<docName>', () => {
    expect(documentDatabaseName('u-bose', 'study/56365/report')).toBe(
      'studysync:u-bose:study/56365/report',
    )
  })

  it('encodes the user id so one user’s prefix never matches another’s names', () => {
    expect(userDatabasePrefix('a:b')).toBe('studysync:a%3Ab:')
    expect(documentDatabaseName('a:b', 'worklist').startsWith(userDatabasePrefix('a'))).toBe(false)
  })

  it('refuses an empty user id', () => {
    expect(() => userDatabasePrefix('')).toThrow(TypeError)
  })
})
