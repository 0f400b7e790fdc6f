import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import { QuarantineStore, quarantineDatabaseName } from '../../client/quarantine/store.ts'
import type { QuarantineEntry } from '../../client/quarantine/types.ts'
import '../../client/quarantine/ss-quarantine-badge.ts'
import '../../client/quarantine/ss-quarantine-panel.ts'
import { control, deepQuery } from './dom.ts'
import { databaseNames, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const WAIT = { timeout: 5000 }

function entry(userId: string, overrides: Partial<QuarantineEntry> = {}): QuarantineEntry {
  return {
    id: unique('q'),
    userId,
    docName: 'study/A10005',
    subject: { type: 'study', id: 'A10005' },
    at: '2026-11-22T14:05:12.000Z',
    why: {
      code: 4410,
      reason: '{}',
      gone: {
        reason: 'deleted',
        by: { id: 'u-admin', name: 'ADMIN' },
        at: '2026-11-22T14:02:31.000Z',
      },
    },
    count: 2,
    values: [{ path: 'fields.clinicalHistory', value: 'Fell off a ladder.' }],
    update: 'AAA=',
    ...overrides,
  }
}

const text = (el: Element) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ')

describe('quarantine store and panel [S27]', () => {
  const userId = unique('u-tablet')
  after(() => wipeUserDocuments(userId))

  it('[S27] keeps entries per user, newest first, until discarded', async () => {
    const mine = new QuarantineStore(userId)
    const other = new QuarantineStore(unique('u-other'))
    const older = entry(userId, { at: '2026-11-22T10:00:00.000Z' })
    const newer = entry(userId)
    let heard = 0
    const off = mine.subscribe(() => heard++)
    await mine.add(older)
    await mine.add(newer)
    expect((await mine.list()).map((e) => e.id)).to.deep.equal([newer.id, older.id])
    expect(await other.list(), "another user's quarantine").to.deep.equal([])
    await waitUntil(() => heard >= 2, 'changes announced', WAIT)
    await mine.discard(older.id)
    expect((await mine.list()).map((e) => e.id)).to.deep.equal([newer.id])
    off()
  })

  it("[S29] logout's wipe removes the user's quarantine with the documents", async () => {
    const user = unique('u-leaving')
    await new QuarantineStore(user).add(entry(user))
    expect(await databaseNames()).to.include(quarantineDatabaseName(user))
    await wipeUserDocuments(user)
    expect(await databaseNames()).not.to.include(quarantineDatabaseName(user))
  })

  it('[S27] the panel shows what, which study, when and why; exports and discards', async () => {
    const user = unique('u-panel')
    const store = new QuarantineStore(user)
    const item = entry(user)
    await store.add(item)
    const panel = await fixture<HTMLElement>(
      html`<ss-quarantine-panel .store=${store}></ss-quarantine-panel>`,
    )
    await waitUntil(() => text(panel).includes('Study A10005'), 'entry listed', WAIT)
    expect(text(panel)).to.include('2 unsaved changes')
    expect(text(panel)).to.include('deleted by ADMIN')
    expect(text(panel)).to.include('Clinical history')
    expect(text(panel)).to.include('Fell off a ladder.')

    let exported: QuarantineEntry | null = null
    panel.addEventListener('ss-quarantine-export', (e) => {
      exported = e.detail
    })
    control(panel, 'Export Study A10005').click()
    expect(exported).to.deep.equal(item)

    control(panel, 'Discard Study A10005').click()
    await waitUntil(() => deepQuery(panel, 'button') !== null, 'confirm shown', WAIT)
    await (panel as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete
    control(panel, 'Yes, discard Study A10005').click()
    await waitUntil(() => text(panel).includes('No quarantined changes.'), 'discarded', WAIT)
    expect(await store.list()).to.deep.equal([])
    await wipeUserDocuments(user)
  })

  it('[S27] the top bar badge counts entries live and opens the panel', async () => {
    const user = unique('u-badge')
    const badge = await fixture(html`<ss-quarantine-badge .userId=${user}></ss-quarantine-badge>`)
    expect(badge.shadowRoot?.querySelector('button'), 'hidden while empty').to.equal(null)
    await new QuarantineStore(user).add(entry(user))
    await waitUntil(() => text(badge).includes('1 quarantined change'), 'badge shown', WAIT)
    const button = control(badge, '1 quarantined change')
    expect(button.getAttribute('aria-expanded')).to.equal('false')
    button.click()
    await waitUntil(() => deepQuery(badge, 'ss-quarantine-panel') !== null, 'panel open', WAIT)
    expect(button.getAttribute('aria-expanded')).to.equal('true')
    await wipeUserDocuments(user)
  })
})
