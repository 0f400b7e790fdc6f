/**
 * Field-level change attribution through a real server and stock clients
 * (S8, S9, S10, S33): what changed, old → new, who and when — in the feed of
 * everyone else with the form open, in the audit log, and in the worklist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { StudyRecord } from '../../server/registry/types.ts'
import { CloseCode } from '../../shared/protocol.ts'
import { type Api, api } from '../support/api.ts'
import { connectClient, nextClose, type TestClient, until, whenSynced } from '../support/clients.ts'
import { type FeedWatch, watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const tokens: Record<string, string> = {}
const as: Record<string, Api> = {}
const clients: TestClient[] = []
const feeds: FeedWatch[] = []
const taken = new Set<string>()

beforeAll(async () => {
  t = await startTestServer()
  for (const user of ['bose', 'huyen', 'tech', 'clerk', 'admin']) {
    tokens[user] = await t.login(user)
    as[user] = api(t.url, tokens[user]!)
  }
})
afterAll(async () => {
  for (const f of feeds) f.stop()
  for (const c of clients) c.destroy()
  await t.close()
})

/** A demo study matching `predicate`, never handed out twice. */
function pickStudy(predicate: (s: StudyRecord) => boolean): StudyRecord {
  const study = t.registry
    .read()
    .studies.find((s) => !taken.has(s.accession) && s.lifecycle === 'active' && predicate(s))
  if (!study) throw new Error('no demo study left for this test')
  taken.add(study.accession)
  return study
}

async function connect(user: string, docName: string): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, tokens[user]!)
  clients.push(client)
  await whenSynced(client)
  return client
}

function feedOf(user: string): FeedWatch {
  const feed = watchFeed(t.server.hub, `u-${user}`)
  feeds.push(feed)
  return feed
}

async function auditOf(subject: string, action: string) {
  return (await t.audit.query({ subject, action })).entries
}

