/** Server-arbitrated actions: claims, first-wins assignment, compare-and-set, bulk, take-over (S11–S19). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { StudyRecord } from '../../server/registry/types.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { type Api, api } from '../support/api.ts'
import { connectClient, nextClose, type TestClient, until, whenSynced } from '../support/clients.ts'
import { watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const as: Record<string, Api> = {}
const tokens: Record<string, string> = {}
const clients: TestClient[] = []
const taken = new Set<string>()

beforeAll(async () => {
  t = await startTestServer()
  for (const user of ['bose', 'huyen', 'admin', 'perf', 'tech', 'trans', 'clerk']) {
    tokens[user] = await t.login(user)
    as[user] = api(t.url, tokens[user]!)
  }
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

/** A fresh demo study matching `predicate`, never handed out twice. */
function pickStudy(predicate: (s: StudyRecord) => boolean): StudyRecord {
  const study = t.registry
    .read()
    .studies.find((s) => !taken.has(s.accession) && s.lifecycle === 'active' && predicate(s))
  if (!study) throw new Error('no demo study left for this test')
  taken.add(study.accession)
  return study
}

const unassignedReadyToRead = (s: StudyRecord) =>
  s.status === 'ready-to-read' && s.readingPhysician === null
const untouched = (s: StudyRecord) =>
  s.status === 'scheduled' &&
  !s.readingPhysician &&
  !s.performingPhysician &&
  !s.technologist &&
  !s.transcriptionist

function rev(accession: string): number {
  return t.registry.read().studies.find((s) => s.accession === accession)!.rev
}

async function connect(user: string, docName: string): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, tokens[user]!)
  clients.push(client)
  await whenSynced(client)
  return client
}

type OpenBody = {
  readOnly: boolean
  assigned: boolean
  notices: { kind: string; text: string }[]
  canTakeOver: boolean
  claim: unknown
}

describe('first opener wins', () => {
  it('[S12] two radiologists open an unassigned study at once: exactly one becomes reading physician, the other is told who', async () => {
    for (let round = 0; round < 5; round++) {
      const { accession } = pickStudy(unassignedReadyToRead)
      const [a, b] = await Promise.all([
        as.bose!.post<OpenBody>(`/api/v1/studies/${accession}/open`, { view: 'info' }),
        as.huyen!.post<OpenBody>(`/api/v1/studies/${accession}/open`, { view: 'info' }),
      ])
      expect([a.status, b.status]).toEqual([200, 200])
      const winners = [a, b].filter((r) => r.body.assigned)
      expect(winners).toHaveLength(1)
      const loser = a.body.assigned ? b : a
      const winnerName = a.body.assigned ? 'BOSE' : 'HUYEN'
      expect(loser.body.notices.map((n) => n.text)).toContain(`Study belongs to ${winnerName}`)
      const record = t.registry.read().studies.find((s) => s.accession === accession)!
      expect(record.readingPhysician?.name).toBe(winnerName)
    }
  })

  it('[S13] a radiologist opens an unassigned study while an admin has its form open: the admin is told "taken over by"', async () => {
    const { accession } = pickStudy(unassignedReadyToRead)
    const adminFeed = watchFeed(t.server.hub, 'u-admin')
    await as.admin!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })
    const opened = await as.huyen!.post<OpenBody>(`/api/v1/studies/${accession}/open`, {
      view: 'info',
    })
    expect(opened.body.assigned).toBe(true)
    const notice = await adminFeed.notice(
      (n) => n.subject.id === accession && n.kind === 'assignment.auto',
    )
    expect(notice.text).toMatch(/taken over by HUYEN at \d\d:\d\d:\d\d/)
    expect(notice.by).toEqual({ id: 'u-huyen', name: 'HUYEN' })
    adminFeed.stop()
  })

  it('[S16] a systemwide admin opening an unassigned study becomes performing physician, technologist and transcriptionist; a transcriptionist is warned and can take over', async () => {
    const { accession } = pickStudy(untouched)
    const adminOpen = await as.admin!.post<OpenBody & { assignedRoles: string[] }>(
      `/api/v1/studies/${accession}/open`,
      { view: 'info' },
    )
    expect(adminOpen.body.assignedRoles.sort()).toEqual([
      'performingPhysician',
      'technologist',
      'transcriptionist',
    ])
    const transOpen = await as.trans!.post<OpenBody>(`/api/v1/studies/${accession}/open`, {
      view: 'info',
    })
    expect(transOpen.body.notices.map((n) => n.text)).toContain(
      'You are opening a Study that is assigned to ADMIN for (Transcriptionist)',
    )
    expect(transOpen.body.canTakeOver).toBe(true)
    const takeOver = await as.trans!.post(`/api/v1/studies/${accession}/assignments`, {
      role: 'transcriptionist',
      userId: 'u-trans',
      expectedRev: rev(accession),
    })
    expect(takeOver.status).toBe(200)
    expect(
      t.registry.read().studies.find((s) => s.accession === accession)!.transcriptionist?.name,
    ).toBe('TRANS')
  })
})

