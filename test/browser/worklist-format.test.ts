import { expect } from '@open-wc/testing'
import { ApiError } from '../../client/api.ts'
import { accessLabel, patientName } from '../../client/worklist/format.ts'
import { lockedMessage, refusal, staleMessage } from '../../client/worklist/messages.ts'
import { accessFromPresence } from '../../client/worklist/row-updates.ts'
import { describe, it } from './mocha.ts'
import { HUYEN, PERF, presence, todayAt } from './worklist-fixture.ts'

describe('worklist words and times', () => {
  it('S3: names the Access flag per user, with the date when it is not today', () => {
    const yesterday = new Date(todayAt(9, 30))
    yesterday.setDate(yesterday.getDate() - 1)
    const access = accessFromPresence([
      presence('A1', HUYEN, { since: todayAt(14, 2) }),
      presence('A1', PERF, { since: yesterday.toISOString(), mode: 'editing', view: 'info' }),
    ])
    const pad = (n: number) => String(n).padStart(2, '0')
    const day = `${yesterday.getFullYear()}-${pad(yesterday.getMonth() + 1)}-${pad(yesterday.getDate())}`
    expect(accessLabel(access)).to.equal(
      `Open by PERF (editing) since ${day} 09:30; Open by HUYEN (reading) since 14:02`,
    )
  })

  it('S4: one entry per user and view; live beats lost, the strongest mode and earliest since win', () => {
    const access = accessFromPresence([
      presence('A1', HUYEN, { mode: 'viewing', connection: 'lost', since: todayAt(14, 5) }),
      presence('A1', HUYEN, { mode: 'reading', doc: 'study/A1/report', since: todayAt(14, 2) }),
      presence('A1', HUYEN, { view: 'info', mode: 'editing', connection: 'lost' }),
    ])
    expect(access.map((a) => [a.view, a.mode, a.connection, a.since])).to.deep.equal([
      ['desktop', 'reading', 'live', todayAt(14, 2)],
      ['info', 'editing', 'lost', todayAt(14, 2)],
    ])
    expect(accessLabel(access.slice(1))).to.equal(
      'Open by HUYEN (editing, connection lost) since 14:02',
    )
  })

  it('S11: reads the 409 body defensively', () => {
    const at = todayAt(14, 2, 31)
    const stale = (body?: Record<string, unknown>, message = 'Stale.') =>
      staleMessage(new ApiError(409, 'stale', message, body))
    const expected = 'Updated by HUYEN at 14:02:31; your change was discarded.'
    expect(stale({ by: 'HUYEN', at })).to.equal(expected)
    expect(stale({ by: { id: 'u', name: 'HUYEN' }, at })).to.equal(expected)
    expect(stale(undefined, 'Updated by SYSTEM at 13:00:00; your change was discarded.')).to.equal(
      'Updated by SYSTEM at 13:00:00; your change was discarded.',
    )
    expect(stale({ by: 'HUYEN' })).to.equal(
      'Updated by HUYEN meanwhile; your change was discarded.',
    )
    expect(refusal(new ApiError(409, 'stale', 'x', { by: 'HUYEN', at }))).to.deep.equal({
      text: expected,
      stale: true,
    })
  })

  it('S11: a 423 names the holder; other errors keep the server text', () => {
    const holder = { id: 'u-huyen', name: 'HUYEN' }
    expect(lockedMessage(new ApiError(423, 'locked', 'Locked.', { holder }))).to.equal(
      'HUYEN has this study open for reading',
    )
    expect(lockedMessage(new ApiError(423, 'locked', 'Someone is reading it.'))).to.equal(
      'Someone is reading it.',
    )
    expect(refusal(new ApiError(403, 'forbidden', 'Needs a privilege.'))).to.deep.equal({
      text: 'Needs a privilege.',
      stale: false,
    })
    expect(refusal(new TypeError('Failed to fetch')).text).to.equal('Failed to fetch')
  })

  it('shows DICOM names as "FAMILY, GIVEN"', () => {
    expect(patientName('DOE^JANE')).to.equal('DOE, JANE')
    expect(patientName('DOE')).to.equal('DOE')
  })
})