describe('change attribution on the study form', () => {
  it('[S8] bose raises priority CRITFIND → STAT while huyen has the form open: huyen is told what, who and when (blocking), it is audited, bose is not told', async () => {
    const { accession, patientId } = pickStudy((s) => s.priority === 'CRITFIND')
    const huyenFeed = feedOf('huyen')
    const boseFeed = feedOf('bose')
    const huyen = await connect('huyen', `study/${accession}`)
    const bose = await connect('bose', `study/${accession}`)
    expect(bose.doc.getMap('fields').get('priority')).toBe('CRITFIND')

    bose.doc.getMap('fields').set('priority', 'STAT')
    const notice = await huyenFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === accession,
    )

    expect(notice.by).toEqual({ id: 'u-bose', name: 'BOSE' })
    expect(notice.subject).toEqual({ type: 'study', id: accession })
    expect(notice.changes).toEqual([{ field: 'priority', from: 'CRITFIND', to: 'STAT' }])
    expect(notice.tier).toBe('blocking')
    expect(notice.text).toContain('→ STAT by BOSE')
    expect(notice.text).toMatch(
      new RegExp(
        `^Priority CRITFIND → STAT by BOSE at \\d\\d:\\d\\d:\\d\\d on study ${accession}$`,
      ),
    )
    expect(Number.isNaN(Date.parse(notice.at))).toBe(false)
    // notifyViewers sends to every recipient in one call: had bose been one, it would be here by now.
    expect(boseFeed.notices().filter((n) => n.kind === 'field.change')).toEqual([])
    await until(huyen.doc, () => huyen.doc.getMap('fields').get('priority') === 'STAT')

    const [entry, ...more] = await auditOf(accession, 'study.field-change')
    expect(more).toEqual([])
    expect(entry).toMatchObject({
      actor: { id: 'u-bose', name: 'BOSE' },
      subject: { type: 'study', id: accession },
      patientId,
      outcome: 'success',
      source: { ip: 'sync' },
      details: { changes: [{ field: 'priority', from: 'CRITFIND', to: 'STAT' }] },
    })
    expect(typeof entry!.source.session).toBe('string')
  })

  it('[S8] the worklist summary follows the form: registry priority, worklist row and a live `worklist` event', async () => {
    const { accession } = pickStudy((s) => s.priority === 'ROUTINE')
    const huyenFeed = feedOf('huyen')
    const bose = await connect('bose', `study/${accession}`)
    bose.doc.getMap('fields').set('priority', 'URGENT')
    await huyenFeed.event((e) => e.type === 'worklist' && e.data.accession === accession)

    const record = t.registry.read().studies.find((s) => s.accession === accession)!
    expect(record.priority).toBe('URGENT')
    const { body } = await as.huyen!.get<{ rows: { accession: string; priority: string }[] }>(
      '/api/v1/worklist',
    )
    expect(body.rows.find((r) => r.accession === accession)?.priority).toBe('URGENT')
  })

  it('[S8] a priority change that is not to STAT is a toast, not a blocking dialog', async () => {
    const { accession } = pickStudy((s) => s.priority === 'STAT')
    const huyenFeed = feedOf('huyen')
    await connect('huyen', `study/${accession}`)
    const bose = await connect('bose', `study/${accession}`)
    bose.doc.getMap('fields').set('priority', 'ROUTINE')
    const notice = await huyenFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === accession,
    )
    expect(notice.tier).toBe('toast')
    expect(notice.text).toMatch(/^Priority STAT → ROUTINE by BOSE at /)
  })

  it('[S8] the first change after a room loads reports the stored text as `from`', async () => {
    const { accession } = pickStudy(() => true)
    const name = `study/${accession}`
    expect(await t.server.rooms.peek(name)).toBeNull() // not loaded: it loads from the log below
    // Stored history the room has never seen: notes already hold text.
    const stored = new Y.Doc()
    const { snapshot, updates } = await t.docs.load(name)
    if (snapshot) Y.applyUpdate(stored, snapshot)
    for (const { update } of updates) Y.applyUpdate(stored, update)
    const vector = Y.encodeStateVector(stored)
    const storedNotes = stored.getMap('fields').get('notes') as Y.Text
    storedNotes.insert(storedNotes.length, 'Prior: no change since 2024.')
    await t.docs.append(name, Y.encodeStateAsUpdate(stored, vector))
    const before = storedNotes.toString()

    const huyenFeed = feedOf('huyen')
    await connect('huyen', name)
    const bose = await connect('bose', name)
    const notes = bose.doc.getMap('fields').get('notes') as Y.Text
    expect(notes.toString()).toBe(before)
    notes.insert(notes.length, '!')
    const notice = await huyenFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === accession,
    )
    expect(notice.changes).toEqual([{ field: 'notes', from: before, to: `${before}!` }])
  })

  it('[S8] 30 keystrokes into notes are one audit entry and one notice for the burst, not 30', async () => {
    const { accession } = pickStudy(() => true)
    const huyenFeed = feedOf('huyen')
    await connect('huyen', `study/${accession}`)
    const bose = await connect('bose', `study/${accession}`)
    const notes = bose.doc.getMap('fields').get('notes') as Y.Text
    expect(notes).toBeInstanceOf(Y.Text)
    const before = notes.toString()
    const typed = 'Compare with prior of 2024-03.'
    expect(typed).toHaveLength(30)
    for (const char of typed) notes.insert(notes.length, char) // one transaction, one message each

    const notice = await huyenFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === accession,
    )
    // Uncoalesced, the notice carrying the whole text would be the 30th; coalesced, it is the only one.
    expect(notice.changes).toEqual([{ field: 'notes', from: before, to: before + typed }])
    expect(notice.tier).toBe('routine')
    expect(notice.text).toMatch(new RegExp(`^Notes edited by BOSE at .* on study ${accession}$`))
    expect(notice.text).not.toContain(typed)
    const notices = huyenFeed.notices().filter((n) => n.subject.id === accession)
    expect(notices).toHaveLength(1)
    const entries = await auditOf(accession, 'study.field-change')
    expect(entries).toHaveLength(1)
    expect(entries[0]!.details).toMatchObject({
      changes: [{ field: 'notes', from: before, to: before + typed }],
    })
  })
})

