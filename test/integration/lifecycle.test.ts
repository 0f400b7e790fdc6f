/** Merge, delete, grouping and image/SR arrivals through a real server and stock clients (S20–S23, S25). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeedEvent } from '../../server/events/types.ts'
import type { StudyRecord } from '../../server/registry/types.ts'
import { CloseCode, type GoneReason } from '../../shared/protocol.ts'
import { type Api, api } from '../support/api.ts'
import {
  connectClient,
  nextClose,
  rawSocket,
  type TestClient,
  until,
  whenSynced,
} from '../support/clients.ts'
import { watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const as: Record<string, Api> = {}
const tokens: Record<string, string> = {}
const clients: TestClient[] = []
const takenStudies = new Set<string>()
const takenPatients = new Set<string>()

beforeAll(async () => {
  t = await startTestServer()
  for (const user of ['bose', 'huyen', 'admin', 'tech', 'clerk', 'system']) {
    tokens[user] = await t.login(user)
    as[user] = api(t.url, tokens[user]!)
  }
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

const TIME = '\\d\\d:\\d\\d:\\d\\d'

function study(accession: string): StudyRecord {
  return t.registry.read().studies.find((s) => s.accession === accession)!
}

/** A fresh active study, never handed out twice, whose patient no other test uses. */
function pickStudy(predicate: (s: StudyRecord) => boolean = () => true): StudyRecord {
  const found = t.registry
    .read()
    .studies.find(
      (s) =>
        s.lifecycle === 'active' &&
        !takenStudies.has(s.accession) &&
        !takenPatients.has(s.patientId) &&
        predicate(s),
    )
  if (!found) throw new Error('no demo study left for this test')
  takenStudies.add(found.accession)
  return found
}

/** A fresh active patient with at least `minStudies` active studies; all of them are taken. */
function pickPatient(minStudies: number): { patientId: string; studies: string[] } {
  const data = t.registry.read()
  for (const patient of data.patients) {
    if (patient.lifecycle !== 'active' || takenPatients.has(patient.id)) continue
    const studies = data.studies
      .filter((s) => s.patientId === patient.id && s.lifecycle === 'active')
      .map((s) => s.accession)
    if (studies.length < minStudies || studies.some((a) => takenStudies.has(a))) continue
    takenPatients.add(patient.id)
    for (const a of studies) takenStudies.add(a)
    return { patientId: patient.id, studies }
  }
  throw new Error('no demo patient left for this test')
}

async function connect(user: string, docName: string): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, tokens[user]!)
  clients.push(client)
  await whenSynced(client)
  return client
}

function goneOf(close: { code: number; reason: string }): GoneReason {
  expect(close.code).toBe(CloseCode.gone)
  return JSON.parse(close.reason) as GoneReason
}

/** The close code a brand-new sync connection to `docName` gets. */
async function freshConnectionClose(
  user: string,
  docName: string,
): Promise<{ code: number; reason: string }> {
  const socket = rawSocket(t.wsUrl, `/sync/${docName}?token=${tokens[user]}`)
  return socket.closed
}

const forcedClose = (id: string) => (e: FeedEvent) =>
  e.type === 'forced-close' && e.data.subject.id === id