describe('compare-and-set and bulk', () => {
  it('[S11] two users change the performing physician at once from the worklist: exactly one wins, the other is told who and when', async () => {
    const { accession } = pickStudy((s) => s.performingPhysician === null && s.status === 'arrived')
    const expectedRev = rev(accession)
    const [a, b] = await Promise.all([
      as.bose!.post(`/api/v1/studies/${accession}/assignments`, {
        role: 'performingPhysician',
        userId: 'u-perf',
        expectedRev,
      }),
      as.huyen!.post(`/api/v1/studies/${accession}/assignments`, {
        role: 'performingPhysician',
        userId: 'u-admin',
        expectedRev,
      }),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    const loser = a.status === 409 ? a : b
    const winner = a.status === 409 ? 'HUYEN' : 'BOSE'
    expect(loser.body.by).toBe(winner)
    expect(typeof loser.body.at).toBe('string')
    expect(loser.body.message).toMatch(
      new RegExp(`^Updated by ${winner} at \\d\\d:\\d\\d:\\d\\d; your change was discarded\\.$`),
    )
  })

  it('[S14] an admin reassigns a study while its reader reviews it: the reader is told at once; a non-admin gets 423', async () => {
    const { accession } = pickStudy(unassignedReadyToRead)
    const boseFeed = watchFeed(t.server.hub, 'u-bose')
    const opened = await as.bose!.post<OpenBody>(`/api/v1/studies/${accession}/open`, {
      view: 'desktop',
    })
    expect(opened.body.assigned).toBe(true)
    const refused = await as.huyen!.post(`/api/v1/studies/${accession}/assignments`, {
      role: 'readingPhysician',
      userId: 'u-huyen',
      expectedRev: rev(accession),
    })
    expect(refused.status).toBe(423)
    expect(refused.body.holder).toEqual({ id: 'u-bose', name: 'BOSE' })
    const reassigned = await as.admin!.post(`/api/v1/studies/${accession}/assignments`, {
      role: 'readingPhysician',
      userId: 'u-huyen',
      expectedRev: rev(accession),
    })
    expect(reassigned.status).toBe(200)
    const told = await boseFeed.notice((n) => n.subject.id === accession && n.kind === 'claim.lost')
    expect(told.tier).toBe('blocking')
    expect(told.text).toContain('ADMIN')
    boseFeed.stop()
  })

  it('[S17] bulk assign while some studies are opened by another reading physician: those are refused, the rest succeed', async () => {
    const busy = pickStudy(unassignedReadyToRead).accession
    const free = [
      pickStudy(unassignedReadyToRead).accession,
      pickStudy(unassignedReadyToRead).accession,
    ]
    await as.huyen!.post(`/api/v1/studies/${busy}/open`, { view: 'desktop' })
    const res = await as.bose!.post<{
      results: { accession: string; ok: boolean; error?: string }[]
    }>('/api/v1/assignments/bulk', {
      accessions: [busy, ...free],
      role: 'readingPhysician',
      userId: 'u-bose',
    })
    expect(res.status).toBe(200)
    const byAcc = new Map(res.body.results.map((r) => [r.accession, r]))
    expect(byAcc.get(busy)).toEqual({
      accession: busy,
      ok: false,
      error: 'One or more studies have been opened by another reading physician',
    })
    for (const acc of free) expect(byAcc.get(acc)?.ok).toBe(true)
    for (const acc of free)
      expect(t.registry.read().studies.find((s) => s.accession === acc)!.readingPhysician?.id).toBe(
        'u-bose',
      )
  })

  it('a command without parameters may be sent with no body at all', async () => {
    const { accession } = pickStudy((s) => s.status === 'scheduled')
    const res = await fetch(`${t.url}/api/v1/studies/${accession}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.tech}` },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ released: false })
  })

  it('status advances only along the workflow, with the current rev', async () => {
    const { accession } = pickStudy((s) => s.status === 'scheduled')
    const stale = await as.tech!.post(`/api/v1/studies/${accession}/status`, {
      to: 'arrived',
      expectedRev: rev(accession) - 1,
    })
    expect(stale.status).toBe(409)
    const skip = await as.tech!.post(`/api/v1/studies/${accession}/status`, {
      to: 'read',
      expectedRev: rev(accession),
    })
    expect(skip.status).toBe(409)
    for (const to of ['arrived', 'in-progress', 'ready-to-read']) {
      const res = await as.tech!.post<{ state: { status: string } }>(
        `/api/v1/studies/${accession}/status`,
        { to, expectedRev: rev(accession) },
      )
      expect(res.status).toBe(200)
      expect(res.body.state.status).toBe(to)
    }
    const clerk = await as.clerk!.post(`/api/v1/studies/${accession}/status`, {
      to: 'read',
      expectedRev: rev(accession),
    })
    expect(clerk.status).toBe(403)
  })
})

