import { expect } from '@open-wc/testing'
import { forcedCloseText, LEFT_GRACE_MS, ShownSubjects } from '../../client/app/forced-close.ts'
import { describe, it } from './mocha.ts'

const study = (id: string) => ({ type: 'study', id }) as const

describe('forced close', () => {
  it('says what, who and when', () => {
    const at = '2026-11-22T14:02:31.000Z'
    const time = new Date(at).toLocaleTimeString('en-GB', { hour12: false })
    const base = { subject: study('A10005'), by: { id: 'u-admin', name: 'ADMIN' }, at } as const
    expect(forcedCloseText({ ...base, reason: 'deleted' })).to.match(
      new RegExp(`^Study A10005 was deleted by ADMIN at (\\d{4}-\\d\\d-\\d\\d )?${time}$`),
    )
    expect(
      forcedCloseText({ ...base, reason: 'merged', mergedInto: 'A10006', by: 'SYSTEM' }),
    ).to.match(/^Study A10005 was merged into A10006 by SYSTEM at /)
  })

  it('counts a subject as shown while open and for a grace period after leaving it', () => {
    const shown = new ShownSubjects()
    shown.update({ page: 'desktop', accession: 'A1' }, 1000)
    expect(shown.shows(study('A1'), 1000)).to.equal(true)
    expect(shown.shows(study('A2'), 1000)).to.equal(false)
    shown.update({ page: 'worklist' }, 2000)
    expect(shown.shows(study('A1'), 2000 + LEFT_GRACE_MS)).to.equal(true)
    expect(shown.shows(study('A1'), 2001 + LEFT_GRACE_MS)).to.equal(false)
    expect(shown.shows({ type: 'patient', id: 'A1' }, 2000)).to.equal(false)
  })
})