describe('study delete and merge', () => {
  it('[S21] a study deleted while two users have it open: both forms close with 4410 "deleted by ADMIN", both are told, it leaves the worklist, and nothing more can be written or opened', async () => {
    const { accession } = pickStudy()
    const feeds = {
      bose: watchFeed(t.server.hub, 'u-bose'),
      huyen: watchFeed(t.server.hub, 'u-huyen'),
    }
    const a = await connect('bose', `study/${accession}`)
    const b = await connect('huyen', `study/${accession}`)
    expect(
      (await as.bose!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })).status,
    ).toBe(200)
    expect(
      (await as.huyen!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })).status,
    ).toBe(200)
    const closes = Promise.all([nextClose(a), nextClose(b)])

    const res = await as.admin!.delete(`/api/v1/studies/${accession}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ accession, lifecycle: 'deleted', by: { name: 'ADMIN' } })

    for (const close of await closes) {
      const reason = goneOf(close)
      expect(reason).toMatchObject({ reason: 'deleted', by: { id: 'u-admin', name: 'ADMIN' } })
      expect(new Date(reason.at).toISOString()).toBe(reason.at)
      expect(reason.mergedInto).toBeUndefined()
    }
    for (const feed of Object.values(feeds)) {
      const notice = await feed.notice(
        (n) => n.subject.id === accession && n.kind === 'study.deleted',
      )
      expect(notice.tier).toBe('blocking')
      expect(notice.by).toEqual({ id: 'u-admin', name: 'ADMIN' })
      expect(notice.text).toMatch(new RegExp(`^study ${accession} deleted by ADMIN at ${TIME}$`))
      await feed.event(forcedClose(accession))
      await feed.event(
        (e) =>
          e.type === 'worklist' && e.data.accession === accession && e.data.change === 'removed',
      )
      feed.stop()
    }

    const worklist = await as.bose!.get<{ rows: { accession: string }[] }>('/api/v1/worklist')
    expect(worklist.body.rows.map((r) => r.accession)).not.toContain(accession)
    expect(goneOf(await freshConnectionClose('huyen', `study/${accession}`)).reason).toBe('deleted')
    expect(goneOf(await freshConnectionClose('bose', `study/${accession}/state`)).reason).toBe(
      'deleted',
    )
    const reopen = await as.bose!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })
    expect(reopen.status).toBe(410)
    expect(t.server.domain.viewers.opensOf(accession)).toEqual([])

    // The stock client does not reconnect after 4410; one that insists, with an edit made after
    // the close, is refused at the upgrade and the edit never reaches the server.
    expect(a.provider.shouldConnect).toBe(false)
    const refusedAgain = nextClose(a)
    a.doc.getMap('fields').set('description', 'EDITED AFTER DELETE')
    a.provider.connect()
    expect((await refusedAgain).code).toBe(CloseCode.gone)
    const serverFields = await t.server.rooms.with(`study/${accession}`, (room) =>
      room.doc.getMap('fields').toJSON(),
    )
    expect(serverFields.description).not.toBe('EDITED AFTER DELETE')
    expect(study(accession)).toMatchObject({
      lifecycle: 'deleted',
      claim: null,
      updatedBy: { name: 'ADMIN' },
    })
  })

  it('[S22] a study merged into another: open forms close with 4410 naming the target, the notice says "merged into", and the target gains the images', async () => {
    const source = pickStudy((s) => s.imageCount > 0)
    const target = pickStudy((s) => s.patientId !== source.patientId)
    const feed = watchFeed(t.server.hub, 'u-bose')
    const targetFeed = watchFeed(t.server.hub, 'u-huyen')
    const form = await connect('bose', `study/${source.accession}`)
    await connect('huyen', `study/${target.accession}`)
    const closed = nextClose(form)

    const res = await as.admin!.post(`/api/v1/studies/${source.accession}/merge`, {
      into: target.accession,
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ lifecycle: 'merged', mergedInto: target.accession })

    expect(goneOf(await closed)).toMatchObject({
      reason: 'merged',
      mergedInto: target.accession,
      by: { name: 'ADMIN' },
    })
    const notice = await feed.notice(
      (n) => n.subject.id === source.accession && n.kind === 'study.merged',
    )
    expect(notice.tier).toBe('blocking')
    expect(notice.text).toMatch(
      new RegExp(`^study ${source.accession} merged into ${target.accession} by ADMIN at ${TIME}$`),
    )
    const event = await feed.event(forcedClose(source.accession))
    expect(event).toMatchObject({ data: { reason: 'merged', mergedInto: target.accession } })
    const mergedIn = await targetFeed.notice(
      (n) => n.subject.id === target.accession && n.kind === 'study.merged-in',
    )
    expect(mergedIn.text).toContain(
      `study ${source.accession} merged into study ${target.accession} by ADMIN`,
    )
    feed.stop()
    targetFeed.stop()

    expect(study(target.accession).imageCount).toBe(target.imageCount + source.imageCount)
    expect(study(target.accession).srCount).toBe(target.srCount + source.srCount)
    expect(study(target.accession).rev).toBe(target.rev + 1)
    const gone = await as.bose!.get(`/api/v1/studies/${source.accession}`)
    expect(gone.status).toBe(410)
    expect(gone.body).toMatchObject({ lifecycle: 'merged', mergedInto: target.accession })
    expect(goneOf(await freshConnectionClose('bose', `study/${source.accession}`)).mergedInto).toBe(
      target.accession,
    )
  })

  it('merge and delete refuse what makes no sense: 404 unknown, 410 already gone, 400 into itself or an unknown target, 409 into a deleted study', async () => {
    const a = pickStudy()
    const b = pickStudy()
    expect((await as.admin!.delete('/api/v1/studies/NOSUCH1')).status).toBe(404)
    expect(
      (await as.admin!.post(`/api/v1/studies/${a.accession}/merge`, { into: a.accession })).status,
    ).toBe(400)
    expect(
      (await as.admin!.post(`/api/v1/studies/${a.accession}/merge`, { into: 'NOSUCH2' })).status,
    ).toBe(400)
    expect(
      (await as.admin!.post(`/api/v1/studies/${a.accession}/merge`, { into: '../x' })).status,
    ).toBe(400)
    expect((await as.admin!.delete(`/api/v1/studies/${b.accession}`)).status).toBe(200)
    const intoDeleted = await as.admin!.post(`/api/v1/studies/${a.accession}/merge`, {
      into: b.accession,
    })
    expect(intoDeleted.status).toBe(409)
    expect((await as.admin!.delete(`/api/v1/studies/${b.accession}`)).status).toBe(410)
    expect(study(a.accession).lifecycle).toBe('active')
  })
})

describe('patient merge and delete', () => {
  it('[S23] a patient merged while the registration form is open: it closes with 4410 naming the target, and the studies follow the merge', async () => {
    const source = pickPatient(2)
    const target = pickPatient(1)
    const clerkFeed = watchFeed(t.server.hub, 'u-clerk')
    const boseFeed = watchFeed(t.server.hub, 'u-bose')
    const form = await connect('clerk', `patient/${source.patientId}`)
    const studyForm = await connect('bose', `study/${source.studies[0]}`)
    const closed = nextClose(form)

    const res = await as.admin!.post(`/api/v1/patients/${source.patientId}/merge`, {
      into: target.patientId,
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      lifecycle: 'merged',
      mergedInto: target.patientId,
      movedStudies: source.studies,
    })

    expect(goneOf(await closed)).toMatchObject({
      reason: 'merged',
      mergedInto: target.patientId,
      by: { name: 'ADMIN' },
    })
    const notice = await clerkFeed.notice((n) => n.subject.id === source.patientId)
    expect(notice).toMatchObject({ kind: 'patient.merged', tier: 'blocking' })
    expect(notice.text).toMatch(
      new RegExp(
        `^patient ${source.patientId} merged into ${target.patientId} by ADMIN at ${TIME}$`,
      ),
    )
    // The study form stays open (the study lives on) and is told whose it now is.
    const moved = await boseFeed.notice(
      (n) => n.subject.id === source.studies[0] && n.kind === 'study.patient-changed',
    )
    expect(moved.changes).toEqual([
      { field: 'patientId', from: source.patientId, to: target.patientId },
    ])
    expect(studyForm.provider.wsconnected).toBe(true)
    clerkFeed.stop()
    boseFeed.stop()

    for (const accession of source.studies)
      expect(study(accession).patientId).toBe(target.patientId)
    const rows = (
      await as.bose!.get<{ rows: { accession: string; patientId: string }[] }>('/api/v1/worklist')
    ).body.rows
    for (const accession of source.studies)
      expect(rows.find((r) => r.accession === accession)?.patientId).toBe(target.patientId)
    expect(
      goneOf(await freshConnectionClose('clerk', `patient/${source.patientId}`)).mergedInto,
    ).toBe(target.patientId)
  })

  it('[S23] a patient deleted while forms are open: the patient form and the forms of their studies close with 4410, and the studies go too', async () => {
    const { patientId, studies } = pickPatient(2)
    const boseFeed = watchFeed(t.server.hub, 'u-bose')
    const form = await connect('clerk', `patient/${patientId}`)
    const studyForm = await connect('bose', `study/${studies[0]}`)
    const closes = Promise.all([nextClose(form), nextClose(studyForm)])

    const res = await as.admin!.delete(`/api/v1/patients/${patientId}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ lifecycle: 'deleted', deletedStudies: studies })

    for (const close of await closes)
      expect(goneOf(close)).toMatchObject({ reason: 'deleted', by: { name: 'ADMIN' } })
    const notice = await boseFeed.notice(
      (n) => n.subject.id === studies[0] && n.kind === 'study.deleted',
    )
    expect(notice.text).toMatch(
      new RegExp(
        `^study ${studies[0]} deleted by ADMIN at ${TIME} \\(patient ${patientId} deleted\\)$`,
      ),
    )
    boseFeed.stop()
    for (const accession of studies) expect(study(accession).lifecycle).toBe('deleted')
    const rows = (await as.bose!.get<{ rows: { accession: string }[] }>('/api/v1/worklist')).body
      .rows
    expect(rows.filter((r) => studies.includes(r.accession))).toEqual([])
    expect((await as.admin!.delete(`/api/v1/patients/${patientId}`)).status).toBe(410)
  })

  it('[S23] merge and delete need the mergeDelete privilege: 403 and nothing changes', async () => {
    const { patientId, studies } = pickPatient(1)
    const other = pickPatient(1)
    expect(
      (await as.bose!.post(`/api/v1/patients/${patientId}/merge`, { into: other.patientId }))
        .status,
    ).toBe(403)
    expect((await as.clerk!.delete(`/api/v1/patients/${patientId}`)).status).toBe(403)
    expect((await as.huyen!.delete(`/api/v1/studies/${studies[0]}`)).status).toBe(403)
    expect(
      (await as.tech!.post(`/api/v1/studies/${studies[0]}/merge`, { into: other.studies[0] }))
        .status,
    ).toBe(403)
    expect(t.registry.read().patients.find((p) => p.id === patientId)?.lifecycle).toBe('active')
    expect(study(studies[0]!).lifecycle).toBe('active')
    expect(
      (await as.admin!.post(`/api/v1/patients/${patientId}/merge`, { into: 'PNOSUCH' })).status,
    ).toBe(400)
    expect((await as.admin!.delete('/api/v1/patients/PNOSUCH')).status).toBe(404)
  })
})

