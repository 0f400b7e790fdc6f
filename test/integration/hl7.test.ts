/** HL7 v2 inbound through POST /api/v1/hl7: changes as SYSTEM, announced to open forms (S24). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudyRecord } from '../../server/registry/types.ts'
import { CloseCode, type GoneReason } from '../../shared/protocol.ts'
import { type Api, api } from '../support/api.ts'
import { connectClient, nextClose, type TestClient, until, whenSynced } from '../support/clients.ts'
import { watchFeed } from '../support/feed.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

let t: TestServer
const as: Record<string, Api> = {}
const tokens: Record<string, string> = {}
const clients: TestClient[] = []
const takenPatients = new Set<string>()
let controlId = 0

beforeAll(async () => {
  t = await startTestServer()
  for (const user of ['bose', 'admin', 'clerk', 'system']) {
    tokens[user] = await t.login(user)
    as[user] = api(t.url, tokens[user]!)
  }
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

const TIME = '\\d\\d:\\d\\d:\\d\\d'

function msh(type: string): string {
  controlId++
  return `MSH|^~\\&|HIS|GENHOSP|STUDYSYNC|RADIOLOGY|20240316080000||${type}|CTL${controlId}|P|2.5.1`
}

interface Ack {
  status: number
  contentType: string | null
  text: string
  /** MSA-1: AA, AE or AR. */
  code: string
  /** MSA-3. */
  reason: string
}

async function send(
  user: string,
  segments: string[] | string,
  contentType = 'x-application/hl7-v2+er7',
): Promise<Ack> {
  const res = await fetch(`${t.url}/api/v1/hl7`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': contentType },
    body: Array.isArray(segments) ? segments.join('\r') : segments,
  })
  const text = await res.text()
  const msa =
    text
      .split('\r')
      .find((s) => s.startsWith('MSA|'))
      ?.split('|') ?? []
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text,
    code: msa[1] ?? '',
    reason: msa[3] ?? '',
  }
}

function pickPatient(): string {
  const data = t.registry.read()
  const patient = data.patients.find(
    (p) =>
      p.lifecycle === 'active' &&
      !takenPatients.has(p.id) &&
      data.studies.some((s) => s.patientId === p.id && s.lifecycle === 'active'),
  )
  if (!patient) throw new Error('no demo patient left')
  takenPatients.add(patient.id)
  return patient.id
}

function studyOf(
  patientId: string,
  predicate: (s: StudyRecord) => boolean = () => true,
): StudyRecord {
  const found = t.registry
    .read()
    .studies.find((s) => s.patientId === patientId && s.lifecycle === 'active' && predicate(s))
  if (!found) throw new Error(`no study of ${patientId}`)
  return found
}

async function connect(user: string, docName: string): Promise<TestClient> {
  const client = connectClient(t.wsUrl, docName, tokens[user]!)
  clients.push(client)
  await whenSynced(client)
  return client
}

const registrySnapshot = () =>
  JSON.stringify({ patients: t.registry.read().patients, studies: t.registry.read().studies })