describe('the reading claim', () => {
  it('[S15] the second radiologist opens read-only and the server refuses every reader action and report edit from them', async () => {
    const { accession } = pickStudy(unassignedReadyToRead)
    const first = await as.bose!.post<OpenBody>(`/api/v1/studies/${accession}/open`, {
      view: 'desktop',
    })
    expect(first.body.readOnly).toBe(false)
    const second = await as.huyen!.post<OpenBody>(`/api/v1/studies/${accession}/open`, {
      view: 'desktop',
    })
    expect(second.body.readOnly).toBe(true)
    expect(second.body.notices.map((n) => n.text)).toContain('BOSE is reading this study')

    const advance = await as.huyen!.post(`/api/v1/studies/${accession}/status`, {
      to: 'read',
      expectedRev: rev(accession),
    })
    expect(advance.status).toBe(423)
    expect(advance.body.message).toBe('BOSE is reading this study')
    expect(
      (await as.huyen!.post(`/api/v1/studies/${accession}/report`, { action: 'create' })).status,
    ).toBe(423)
    expect(
      (await as.huyen!.post(`/api/v1/studies/${accession}/report`, { action: 'amend' })).status,
    ).toBe(423)

    const created = await as.bose!.post(`/api/v1/studies/${accession}/report`, {
      action: 'create',
      autoTemplate: true,
    })
    expect(created.status).toBe(200)
    const boseReport = await connect('bose', `study/${accession}/report`)
    const huyenReport = await connect('huyen', `study/${accession}/report`)
    const body = (c: TestClient) => c.doc.getText('body') as Y.Text
    expect(body(boseReport).toString()).toContain('IMPRESSION:')
    body(boseReport).insert(body(boseReport).length, 'No acute findings.')
    await until(huyenReport.doc, () => body(huyenReport).toString().includes('No acute findings.'))
    const closed = nextClose(huyenReport)
    body(huyenReport).insert(0, 'HUYEN WAS HERE ')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    const room = await t.server.rooms.with(`study/${accession}/report`, (r) => r)
    expect(room.doc.getText('body').toString()).not.toContain('HUYEN WAS HERE')

    const read = await as.bose!.post(`/api/v1/studies/${accession}/status`, {
      to: 'read',
      expectedRev: rev(accession),
    })
    expect(read.status).toBe(200)
  })

  it('[S19] a privileged take-over needs a reason, is audited, hands the draft over and leaves the previous holder a copy', async () => {
    const { accession } = pickStudy(unassignedReadyToRead)
    await as.bose!.post(`/api/v1/studies/${accession}/open`, { view: 'desktop' })
    const boseReport = await connect('bose', `study/${accession}/report`)
    const draft = 'FINDINGS: subtle opacity right lower lobe.'
    boseReport.doc.getText('body').insert(0, draft)
    const room = await t.server.rooms.with(`study/${accession}/report`, (r) => r)
    await until(room.doc, () => room.doc.getText('body').toString() === draft)
    const boseFeed = watchFeed(t.server.hub, 'u-bose')

    expect(
      (
        await as.bose!.post(`/api/v1/studies/${accession}/takeover`, {
          reason: 'I want to take it over',
        })
      ).status,
    ).toBe(403)
    const noReason = await as.admin!.post(`/api/v1/studies/${accession}/takeover`, { reason: '  ' })
    expect(noReason.status).toBe(400)
    const res = await as.admin!.post(`/api/v1/studies/${accession}/takeover`, {
      reason: 'Urgent read, BOSE left the building',
    })
    expect(res.status).toBe(200)

    const lost = await boseFeed.notice((n) => n.subject.id === accession && n.kind === 'claim.lost')
    expect(lost.tier).toBe('blocking')
    expect(lost.details?.draftCopy).toBe(draft)
    const audit = await t.audit.query({ subject: accession, action: 'claim.takeover' })
    expect(audit.entries[0]?.details).toMatchObject({
      reason: 'Urgent read, BOSE left the building',
      previousHolder: { id: 'u-bose' },
    })

    const adminReport = await connect('admin', `study/${accession}/report`)
    expect(adminReport.doc.getText('body').toString()).toBe(draft)
    adminReport.doc.getText('body').insert(draft.length, ' Recommend CT.')
    await until(room.doc, () => room.doc.getText('body').toString().endsWith('Recommend CT.'))
    const closed = nextClose(boseReport)
    boseReport.doc.getText('body').insert(0, 'late edit ')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    boseFeed.stop()
  })
})