describe('grouping', () => {
  it('[S20] a study changed by another user since the requester looked is left out, with who changed it; the others are grouped', async () => {
    const { studies } = pickPatient(3)
    const [first, changed, third] = studies as [string, string, string]
    const foreign = pickStudy()
    const seen = (
      await as.bose!.get<{ rows: { accession: string; rev: number }[] }>('/api/v1/worklist')
    ).body.rows
    const expectedRevs = Object.fromEntries(
      seen
        .filter((r) => [first, changed, third, foreign.accession].includes(r.accession))
        .map((r) => [r.accession, r.rev]),
    )
    // HUYEN changes one of them after BOSE looked.
    const assigned = await as.huyen!.post(`/api/v1/studies/${changed}/assignments`, {
      role: 'technologist',
      userId: 'u-tech',
      expectedRev: expectedRevs[changed],
    })
    expect(assigned.status).toBe(200)

    const res = await as.bose!.post<{
      grouped: string[]
      group: string | null
      excluded: { accession: string; reason: string; by: string; at: string }[]
    }>('/api/v1/study-groups', {
      accessions: [first, changed, third, foreign.accession],
      expectedRevs,
    })
    expect(res.status).toBe(200)
    expect(res.body.grouped).toEqual([first, third])
    expect(res.body.group).toBe(`G-${first}`)
    const stale = res.body.excluded.find((e) => e.accession === changed)!
    expect(stale.by).toBe('HUYEN')
    expect(stale.reason).toMatch(new RegExp(`^changed by HUYEN at ${TIME} since you looked$`))
    expect(new Date(stale.at).getTime()).toBe(study(changed).updatedAt)
    expect(res.body.excluded.find((e) => e.accession === foreign.accession)?.reason).toContain(
      'belongs to another patient',
    )
    expect(study(first)).toMatchObject({ group: `G-${first}`, rev: expectedRevs[first]! + 1 })
    expect(study(third).group).toBe(`G-${first}`)
    expect(study(changed).group).toBeNull()
  })

  it('[S20] fewer than two groupable studies group nothing; unknown studies are excluded; grouping needs a privilege', async () => {
    const { studies } = pickPatient(2)
    const revs = Object.fromEntries(studies.map((a) => [a, study(a).rev]))
    const res = await as.bose!.post<{
      grouped: string[]
      group: null
      excluded: { accession: string; reason: string }[]
    }>('/api/v1/study-groups', {
      accessions: [studies[0], 'NOSUCH9'],
      expectedRevs: { ...revs, NOSUCH9: 1 },
    })
    expect(res.body).toMatchObject({ grouped: [], group: null })
    expect(res.body.excluded[0]).toMatchObject({ accession: 'NOSUCH9', by: null, at: null })
    expect(study(studies[0]!).group).toBeNull()
    const missingRev = await as.bose!.post('/api/v1/study-groups', {
      accessions: studies,
      expectedRevs: {},
    })
    expect(missingRev.status).toBe(400)
    expect(
      (await as.tech!.post('/api/v1/study-groups', { accessions: studies, expectedRevs: revs }))
        .status,
    ).toBe(403)
  })
})

