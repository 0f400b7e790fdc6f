import { expect } from '@open-wc/testing'
import { metaLine, noticeTitle } from '../../client/notifications/format.ts'
import { describe, it } from './mocha.ts'

const study = { type: 'study', id: 'A10095' } as const
const at = '2026-11-22T14:02:31.000Z'
const time = new Date(at).toLocaleTimeString('en-GB', { hour12: false })
const BOSE = { id: 'u-bose', name: 'BOSE' }

describe('blocking dialog wording (DESIGN §5)', () => {
  it('titles say what happened, by notice kind', () => {
    const stat = [{ field: 'priority', from: 'ROUTINE', to: 'STAT' }]
    expect(noticeTitle({ kind: 'field.change', subject: study, changes: stat })).to.equal(
      'Priority raised to STAT',
    )
    expect(noticeTitle({ kind: 'system.update', subject: study, changes: stat })).to.equal(
      'Priority raised to STAT',
    )
    expect(noticeTitle({ kind: 'study.deleted', subject: study })).to.equal('Study deleted')
    expect(noticeTitle({ kind: 'study.merged', subject: study })).to.equal('Study merged')
    expect(
      noticeTitle({ kind: 'patient.merged', subject: { type: 'patient', id: 'P7' } }),
    ).to.equal('Patient record merged')
    for (const kind of ['claim.lost', 'study.claim-lost'])
      expect(noticeTitle({ kind, subject: study }), kind).to.equal(
        'You are no longer reading this study',
      )
    expect(noticeTitle({ kind: 'study.access-revoked', subject: study })).to.equal(
      'Your access was revoked',
    )
    expect(noticeTitle({ kind: 'something.new', subject: study })).to.equal('Study A10095')
  })

  it('the "by … at …" line only when the text does not say who and when already', () => {
    const said = `Priority ROUTINE → STAT by BOSE at ${time} on study A10095`
    expect(metaLine({ by: BOSE, at, text: said })).to.equal(undefined)
    expect(metaLine({ by: BOSE, at, text: 'Study belongs to BOSE' })).to.equal(`by BOSE at ${time}`)
    expect(metaLine({ by: 'SYSTEM', at, text: `Images 3 → 5 by SYSTEM at ${time}` })).to.equal(
      undefined,
    )
  })
})
