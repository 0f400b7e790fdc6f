/**
 * Per-study access and the audit trail against a real server (issue 6):
 * grants [S30], break-the-glass [S31], patient reference numbers [S32] and the
 * audit API [S33]. No sleeps: expiry is awaited as the 4403 close it causes.
 */
import { open, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import type { AuditEntry } from '../../server/audit/types.ts'
import type { StudyAccessView } from '../../shared/access-types.ts'
import { CloseCode } from '../../shared/protocol.ts'
import {
  connectClient,
  nextClose,
  rawSocket,
  type TestClient,
  until,
  whenSynced,
} from '../support/clients.ts'
import { watchFeed } from '../support/feed.ts'
import { type Client, client, http, patientSession } from '../support/http.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

const BREAK_GLASS_MS = 2500
const REASON = 'Patient transferred to ER; referring physician unreachable'

let t: TestServer
const as: Record<string, Client> = {}
const clients: TestClient[] = []
/** Studies no demo grant, bucket or number touches; each test takes its own. */
let pool: string[] = []

beforeAll(async () => {
  t = await startTestServer({ config: { breakGlassMs: BREAK_GLASS_MS } })
  for (const user of ['admin', 'bose', 'clerk', 'tech'])
    as[user] = client(t.url, await t.login(user))
  const data = t.registry.read()
  const touched = new Set([
    ...data.grants.map((g) => g.accession),
    ...data.buckets.flatMap((b) => b.accessions),
    ...data.referenceNumbers.map((r) => r.accession),
  ])
  pool = data.studies
    .filter((s) => s.lifecycle === 'active' && !touched.has(s.accession))
    .map((s) => s.accession)
    .slice(100)
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t.close()
})

function freshStudy(): string {
  const accession = pool.shift()
  if (!accession) throw new Error('test study pool exhausted')
  return accession
}

async function connect(token: string, doc: string): Promise<TestClient> {
  const c = connectClient(t.wsUrl, doc, token)
  clients.push(c)
  await whenSynced(c)
  return c
}

function closeCode(token: string, doc: string): Promise<number> {
  return rawSocket(t.wsUrl, `/sync/${doc}?token=${token}`).closed.then((c) => c.code)
}

/** A write the server must refuse: resolves with the close code. */
async function refusedWrite(c: TestClient): Promise<number> {
  const closed = nextClose(c)
  c.doc.getMap('fields').set('description', `refused ${Math.random()}`)
  const { code } = await closed
  c.provider.disconnect()
  return code
}

async function serverDoc(name: string): Promise<Y.Doc> {
  return t.server.rooms.with(name, (room) => room.doc)
}

async function grant(accession: string, to: Record<string, unknown>) {
  const res = await as.admin!.post<{ grant: { id: string } }>(
    `/api/v1/studies/${accession}/access/grants`,
    { validUntil: null, ...to },
  )
  expect(res.status, res.text).toBe(201)
  return res.body.grant.id
}

async function auditEntries(query: string): Promise<AuditEntry[]> {
  const res = await as.admin!.get<{ entries: AuditEntry[] }>(`/api/v1/audit?${query}`)
  expect(res.status).toBe(200)
  return res.body.entries
}

async function accessOf(accession: string): Promise<StudyAccessView> {
  const res = await as.admin!.get<StudyAccessView>(`/api/v1/studies/${accession}/access`)
  expect(res.status).toBe(200)
  return res.body
}

describe('[S30] grants', () => {
  it('[S30] a view grant lets the clerk open the study read-only: a write is refused with 4409', async () => {
    const accession = freshStudy()
    expect(await closeCode(as.clerk!.token!, `study/${accession}`)).toBe(CloseCode.forbidden)
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(403)
    await grant(accession, { userId: 'u-clerk', type: 'view' })
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(200)
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    expect(await refusedWrite(form)).toBe(CloseCode.localCopyRefused)
    // The server-owned state (status, assignments) is readable with the grant too.
    const state = await connect(as.clerk!.token!, `study/${accession}/state`)
    expect(state.provider.wsconnected).toBe(true)
  })

  it('[S30] revoking the grant closes the open connection with 4403 at once, tells the clerk, refuses REST and is audited', async () => {
    const accession = freshStudy()
    const grantId = await grant(accession, { userId: 'u-clerk', type: 'view' })
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    const feed = watchFeed(t.server.hub, 'u-clerk')
    const closed = nextClose(form)
    const res = await as.admin!.delete(`/api/v1/studies/${accession}/access/grants/${grantId}`)
    expect(res.status).toBe(200)
    expect(await closed).toEqual({ code: CloseCode.forbidden, reason: 'access revoked' })
    form.provider.disconnect()
    const event = await feed.event((e) => e.type === 'forced-close')
    feed.stop()
    expect(event).toMatchObject({
      type: 'forced-close',
      data: {
        subject: { type: 'study', id: accession },
        reason: 'access-revoked',
        by: { id: 'u-admin', name: 'ADMIN' },
      },
    })
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(403)
    expect((await accessOf(accession)).grants).toEqual([])
    const revoked = await auditEntries(`subject=${accession}&action=access.revoke`)
    expect(revoked[0]).toMatchObject({
      actor: { id: 'u-admin', name: 'ADMIN' },
      outcome: 'success',
      details: { grantId, userId: 'u-clerk', type: 'view' },
    })
    const forced = await auditEntries(`subject=${accession}&action=access.forced-close`)
    expect(forced[0]!.details).toMatchObject({ user: { id: 'u-clerk' }, reason: 'access-revoked' })
  })

  it('[S30] an edit grant lets the clerk write the study form', async () => {
    const accession = freshStudy()
    await grant(accession, { userId: 'u-clerk', type: 'edit' })
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    form.doc.getMap('fields').set('description', 'CT CHEST (edited by the clerk)')
    const server = await serverDoc(`study/${accession}`)
    await until(
      server,
      () => server.getMap('fields').get('description') === 'CT CHEST (edited by the clerk)',
    )
  })

  it('[S30] a grant with validUntil a moment ahead closes the open connection when it expires', async () => {
    const accession = freshStudy()
    const validUntil = new Date(Date.now() + 2000).toISOString()
    await grant(accession, { userId: 'u-clerk', type: 'view', validUntil })
    const feed = watchFeed(t.server.hub, 'u-clerk')
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    expect((await accessOf(accession)).grants[0]).toMatchObject({ validUntil })
    expect(await nextClose(form)).toEqual({ code: CloseCode.forbidden, reason: 'access revoked' })
    form.provider.disconnect()
    const event = await feed.event(
      (e) => e.type === 'forced-close' && e.data.subject.id === accession,
    )
    feed.stop()
    expect(event).toMatchObject({ data: { reason: 'access-revoked', by: 'SYSTEM' } })
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(403)
    expect((await accessOf(accession)).grants).toEqual([])
  })

  it('[S30] a group grant works for a member; the access list shows the group with members and contact details', async () => {
    const accession = freshStudy()
    await grant(accession, { groupId: 'g-registration', type: 'view' })
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    expect(form.provider.wsconnected).toBe(true)
    const view = await accessOf(accession)
    expect(view.grants).toHaveLength(1)
    expect(view.grants[0]).toMatchObject({
      type: 'view',
      validUntil: null,
      grantedBy: { id: 'u-admin', name: 'ADMIN' },
      group: {
        id: 'g-registration',
        name: 'Registration desk',
        members: [{ id: 'u-clerk', name: 'CLERK' }],
        contact: { phone: expect.any(String), email: expect.any(String) },
      },
    })
    expect(Date.parse(view.grants[0]!.grantedAt)).toBeGreaterThan(0)
  })

  it('[S30] grant requests are checked: one of userId/groupId, someone who exists, a future validUntil, manageAccess, this study’s grant', async () => {
    const accession = freshStudy()
    const url = `/api/v1/studies/${accession}/access/grants`
    const bad = [
      { type: 'view', validUntil: null },
      { userId: 'u-clerk', groupId: 'g-registration', type: 'view', validUntil: null },
      { userId: 'u-nobody', type: 'view', validUntil: null },
      { groupId: 'g-nobody', type: 'view', validUntil: null },
      { userId: 'u-clerk', type: 'owner', validUntil: null },
      { userId: 'u-clerk', type: 'view', validUntil: '2001-01-01T00:00:00Z' },
      { userId: 'u-clerk', type: 'view', validUntil: 'tomorrow-ish' },
    ]
    for (const body of bad)
      expect((await as.admin!.post(url, body)).status, JSON.stringify(body)).toBe(400)
    expect((await as.bose!.post(url, { userId: 'u-clerk', type: 'view' })).status).toBe(403)
    expect((await as.clerk!.post(url, { userId: 'u-clerk', type: 'edit' })).status).toBe(403)
    expect(
      (
        await as.admin!.post('/api/v1/studies/NOPE1/access/grants', {
          userId: 'u-clerk',
          type: 'view',
        })
      ).status,
    ).toBe(404)
    const grantId = await grant(accession, { userId: 'u-clerk', type: 'view' })
    const other = freshStudy()
    expect(
      (await as.admin!.delete(`/api/v1/studies/${other}/access/grants/${grantId}`)).status,
    ).toBe(404)
    expect(
      (await as.admin!.delete(`/api/v1/studies/${accession}/access/grants/..%2F${grantId}`)).status,
    ).toBe(404)
    expect(
      (await as.clerk!.delete(`/api/v1/studies/${accession}/access/grants/${grantId}`)).status,
    ).toBe(403)
    expect(
      (await as.admin!.delete(`/api/v1/studies/${accession}/access/grants/${grantId}`)).status,
    ).toBe(200)
    expect(
      (await as.admin!.delete(`/api/v1/studies/${accession}/access/grants/${grantId}`)).status,
    ).toBe(404)
  })
})

describe('[S31] break-the-glass', () => {
  it('[S31] without a reason, or with a short one, the glass stays whole (400), and the attempt is audited', async () => {
    const accession = freshStudy()
    const url = `/api/v1/studies/${accession}/break-glass`
    expect((await as.clerk!.post(url, {})).status).toBe(400)
    const short = await as.clerk!.post<{ fields: Record<string, string> }>(url, {
      reason: '   too short    ',
    })
    expect(short.status).toBe(400)
    expect(short.body.fields.reason).toMatch(/15/)
    expect((await as.clerk!.post(url, { reason: 'x'.repeat(5000) })).status).toBe(400)
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(403)
    const refused = await auditEntries(`subject=${accession}&action=access.break-glass`)
    expect(refused.map((e) => e.outcome)).toEqual(['refused', 'refused', 'refused'])
  })

  it('[S31] with a reason: access at once, listed with who/when/why, audited, queued for admin review and acknowledged', async () => {
    const accession = freshStudy()
    const adminFeed = watchFeed(t.server.hub, 'u-admin')
    const res = await as.clerk!.post<{ breakGlass: { id: string; at: string; expiresAt: string } }>(
      `/api/v1/studies/${accession}/break-glass`,
      { reason: `  ${REASON}  ` },
    )
    expect(res.status).toBe(201)
    const { id, at, expiresAt } = res.body.breakGlass
    expect(Date.parse(expiresAt) - Date.parse(at)).toBe(BREAK_GLASS_MS)
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(200)
    const listed = (await accessOf(accession)).breakGlass
    expect(listed).toEqual([
      expect.objectContaining({
        id,
        user: { id: 'u-clerk', name: 'CLERK' },
        reason: REASON,
        at,
        expiresAt,
        acknowledgedBy: null,
      }),
    ])
    const [entry] = await auditEntries(`subject=${accession}&action=access.break-glass`)
    expect(entry).toMatchObject({
      actor: { id: 'u-clerk', name: 'CLERK' },
      outcome: 'success',
      details: { breakGlassId: id, reason: REASON, expiresAt },
    })
    const notice = await adminFeed.notice((n) => n.kind === 'access.break-glass')
    adminFeed.stop()
    expect(notice.text).toContain(REASON)

    const queue = await as.admin!.get<{ entries: { id: string }[] }>(
      '/api/v1/break-glass?pending=1',
    )
    expect(queue.body.entries.map((e) => e.id)).toContain(id)
    expect((await as.bose!.get('/api/v1/break-glass?pending=1')).status).toBe(403)
    const ack = await as.admin!.post<{ breakGlass: { acknowledgedBy: unknown } }>(
      `/api/v1/break-glass/${id}/acknowledge`,
    )
    expect(ack.status).toBe(200)
    expect(ack.body.breakGlass.acknowledgedBy).toEqual({ id: 'u-admin', name: 'ADMIN' })
    expect((await as.admin!.post(`/api/v1/break-glass/${id}/acknowledge`)).status).toBe(409)
    const after = await as.admin!.get<{ entries: { id: string }[] }>(
      '/api/v1/break-glass?pending=1',
    )
    expect(after.body.entries.map((e) => e.id)).not.toContain(id)
    const acks = await auditEntries(`subject=${accession}&action=access.break-glass.acknowledge`)
    expect(acks).toHaveLength(1)
  })

  it('[S31] staff who already have access are told so (409); patients and service accounts cannot break the glass', async () => {
    const accession = freshStudy()
    const url = `/api/v1/studies/${accession}/break-glass`
    expect((await as.bose!.post(url, { reason: REASON })).status).toBe(409)
    const system = client(t.url, await t.login('system'))
    expect((await system.post(url, { reason: REASON })).status).toBe(403)
  })

  it('[S31] the unlock is time-boxed: the open connection closes with 4403 when it expires', async () => {
    const accession = freshStudy()
    const res = await as.clerk!.post(`/api/v1/studies/${accession}/break-glass`, { reason: REASON })
    expect(res.status).toBe(201)
    const form = await connect(as.clerk!.token!, `study/${accession}`)
    expect(await nextClose(form)).toEqual({ code: CloseCode.forbidden, reason: 'access revoked' })
    form.provider.disconnect()
    expect((await as.clerk!.get(`/api/v1/studies/${accession}`)).status).toBe(403)
    const [listed] = (await accessOf(accession)).breakGlass
    expect(listed).toMatchObject({ active: false, reason: REASON })
  })
})

describe('[S32] patient reference numbers', () => {
  const PIN = '73915826'
  const bodies: string[] = []
  const keep = <T extends { text: string }>(r: T) => {
    bodies.push(r.text)
    return r
  }

  async function regenerate(accession: string) {
    const res = keep(
      await as.admin!.post<{
        referenceNumber: { id: string; number: string; compliant: boolean; hasPin: boolean }
      }>(`/api/v1/studies/${accession}/reference-numbers/regenerate`),
    )
    expect(res.status).toBe(201)
    return res.body.referenceNumber
  }

  it('[S32] regenerate gives a compliant number by the department rule and withdraws the previous one', async () => {
    const accession = freshStudy()
    const modality = t.registry.read().studies.find((s) => s.accession === accession)!.modality
    const first = await regenerate(accession)
    expect(first.number).toMatch(new RegExp(`^${modality}-[23456789ABCDEFGHJKMNPQRSTWXYZ]{10}$`))
    expect(first).toMatchObject({ compliant: true, hasPin: false })
    const second = await regenerate(accession)
    expect(second.number).not.toBe(first.number)
    const view = await accessOf(accession)
    expect(view.referenceNumbers.map((r) => r.id)).toEqual([second.id])
    expect(view.referenceNumbers[0]).toMatchObject({
      failedAttempts: 0,
      lockedOut: false,
      usable: true,
    })
    expect((await patientSession(t.url, first.number)).status).toBe(403)
  })

  it('[S32] weak PINs are refused with the reason; a good PIN is stored hashed and never shown, returned or audited', async () => {
    const accession = freshStudy()
    const ref = await regenerate(accession)
    const url = `/api/v1/studies/${accession}/reference-numbers/${ref.id}/pin`
    for (const [pin, why] of [
      ['123', /4 to 8 digits/],
      ['12a4', /4 to 8 digits/],
      ['123456789', /4 to 8 digits/],
      ['7777', /repeat/],
      ['1234', /run/],
      ['98765', /run/],
    ] as const) {
      const res = keep(await as.admin!.put<{ fields: { pin: string } }>(url, { pin }))
      expect(res.status, pin).toBe(400)
      expect(res.body.fields.pin, pin).toMatch(why)
    }
    expect((await as.bose!.put(url, { pin: PIN })).status).toBe(403)
    const set = keep(
      await as.admin!.put<{ referenceNumber: { hasPin: boolean } }>(url, { pin: PIN }),
    )
    expect(set.status).toBe(200)
    expect(set.body.referenceNumber.hasPin).toBe(true)
    const stored = t.registry.read().referenceNumbers.find((r) => r.id === ref.id)!
    expect(stored.pinHash).toMatch(/^scrypt\$/)
    keep(await as.admin!.get(`/api/v1/studies/${accession}/access`))
    keep(await patientSession(t.url, ref.number, PIN))
    keep(await patientSession(t.url, ref.number, '11223344'))
    const audit = keep(await as.admin!.get('/api/v1/audit?limit=500'))
    const exported = keep(await as.admin!.get('/api/v1/audit/export?format=fhir'))
    expect(exported.status).toBe(200)
    for (const text of bodies) {
      expect(text).not.toContain(PIN)
      expect(text).not.toContain(stored.pinHash!)
    }
    expect(audit.text).not.toContain(ref.number)
  })

  it('[S32] the right PIN gives a patient session: that study read-only, nothing else', async () => {
    const accession = freshStudy()
    const other = freshStudy()
    const ref = await regenerate(accession)
    await as.admin!.put(`/api/v1/studies/${accession}/reference-numbers/${ref.id}/pin`, {
      pin: PIN,
    })
    const login = await patientSession(t.url, `  ${ref.number.toLowerCase()} `, PIN)
    expect(login.status).toBe(200)
    expect(login.body).toEqual({ token: expect.any(String), accession, readOnly: true })
    const patient = client(t.url, login.body.token)
    const me = await patient.get<{ user: { role: string; name: string } }>('/api/v1/me')
    expect(me.body.user).toMatchObject({ role: 'patient', name: 'PATIENT' })

    const form = await connect(login.body.token, `study/${accession}`)
    expect(await refusedWrite(form)).toBe(CloseCode.localCopyRefused)
    const patientId = t.registry.read().studies.find((s) => s.accession === accession)!.patientId
    for (const doc of [
      `study/${other}`,
      `study/${accession}/report`,
      `study/${accession}/state`,
      `patient/${patientId}`,
      'worklist',
    ]) {
      expect(await closeCode(login.body.token, doc), doc).toBe(CloseCode.forbidden)
    }
    expect((await patient.get(`/api/v1/studies/${accession}`)).status).toBe(200)
    for (const path of [
      '/api/v1/worklist',
      `/api/v1/studies/${other}`,
      `/api/v1/studies/${accession}/access`,
      '/api/v1/users',
      '/api/v1/audit',
    ]) {
      expect((await patient.get(path)).status, path).toBe(403)
    }
    const [success] = await auditEntries(`subject=${accession}&action=patient-session.success`)
    expect(success).toMatchObject({
      actor: { id: `patient:${ref.id}`, name: 'PATIENT' },
      outcome: 'success',
      details: { referenceNumberId: ref.id },
    })
  })

  it('[S32] the patient session cookie is Secure behind a TLS-terminating proxy, not over plain http', async () => {
    const accession = freshStudy()
    const ref = await regenerate(accession)
    await as.admin!.put(`/api/v1/studies/${accession}/reference-numbers/${ref.id}/pin`, {
      pin: PIN,
    })
    const signIn = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/v1/patient-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ referenceNumber: ref.number, pin: PIN }),
      })
    const attrs = (res: Response) =>
      (res.headers.get('set-cookie') ?? '').split(';').map((a) => a.trim())
    const plain = await signIn({})
    expect(plain.status).toBe(200)
    expect(attrs(plain)).toContain('HttpOnly')
    expect(attrs(plain)).not.toContain('Secure')
    const proxied = await signIn({ 'x-forwarded-proto': 'https' })
    expect(proxied.status).toBe(200)
    expect(attrs(proxied)).toContain('Secure')
  })

  it('[S32] wrong PINs are counted and audited; after 5 the number is locked out: 423 even with the right PIN', async () => {
    const accession = freshStudy()
    const ref = await regenerate(accession)
    const pinUrl = `/api/v1/studies/${accession}/reference-numbers/${ref.id}/pin`
    await as.admin!.put(pinUrl, { pin: PIN })
    expect((await patientSession(t.url, ref.number)).status).toBe(401) // PIN required, not counted
    const left: unknown[] = []
    for (let i = 0; i < 5; i++) {
      const res = await patientSession(t.url, ref.number, String(50_000 + i))
      expect(res.status).toBe(401)
      left.push((res.body as { attemptsLeft?: number }).attemptsLeft)
    }
    expect(left).toEqual([4, 3, 2, 1, 0])
    const locked = await patientSession(t.url, ref.number, PIN)
    expect(locked.status).toBe(423)
    expect((await accessOf(accession)).referenceNumbers[0]).toMatchObject({
      failedAttempts: 5,
      lockedOut: true,
      usable: false,
    })
    const failures = await auditEntries(`subject=${accession}&action=patient-session.failure`)
    expect(failures.map((e) => e.details?.reason)).toEqual([
      'locked-out',
      'wrong-pin',
      'wrong-pin',
      'wrong-pin',
      'wrong-pin',
      'wrong-pin',
      'pin-required',
    ])
    // A new PIN (the patient paid again) unlocks it.
    expect((await as.admin!.put(pinUrl, { pin: '26481357' })).status).toBe(200)
    expect((await patientSession(t.url, ref.number, '26481357')).status).toBe(200)
  })

  it('[S32] a non-compliant (legacy) number is flagged and cannot be used', async () => {
    const legacy = t.registry.read().referenceNumbers.find((r) => !r.compliant)!
    const listed = (await accessOf(legacy.accession)).referenceNumbers.find(
      (r) => r.id === legacy.id,
    )
    expect(listed).toMatchObject({ compliant: false, usable: false, hasPin: false })
    const res = await patientSession(t.url, legacy.number)
    expect(res.status).toBe(403)
    expect(res.body.error).toBe('reference_unusable')
    const pin = await as.admin!.put(
      `/api/v1/studies/${legacy.accession}/reference-numbers/${legacy.id}/pin`,
      { pin: PIN },
    )
    expect(pin.status).toBe(409)
    const [entry] = await auditEntries(`subject=${legacy.accession}&action=patient-session.failure`)
    expect(entry!.details).toMatchObject({ reason: 'not-compliant' })
  })

  it('[S32] a withdrawn number is refused, and its open patient session closes with 4403', async () => {
    const accession = freshStudy()
    const ref = await regenerate(accession)
    const login = await patientSession(t.url, ref.number)
    expect(login.status).toBe(200)
    const form = await connect(login.body.token, `study/${accession}`)
    const closed = nextClose(form)
    const res = await as.admin!.delete(`/api/v1/studies/${accession}/reference-numbers/${ref.id}`)
    expect(res.status).toBe(200)
    expect((await closed).code).toBe(CloseCode.forbidden)
    form.provider.disconnect()
    expect((await patientSession(t.url, ref.number)).status).toBe(403)
    expect((await client(t.url, login.body.token).get(`/api/v1/studies/${accession}`)).status).toBe(
      403,
    )
    const [entry] = await auditEntries(`subject=${accession}&action=patient-session.failure`)
    expect(entry!.details).toMatchObject({ reason: 'withdrawn' })
    expect(
      await auditEntries(`subject=${accession}&action=access.reference-number.withdraw`),
    ).toHaveLength(1)
  })

  it('[S32] an unknown number is refused (401) and audited without the number in full', async () => {
    const res = await patientSession(t.url, 'CT-ZZZZZZZZZ9')
    expect(res.status).toBe(401)
    const [entry] = await auditEntries('subject=patient-session&action=patient-session.failure')
    expect(entry).toMatchObject({
      actor: { id: 'anonymous' },
      details: { reason: 'unknown-number' },
    })
    expect(JSON.stringify(entry)).not.toContain('CT-ZZZZZZZZZ9')
  })
})