describe('change attribution on the patient form', () => {
  /** A patient whose registration form says accountStatus NORMAL. */
  async function normalPatient(): Promise<string> {
    for (const p of t.registry.read().patients) {
      if (taken.has(p.id)) continue
      const status = await t.server.rooms.with(`patient/${p.id}`, (room) =>
        room.doc.getMap('fields').get('accountStatus'),
      )
      if (status === 'NORMAL') {
        taken.add(p.id)
        return p.id
      }
    }
    throw new Error('no NORMAL patient left')
  }

  it('[S9] clerk changes Account status NORMAL → OVERDUE while tech has the patient open: tech is told, it is audited', async () => {
    const patientId = await normalPatient()
    const techFeed = feedOf('tech')
    await connect('tech', `patient/${patientId}`)
    const clerk = await connect('clerk', `patient/${patientId}`)
    clerk.doc.getMap('fields').set('accountStatus', 'OVERDUE')

    const notice = await techFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === patientId,
    )
    expect(notice.subject).toEqual({ type: 'patient', id: patientId })
    expect(notice.by).toEqual({ id: 'u-clerk', name: 'CLERK' })
    expect(notice.changes).toEqual([{ field: 'accountStatus', from: 'NORMAL', to: 'OVERDUE' }])
    expect(notice.text).toContain('Account status NORMAL → OVERDUE by CLERK')
    expect(notice.text).toMatch(new RegExp(`on patient ${patientId}$`))
    const entries = await auditOf(patientId, 'patient.field-change')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { id: 'u-clerk', name: 'CLERK' },
      patientId,
      details: { changes: [{ field: 'accountStatus', from: 'NORMAL', to: 'OVERDUE' }] },
    })
  })

  it('[S9] a name change reaches the registry summary and the patient’s worklist rows', async () => {
    const patientId = await normalPatient()
    const study = t.registry
      .read()
      .studies.find((s) => s.patientId === patientId && s.lifecycle === 'active')
    expect(study).toBeDefined()
    const huyenFeed = feedOf('huyen')
    const clerk = await connect('clerk', `patient/${patientId}`)
    clerk.doc.getMap('fields').set('name', 'NEWNAME^ALEX')
    await huyenFeed.event((e) => e.type === 'worklist' && e.data.accession === study!.accession)

    expect(t.registry.read().patients.find((p) => p.id === patientId)?.name).toBe('NEWNAME^ALEX')
    const { body } = await as.huyen!.get<{ rows: { accession: string; patientName: string }[] }>(
      '/api/v1/worklist',
    )
    expect(body.rows.find((r) => r.accession === study!.accession)?.patientName).toBe(
      'NEWNAME^ALEX',
    )
    const entries = await auditOf(patientId, 'patient.field-change')
    expect(entries[0]!.details).toMatchObject({ changes: [{ field: 'name', to: 'NEWNAME^ALEX' }] })
  })
})