describe('images and structured reports', () => {
  it('[S25] new images arrive for an open study: the state document counts them, viewers are told, duplicates count once; deletions and SR changes are announced', async () => {
    const { accession, imageCount } = pickStudy()
    const feed = watchFeed(t.server.hub, 'u-bose')
    await connect('bose', `study/${accession}`)
    const state = await connect('bose', `study/${accession}/state`)
    const stateMap = state.doc.getMap('state')
    await until(state.doc, () => stateMap.get('imageCount') === imageCount)
    const uids = ['1.2.840.10008.1.1', '1.2.840.10008.1.2', '1.2.840.10008.1.3']

    const added = await as.system!.post(`/api/v1/studies/${accession}/images`, {
      sopInstanceUids: uids,
    })
    expect(added.status).toBe(200)
    expect(added.body).toMatchObject({ added: 3, duplicates: 0, imageCount: imageCount + 3 })
    await until(state.doc, () => stateMap.get('imageCount') === imageCount + 3)
    const notice = await feed.notice(
      (n) => n.subject.id === accession && n.kind === 'study.images-added',
    )
    expect(notice).toMatchObject({
      tier: 'toast',
      by: 'SYSTEM',
      changes: [{ field: 'imageCount', from: imageCount, to: imageCount + 3 }],
    })
    expect(notice.text).toMatch(
      new RegExp(
        `^3 new images on study ${accession} \\(now ${imageCount + 3}\\) from SYSTEM at ${TIME}$`,
      ),
    )

    const again = await as.system!.post(`/api/v1/studies/${accession}/images`, {
      sopInstanceUids: [uids[0], '1.2.840.10008.1.4'],
    })
    expect(again.body).toMatchObject({ added: 1, duplicates: 1, imageCount: imageCount + 4 })
    await until(state.doc, () => stateMap.get('imageCount') === imageCount + 4)

    const removed = await as.system!.delete(`/api/v1/studies/${accession}/images/${uids[1]}`)
    expect(removed.body).toMatchObject({ imageCount: imageCount + 3 })
    const deletion = await feed.notice(
      (n) => n.subject.id === accession && n.kind === 'study.image-deleted',
    )
    expect(deletion.text).toMatch(
      new RegExp(
        `^Image ${uids[1]} deleted from study ${accession} \\(now ${imageCount + 3}\\) by SYSTEM at ${TIME}$`,
      ),
    )
    await until(state.doc, () => stateMap.get('imageCount') === imageCount + 3)
    expect((await as.system!.delete(`/api/v1/studies/${accession}/images/${uids[1]}`)).status).toBe(
      404,
    )

    const srCount = study(accession).srCount
    expect(
      (await as.admin!.post(`/api/v1/studies/${accession}/sr`, { sopInstanceUid: '1.2.3.99' }))
        .body,
    ).toMatchObject({ added: true, srCount: srCount + 1 })
    const srAdded = await feed.notice(
      (n) => n.subject.id === accession && n.kind === 'study.sr-added',
    )
    expect(srAdded.text).toMatch(
      new RegExp(
        `^SR 1\\.2\\.3\\.99 added to study ${accession} \\(now ${srCount + 1}\\) by ADMIN at ${TIME}$`,
      ),
    )
    await until(state.doc, () => stateMap.get('srCount') === srCount + 1)
    expect((await as.admin!.delete(`/api/v1/studies/${accession}/sr/1.2.3.99`)).body).toMatchObject(
      { srCount },
    )
    const srRemoved = await feed.notice(
      (n) => n.subject.id === accession && n.kind === 'study.sr-removed',
    )
    expect(srRemoved.text).toContain(
      `SR 1.2.3.99 removed from study ${accession} (now ${srCount}) by ADMIN at `,
    )
    feed.stop()
  })

  it('[S25] only integrations and admins post images or SR; bad UIDs are refused', async () => {
    const { accession, imageCount } = pickStudy()
    expect(
      (await as.tech!.post(`/api/v1/studies/${accession}/images`, { sopInstanceUids: ['1.2.3'] }))
        .status,
    ).toBe(403)
    expect(
      (await as.bose!.post(`/api/v1/studies/${accession}/sr`, { sopInstanceUid: '1.2.3' })).status,
    ).toBe(403)
    expect(
      (await as.system!.post(`/api/v1/studies/${accession}/images`, { sopInstanceUids: ['1.2.x'] }))
        .status,
    ).toBe(400)
    expect(
      (await as.system!.post(`/api/v1/studies/${accession}/images`, { sopInstanceUids: [] }))
        .status,
    ).toBe(400)
    expect(
      (await as.system!.post('/api/v1/studies/NOSUCH3/images', { sopInstanceUids: ['1.2.3'] }))
        .status,
    ).toBe(404)
    expect(study(accession).imageCount).toBe(imageCount)
  })
})