describe('[S33] the audit API', () => {
  it('[S33] only readAudit holders read the log; refusals are themselves audited', async () => {
    for (const user of ['bose', 'clerk', 'tech'] as const) {
      for (const path of [
        '/api/v1/audit',
        '/api/v1/audit/verify',
        '/api/v1/audit/export?format=fhir',
      ])
        expect((await as[user]!.get(path)).status, `${user} ${path}`).toBe(403)
    }
    expect((await http(t.url, 'GET', '/api/v1/audit')).status).toBe(401)
    const refused = await auditEntries('action=audit.read&user=u-bose')
    expect(refused[0]).toMatchObject({ outcome: 'refused' })
  })

  it('[S33] admins filter by subject, user, action and time, page with the cursor, and the read itself is audited', async () => {
    const accession = freshStudy()
    expect(
      (await as.bose!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })).status,
    ).toBe(200)
    expect(
      (await as.tech!.post(`/api/v1/studies/${accession}/open`, { view: 'info' })).status,
    ).toBe(200)
    const mine = await auditEntries(`subject=${accession}&user=u-bose&action=study.open`)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({
      actor: { id: 'u-bose', name: 'BOSE' },
      subject: { type: 'study', id: accession },
      patientId: expect.any(String),
      outcome: 'success',
      source: { ip: expect.any(String), session: expect.any(String) },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    const both = await auditEntries(`subject=${accession}&action=study.open`)
    expect(both.map((e) => (e.actor as { id: string }).id)).toEqual(['u-tech', 'u-bose'])
    const at = Date.parse(mine[0]!.at)
    expect(
      await auditEntries(`subject=${accession}&from=${new Date(at + 60_000).toISOString()}`),
    ).toEqual([])
    const window = await auditEntries(
      `subject=${accession}&action=study.open&from=${new Date(at - 1).toISOString()}&to=${new Date(at + 60_000).toISOString()}`,
    )
    expect(window.length).toBe(2)
    const page1 = await as.admin!.get<{ entries: AuditEntry[]; nextCursor: string }>(
      `/api/v1/audit?subject=${accession}&limit=1`,
    )
    expect(page1.body.entries).toHaveLength(1)
    const page2 = await auditEntries(`subject=${accession}&limit=1&cursor=${page1.body.nextCursor}`)
    expect(page2[0]!.id).not.toBe(page1.body.entries[0]!.id)
    const reads = await auditEntries('action=audit.read&user=u-admin&limit=10')
    expect(reads.map((e) => e.details?.query)).toContainEqual({
      subject: accession,
      user: 'u-bose',
      action: 'study.open',
    })
    expect((await as.admin!.get('/api/v1/audit?from=yesterday')).status).toBe(400)
    expect((await as.admin!.get('/api/v1/audit?cursor=..%2F..')).status).toBe(400)
    expect((await as.admin!.get('/api/v1/audit?whatever=1')).status).toBe(400)
  })

  it('[S33] verify checks the stored chain: ok', async () => {
    const res = await as.admin!.get<{ ok: boolean; entries: number }>('/api/v1/audit/verify')
    expect(res.status).toBe(200)
    expect(res.body.ok).toBe(true)
    expect(res.body.entries).toBeGreaterThan(10)
  })

  it('[S33] the FHIR export is a Bundle of AuditEvent with DICOM codes; other formats are refused; exporting is audited', async () => {
    const res = await http<{
      resourceType: string
      entry: {
        resource: {
          resourceType: string
          type: { system: string; code: string }
          subtype: { code: string }[]
        }
      }[]
    }>(t.url, 'GET', '/api/v1/audit/export?format=fhir&action=access.*', { token: as.admin!.token })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/)
    expect(res.body.resourceType).toBe('Bundle')
    expect(res.body.entry.length).toBeGreaterThan(0)
    for (const { resource } of res.body.entry) {
      expect(resource.resourceType).toBe('AuditEvent')
      expect(resource.type.system).toBe('http://dicom.nema.org/resources/ontology/DCM')
      expect(resource.subtype[0]!.code).toMatch(/^access\./)
    }
    const breakGlass = res.body.entry.find(
      (e) => e.resource.subtype[0]!.code === 'access.break-glass',
    )
    expect(breakGlass?.resource.type.code).toBe('110113') // Security Alert
    expect((await as.admin!.get('/api/v1/audit/export?format=csv')).status).toBe(400)
    expect(await auditEntries('action=audit.export&user=u-admin')).not.toEqual([])
  })

  it('[S33] tampering with one stored entry on disk makes verify fail at that entry', async () => {
    const f = await startTestServer({ files: true })
    try {
      const admin = client(f.url, await f.login('admin'))
      await f.login('clerk')
      const found = await admin.get<{ entries: AuditEntry[] }>(
        '/api/v1/audit?action=login.success&user=u-clerk',
      )
      const target = found.body.entries[0]!
      expect((await admin.get<{ ok: boolean }>('/api/v1/audit/verify')).body.ok).toBe(true)
      await tamper(join(f.dataDir!, 'audit'), target.id)
      const res = await admin.get<{ ok: boolean; brokenAt: string }>('/api/v1/audit/verify')
      expect(res.body).toMatchObject({ ok: false, brokenAt: target.id })
    } finally {
      await f.close()
    }
  })
})

/** Changes one character of the entry's actor name in place (same length, so nothing else moves). */
async function tamper(dir: string, id: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    const text = await readFile(path, 'utf8').catch(() => '')
    const line = text.split('\n').find((l) => l.includes(`"id":"${id}"`) && l.includes('"CLERK"'))
    if (!line) continue
    const start = text.indexOf(line)
    const offset = Buffer.byteLength(text.slice(0, start + line.indexOf('"CLERK"') + 5))
    const file = await open(path, 'r+')
    try {
      await file.write(Buffer.from('C'), 0, 1, offset) // "CLERK" → "CLERC"
    } finally {
      await file.close()
    }
    return
  }
  throw new Error(`audit entry ${id} not found on disk`)
}