describe('the claim lease', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ config: { trackerTimeoutMs: 1500 } })
  })
  afterAll(() => s.close())

  it('[S18] the claim survives a reconnect, is kept while the holder is gone for less than the tracker timeout, then freed; a graceful close frees it at once', async () => {
    const study = s.registry.read().studies.find(unassignedReadyToRead)!
    const acc = study.accession
    const bose = api(s.url, await s.login('bose'))
    const huyen = api(s.url, await s.login('huyen'))
    const boseToken = await s.login('bose')
    await bose.post(`/api/v1/studies/${acc}/open`, { view: 'desktop' })
    const client = connectClient(s.wsUrl, `study/${acc}/report`, boseToken)
    await whenSynced(client)

    // A short disconnect and reconnect: the claim stays.
    client.provider.disconnect()
    client.provider.connect()
    await whenSynced(client)
    expect(
      (await huyen.post<OpenBody>(`/api/v1/studies/${acc}/open`, { view: 'desktop' })).body
        .readOnly,
    ).toBe(true)

    // The holder's client dies (no close request): still held right after …
    const boseFeed = watchFeed(s.server.hub, 'u-bose')
    ;(client.provider.ws as unknown as { terminate(): void }).terminate()
    client.provider.shouldConnect = false
    expect(
      (await huyen.post<OpenBody>(`/api/v1/studies/${acc}/open`, { view: 'desktop' })).body
        .readOnly,
    ).toBe(true)
    // … and freed once the tracker timeout passes.
    const expired = await boseFeed.notice((n) => n.subject.id === acc && n.kind === 'claim.lost')
    expect(expired.text).toContain('expired')
    const taken = await huyen.post<OpenBody>(`/api/v1/studies/${acc}/open`, { view: 'desktop' })
    expect(taken.body.readOnly).toBe(false)
    expect((taken.body.claim as { holder: { name: string } }).holder.name).toBe('HUYEN')

    // A graceful close releases at once.
    const closed = await huyen.post<{ released: boolean }>(`/api/v1/studies/${acc}/close`, {
      view: 'desktop',
    })
    expect(closed.body.released).toBe(true)
    expect(s.registry.read().studies.find((x) => x.accession === acc)!.claim).toBeNull()
    client.destroy()
    boseFeed.stop()
  })
})