describe('focus and refused writes', () => {
  it('[S10] the field another user is in shows on the other screen, stamped with who they are, and in the presence index', async () => {
    const { accession } = pickStudy(() => true)
    const huyen = await connect('huyen', `study/${accession}`)
    const bose = await connect('bose', `study/${accession}`)
    bose.provider.awareness.setLocalState({
      mode: 'editing',
      view: 'info',
      openedAt: new Date().toISOString(),
      focus: 'clinicalHistory',
      user: { id: 'u-admin', name: 'MALLORY', role: 'admin' }, // the server overwrites this (S5)
    })
    const seen = await new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const state = [...huyen.provider.awareness.getStates().values()].find(
          (s) => s.focus === 'clinicalHistory',
        )
        if (!state) return
        huyen.provider.awareness.off('change', check)
        resolve(state)
      }
      huyen.provider.awareness.on('change', check)
      check()
    })
    expect(seen.user).toEqual({ id: 'u-bose', name: 'BOSE', role: 'radiologist' })
    expect(seen.mode).toBe('editing')
    const entries = t.server.presence.forSubject('study', accession)
    expect(entries).toContainEqual(
      expect.objectContaining({
        user: { id: 'u-bose', name: 'BOSE', role: 'radiologist' },
        focus: 'clinicalHistory',
        mode: 'editing',
        doc: `study/${accession}`,
      }),
    )
  })

  it('[S33] a refused write (priority BOGUS) is in the audit log as sync.write-refused with who, what and why', async () => {
    const { accession } = pickStudy(() => true)
    const bose = connectClient(t.wsUrl, `study/${accession}`, tokens.bose!)
    await whenSynced(bose)
    const closed = nextClose(bose)
    bose.doc.getMap('fields').set('priority', 'BOGUS')
    expect((await closed).code).toBe(CloseCode.localCopyRefused)
    bose.destroy() // it would resend the refused edit on reconnect

    const [entry] = await auditOf(`study/${accession}`, 'sync.write-refused')
    expect(entry).toMatchObject({
      actor: { id: 'u-bose', name: 'BOSE' },
      subject: { type: 'document', id: `study/${accession}` },
      outcome: 'refused',
      source: { ip: 'sync' },
      details: { field: 'priority' },
    })
    expect(String(entry!.details!.reason)).toMatch(/priority|STAT/)
    expect(await auditOf(accession, 'study.field-change')).toEqual([])
  })
})

describe('authors other than users, and bursts still pending', () => {
  it('[S8] a server-side write to a form (HL7, DICOM) is announced and audited as by SYSTEM', async () => {
    const { accession } = pickStudy((s) => s.priority !== 'URGENT')
    const huyenFeed = feedOf('huyen')
    await connect('huyen', `study/${accession}`)
    await t.server.rooms.with(`study/${accession}`, (room) =>
      room.serverWrite((doc) => doc.getMap('fields').set('priority', 'URGENT')),
    )
    const notice = await huyenFeed.notice(
      (n) => n.kind === 'field.change' && n.subject.id === accession,
    )
    expect(notice.by).toBe('SYSTEM')
    expect(notice.text).toMatch(/→ URGENT by SYSTEM at /)
    const [entry] = await auditOf(accession, 'study.field-change')
    expect(entry).toMatchObject({ actor: 'SYSTEM', source: { ip: 'sync', session: null } })
  })

  it('[S33] a typing burst still pending when the server shuts down is recorded, not lost', async () => {
    const own = await startTestServer()
    let closed = false
    try {
      const accession = own.registry.read().studies[0]!.accession
      const bose = connectClient(own.wsUrl, `study/${accession}`, await own.login('bose'))
      clients.push(bose)
      await whenSynced(bose)
      const notes = bose.doc.getMap('fields').get('notes') as Y.Text
      notes.insert(notes.length, 'typed just before shutdown')
      const serverNotes = await own.server.rooms.with(
        `study/${accession}`,
        (room) => room.doc.getMap('fields').get('notes') as Y.Text,
      )
      await until(serverNotes.doc!, () => serverNotes.toString().endsWith('before shutdown'))
      await own.close()
      closed = true
      const entries = (own.audit as unknown as { entries: { action: string; details?: unknown }[] })
        .entries
      const changes = entries.filter((e) => e.action === 'study.field-change')
      expect(changes).toHaveLength(1)
      expect(changes[0]!.details).toMatchObject({ changes: [{ field: 'notes' }] })
    } finally {
      if (!closed) await own.close()
    }
  })
})