describe('HL7 inbound', () => {
  it('[S24] ADT^A08 changes the patient: the open registration form shows the new name and is told what changed, by SYSTEM', async () => {
    const patientId = pickPatient()
    const feed = watchFeed(t.server.hub, 'u-clerk')
    const form = await connect('clerk', `patient/${patientId}`)
    const fields = form.doc.getMap('fields')
    const before = fields.get('name')

    const ack = await send('system', [
      msh('ADT^A08^ADT_A01'),
      'EVN|A08|20240316080000',
      `PID|1||${patientId}^^^GENHOSP^MR||NEWNAME^ANNA`,
    ])
    expect(ack.status).toBe(200)
    expect(ack.contentType).toBe('x-application/hl7-v2+er7')
    expect(ack.code).toBe('AA')
    expect(ack.text).toContain(`MSA|AA|CTL${controlId}`)

    await until(form.doc, () => fields.get('name') === 'NEWNAME^ANNA')
    const notice = await feed.notice(
      (n) => n.subject.id === patientId && n.kind === 'system.update',
    )
    expect(notice).toMatchObject({
      by: 'SYSTEM',
      changes: [{ field: 'name', from: before, to: 'NEWNAME^ANNA' }],
    })
    expect(notice.text).toMatch(
      new RegExp(
        `^Name ${String(before).replace('^', '\\^')} → NEWNAME\\^ANNA by SYSTEM at ${TIME} on patient ${patientId}$`,
      ),
    )
    feed.stop()
    expect(t.registry.read().patients.find((p) => p.id === patientId)).toMatchObject({
      name: 'NEWNAME^ANNA',
      updatedBy: 'SYSTEM',
    })
    const rows = (
      await as.bose!.get<{ rows: { patientId: string; patientName: string }[] }>('/api/v1/worklist')
    ).body.rows
    expect(
      rows.filter((r) => r.patientId === patientId).every((r) => r.patientName === 'NEWNAME^ANNA'),
    ).toBe(true)
    const audit = await t.audit.query({ action: 'hl7.patient-update' })
    expect(audit.entries[0]).toMatchObject({
      actor: 'SYSTEM',
      onBehalfOf: { id: 'u-system' },
      subject: { id: patientId },
    })
  })

  it('[S24] ORM^O01 for a new accession creates the study, and its patient when unknown', async () => {
    const ack = await send('system', [
      msh('ORM^O01'),
      'PID|1||PNEW1^^^GENHOSP^MR||NEWPAT^NINA||19800115|F',
      'ORC|NW|PLC1001^HIS|FIL2001^RIS||SC||1^ONCE^^^^R||20240316080000|||5678^HOUSE^GREGORY^^^DR',
      'OBR|1|PLC1001^HIS|FIL2001^RIS|71250^CT CHEST W/O CONTRAST^C4||||||||||||||ZNEW001||||||CT',
    ])
    expect(ack.code).toBe('AA')
    const created = await as.bose!.get<{
      patientId: string
      modality: string
      fields: Record<string, unknown>
      state: Record<string, unknown>
    }>('/api/v1/studies/ZNEW001')
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ patientId: 'PNEW1', modality: 'CT' })
    expect(created.body.fields).toMatchObject({
      priority: 'ROUTINE',
      description: 'CT CHEST W/O CONTRAST',
      referringPhysician: 'HOUSE^GREGORY',
      clinicalHistory: '',
      notes: '',
    })
    expect(created.body.state).toMatchObject({
      status: 'scheduled',
      rev: 1,
      imageCount: 0,
      lifecycle: 'active',
      readingPhysician: null,
    })
    expect(t.registry.read().patients.find((p) => p.id === 'PNEW1')).toMatchObject({
      name: 'NEWPAT^NINA',
      lifecycle: 'active',
    })
    const patientForm = await connect('clerk', 'patient/PNEW1')
    expect(patientForm.doc.getMap('fields').toJSON()).toMatchObject({
      name: 'NEWPAT^NINA',
      birthDate: '1980-01-15',
      sex: 'F',
    })
    const rows = (await as.bose!.get<{ rows: { accession: string }[] }>('/api/v1/worklist')).body
      .rows
    expect(rows.map((r) => r.accession)).toContain('ZNEW001')
  })

  it('[S24] ORM with priority S on an existing study: STAT, announced "ROUTINE → STAT by SYSTEM" to whoever has it open', async () => {
    const patientId = pickPatient()
    const study = studyOf(patientId, (s) => s.priority === 'ROUTINE')
    const feed = watchFeed(t.server.hub, 'u-bose')
    const form = await connect('bose', `study/${study.accession}`)
    const fields = form.doc.getMap('fields')
    expect(fields.get('priority')).toBe('ROUTINE')

    const ack = await send('system', [
      msh('ORM^O01'),
      `PID|1||${patientId}^^^GENHOSP^MR`,
      'ORC|XO|PLC1^HIS|FIL1^RIS||SC||1^ONCE^^^^S',
      `OBR|1|PLC1^HIS|FIL1^RIS|||||||||||||||${study.accession}||||||${study.modality}`,
    ])
    expect(ack.code).toBe('AA')
    await until(form.doc, () => fields.get('priority') === 'STAT')
    const notice = await feed.notice(
      (n) => n.subject.id === study.accession && n.kind === 'system.update',
    )
    expect(notice).toMatchObject({
      by: 'SYSTEM',
      tier: 'blocking',
      changes: [{ field: 'priority', from: 'ROUTINE', to: 'STAT' }],
    })
    expect(notice.text).toMatch(
      new RegExp(`^Priority ROUTINE → STAT by SYSTEM at ${TIME} on study ${study.accession}$`),
    )
    // Announced once: field attribution stays out of writes that HL7 announces itself.
    expect(feed.notices().filter((n) => n.subject.id === study.accession)).toHaveLength(1)
    feed.stop()
    const after = t.registry.read().studies.find((s) => s.accession === study.accession)!
    expect(after).toMatchObject({ priority: 'STAT', rev: study.rev + 1, updatedBy: 'SYSTEM' })
  })

  it('[S24] ADT^A40 merges patients as SYSTEM: the open form closes with 4410, the studies follow', async () => {
    const source = pickPatient()
    const target = pickPatient()
    const moving = t.registry
      .read()
      .studies.filter((s) => s.patientId === source && s.lifecycle === 'active')
      .map((s) => s.accession)
    const form = await connect('clerk', `patient/${source}`)
    const closed = nextClose(form)

    const ack = await send('system', [
      msh('ADT^A40^ADT_A39'),
      'EVN|A40|20240316080000',
      `PID|1||${target}^^^GENHOSP^MR||X^Y`,
      `MRG|${source}^^^GENHOSP^MR`,
    ])
    expect(ack.code).toBe('AA')
    const close = await closed
    expect(close.code).toBe(CloseCode.gone)
    expect(JSON.parse(close.reason) as GoneReason).toMatchObject({
      reason: 'merged',
      by: 'SYSTEM',
      mergedInto: target,
    })
    expect(t.registry.read().patients.find((p) => p.id === source)).toMatchObject({
      lifecycle: 'merged',
      mergedInto: target,
    })
    for (const accession of moving) {
      expect(t.registry.read().studies.find((s) => s.accession === accession)?.patientId).toBe(
        target,
      )
    }
  })

  it('[S24] ORC-1 CA cancels the order: the study is deleted as SYSTEM', async () => {
    const patientId = pickPatient()
    const study = studyOf(patientId)
    const ack = await send('system', [
      msh('ORM^O01'),
      `PID|1||${patientId}^^^GENHOSP^MR`,
      'ORC|CA|PLC1^HIS|FIL1^RIS',
      `OBR|1|PLC1^HIS|FIL1^RIS|||||||||||||||${study.accession}`,
    ])
    expect(ack.code).toBe('AA')
    expect(t.registry.read().studies.find((s) => s.accession === study.accession)).toMatchObject({
      lifecycle: 'deleted',
      updatedBy: 'SYSTEM',
    })
  })

  it('[S24] a malformed message gets AR and changes nothing', async () => {
    const before = registrySnapshot()
    const garbage = await send('system', 'this is not HL7 at all', 'text/plain')
    expect(garbage.status).toBe(200)
    expect(garbage.code).toBe('AR')
    const broken = await send('system', [msh('ADT^A08^ADT_A01'), 'not a segment', 'PID|1||P1001'])
    expect(broken.code).toBe('AR')
    const unsupported = await send('system', [msh('ADT^A99'), 'PID|1||P1001'])
    expect(unsupported.code).toBe('AR')
    expect(registrySnapshot()).toBe(before)
  })

  it("[S24] an update naming an unknown patient, or an order for another patient's study, gets AE and changes nothing", async () => {
    const before = registrySnapshot()
    const unknown = await send('system', [
      msh('ADT^A08^ADT_A01'),
      `PID|1||PZZZ404^^^GENHOSP^MR||GHOST^CASPER`,
    ])
    expect(unknown.code).toBe('AE')
    expect(unknown.reason).toBe('unknown patient PZZZ404')
    expect(unknown.text).toContain('ERR|')
    const patientId = pickPatient()
    const other = pickPatient()
    const study = studyOf(patientId)
    const mismatch = await send('system', [
      msh('ORM^O01'),
      `PID|1||${other}^^^GENHOSP^MR`,
      'ORC|XO|PLC1^HIS|FIL1^RIS||SC||1^ONCE^^^^S',
      `OBR|1|PLC1^HIS|FIL1^RIS|||||||||||||||${study.accession}||||||${study.modality}`,
    ])
    expect(mismatch.code).toBe('AE')
    expect(mismatch.reason).toContain(`belongs to patient ${patientId}`)
    const merge = await send('system', [
      msh('ADT^A40^ADT_A39'),
      `PID|1||${patientId}^^^GENHOSP^MR`,
      'MRG|PZZZ405^^^GENHOSP^MR',
    ])
    expect(merge.code).toBe('AE')
    expect(registrySnapshot()).toBe(before)
  })

  it('[S24] only integrations and admins may send HL7: a radiologist gets 403', async () => {
    const res = await fetch(`${t.url}/api/v1/hl7`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.bose}`, 'content-type': 'text/plain' },
      body: [msh('ADT^A08^ADT_A01'), 'PID|1||P1001||HACK^ED'].join('\r'),
    })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: 'forbidden' })
    const wrongType = await send('admin', [msh('ADT^A08^ADT_A01')], 'application/json')
    expect(wrongType.status).toBe(415)
    const byAdmin = await send('admin', [msh('ADT^A08^ADT_A01'), 'PID|1||PZZZ406'])
    expect(byAdmin.code).toBe('AE')
  })
})
