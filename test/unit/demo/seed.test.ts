import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRng, deal } from '../../../server/demo/prng.ts'
import { buildDemoSite, type DemoSite } from '../../../server/demo/seed.ts'
import type { StudyRecord } from '../../../server/registry/types.ts'
import {
  MODALITIES,
  PRIORITIES,
  PRIVILEGES,
  STUDY_STATUSES,
  type StudyStatus,
} from '../../../shared/domain.ts'
import {
  checkFieldValue,
  type FormSchema,
  PATIENT_FORM,
  STUDY_FORM,
} from '../../../shared/schema.ts'

const NOW = Date.UTC(2026, 10, 22, 9, 30)
const DAY_MS = 86_400_000

function build(seed?: number): { site: DemoSite; hashCalls: string[] } {
  const hashCalls: string[] = []
  const hashPassword = (pw: string) => {
    hashCalls.push(pw)
    return `fake$${pw}`
  }
  return { site: buildDemoSite({ hashPassword, password: 'demo', now: NOW, seed }), hashCalls }
}

const { site, hashCalls } = build(7)

const stage = (s: StudyStatus) => STUDY_STATUSES.indexOf(s)
const atLeast = (study: StudyRecord, s: StudyStatus) => stage(study.status) >= stage(s)

/** Decodes a seeded doc's `fields` map and returns the schema violations, if any. */
function violations(form: FormSchema, update: Uint8Array): string[] {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  const fields = doc.getMap<unknown>('fields')
  const out: string[] = []
  for (const key of fields.keys()) if (!(key in form)) out.push(`${key}: unknown key`)
  for (const [key, spec] of Object.entries(form)) {
    const value = fields.get(key)
    if (spec.kind === 'text') {
      if (!(value instanceof Y.Text)) out.push(`${key}: not a Y.Text`)
      else if (value.length > spec.maxLength) out.push(`${key}: too long`)
    } else {
      const error = checkFieldValue(spec, value)
      if (error) out.push(`${key}: ${error} (got ${JSON.stringify(value)})`)
    }
  }
  return out
}

function fieldsOf(update: Uint8Array): Y.Map<unknown> {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc.getMap<unknown>('fields')
}

describe('demo site users (API.md "Running")', () => {
  const assign = ['assignReadingPhysician', 'assignOtherPersonnel']
  const expected = [
    { username: 'admin', name: 'ADMIN', role: 'systemAdmin', privileges: [...PRIVILEGES] },
    { username: 'bose', name: 'BOSE', role: 'radiologist', privileges: assign },
    { username: 'huyen', name: 'HUYEN', role: 'radiologist', privileges: assign },
    { username: 'perf', name: 'PERF', role: 'performingPhysician', privileges: [] },
    { username: 'tech', name: 'TECH', role: 'technologist', privileges: [] },
    {
      username: 'trans',
      name: 'TRANS',
      role: 'transcriptionist',
      privileges: ['assignOtherPersonnel'],
    },
    { username: 'clerk', name: 'CLERK', role: 'clerk', privileges: [] },
    { username: 'system', name: 'SYSTEM', role: 'system', privileges: [] },
  ]

  it('has exactly the promised users, names, roles and privileges', () => {
    const actual = site.users.map(({ username, name, role, privileges }) => ({
      username,
      name,
      role,
      privileges: [...privileges].sort(),
    }))
    expect(actual).toEqual(expected.map((u) => ({ ...u, privileges: [...u.privileges].sort() })))
  })

  it('gives stable ids, one shared hash (hashed once), groups, and enables everyone', () => {
    expect(hashCalls).toEqual(['demo'])
    for (const u of site.users) {
      expect(u.id).toBe(`u-${u.username}`)
      expect(u.passwordHash).toBe('fake$demo')
      expect(u.disabled).toBe(false)
      expect(u.groups.length).toBeGreaterThan(0)
    }
    const radiology = site.users.filter((u) => u.groups.includes('g-radiology'))
    expect(radiology.map((u) => u.username).sort()).toEqual(['bose', 'huyen'])
  })
})

describe('demo site patients and studies', () => {
  it('has counts in range and well-formed ids', () => {
    expect(site.patients.length).toBeGreaterThanOrEqual(25)
    expect(site.patients.length).toBeLessThanOrEqual(35)
    expect(site.studies.length).toBeGreaterThanOrEqual(180)
    expect(site.studies.length).toBeLessThanOrEqual(220)
    expect(site.patients[0]?.id).toBe('P1001')
    expect(new Set(site.studies.map((s) => s.accession)).size).toBe(site.studies.length)
    for (const s of site.studies) expect(s.accession).toMatch(/^A1\d{4}$/)
    const patientIds = new Set(site.patients.map((p) => p.id))
    for (const s of site.studies) expect(patientIds.has(s.patientId)).toBe(true)
  })

  it('covers every status, modality and priority', () => {
    expect(new Set(site.studies.map((s) => s.status))).toEqual(new Set(STUDY_STATUSES))
    expect(new Set(site.studies.map((s) => s.modality))).toEqual(new Set(MODALITIES))
    const priorities = [...site.docs.entries()]
      .filter(([name]) => name.startsWith('study/'))
      .map(([, update]) => fieldsOf(update).get('priority'))
    expect(new Set(priorities)).toEqual(new Set(PRIORITIES))
    const routine = priorities.filter((p) => p === 'ROUTINE').length
    expect(routine).toBeGreaterThan(priorities.length / 2)
  })

  it('seeds fresh records: rev 1, active, ungrouped, unclaimed, dated within the last 14 days', () => {
    const oldest = new Date(NOW - 13 * DAY_MS).toISOString().slice(0, 10)
    const today = new Date(NOW).toISOString().slice(0, 10)
    for (const s of site.studies) {
      expect(s).toMatchObject({ rev: 1, lifecycle: 'active', mergedInto: null, group: null })
      expect(s.claim).toBeNull()
      expect(s.studyDate >= oldest && s.studyDate <= today).toBe(true)
    }
    for (const p of site.patients)
      expect(p).toMatchObject({ lifecycle: 'active', mergedInto: null })
  })

  it('keeps assignments and image counts consistent with status', () => {
    const readers = ['u-bose', 'u-huyen']
    for (const s of site.studies) {
      const ctx = `${s.accession} (${s.status})`
      expect(s.technologist?.id ?? null, ctx).toBe(atLeast(s, 'in-progress') ? 'u-tech' : null)
      if (!atLeast(s, 'in-progress')) expect(s.performingPhysician, ctx).toBeNull()
      expect(s.imageCount > 0, ctx).toBe(atLeast(s, 'in-progress'))
      if (!atLeast(s, 'ready-to-read')) expect(s.srCount, ctx).toBe(0)
      if (atLeast(s, 'read')) expect(readers, ctx).toContain(s.readingPhysician?.id)
      else if (s.status === 'ready-to-read') {
        if (s.readingPhysician) expect(readers, ctx).toContain(s.readingPhysician.id)
      } else expect(s.readingPhysician, ctx).toBeNull()
      expect(s.transcriptionist?.id ?? null, ctx).toBe(atLeast(s, 'transcribed') ? 'u-trans' : null)
    }
    const names = new Map(site.users.map((u) => [u.id, u.name]))
    for (const s of site.studies) {
      for (const ref of [
        s.readingPhysician,
        s.performingPhysician,
        s.technologist,
        s.transcriptionist,
      ]) {
        if (ref) expect(ref).toEqual({ id: ref.id, name: names.get(ref.id) })
      }
    }
  })

  it('leaves some ready-to-read studies unassigned and mostly no SRs', () => {
    const unassigned = site.studies.filter(
      (s) => s.status === 'ready-to-read' && !s.readingPhysician,
    )
    expect(unassigned.length).toBeGreaterThan(0)
    const withSr = site.studies.filter((s) => s.srCount > 0).length
    expect(withSr).toBeLessThan(site.studies.length / 2)
  })

  it('includes grouping candidates: one patient, 2–3 studies, one day', () => {
    const byVisit = new Map<string, StudyRecord[]>()
    for (const s of site.studies) {
      const key = `${s.patientId}|${s.studyDate}`
      byVisit.set(key, [...(byVisit.get(key) ?? []), s])
    }
    const candidates = [...byVisit.values()].filter((v) => v.length >= 2 && v.length <= 3)
    expect(candidates.length).toBeGreaterThanOrEqual(3)
  })

  it('sends mammography only to female patients', () => {
    const sex = new Map<string, unknown>()
    for (const p of site.patients)
      sex.set(p.id, fieldsOf(site.docs.get(`patient/${p.id}`)!).get('sex'))
    for (const s of site.studies.filter((x) => x.modality === 'MG'))
      expect(sex.get(s.patientId)).toBe('F')
  })
})

describe('demo site documents', () => {
  it('seeds exactly one form doc per study and per patient (no report or state docs)', () => {
    const expected = [
      ...site.studies.map((s) => `study/${s.accession}`),
      ...site.patients.map((p) => `patient/${p.id}`),
    ]
    expect([...site.docs.keys()].sort()).toEqual(expected.sort())
  })

  it('writes only values the study form schema accepts, text fields as Y.Text', () => {
    for (const s of site.studies) {
      expect(violations(STUDY_FORM, site.docs.get(`study/${s.accession}`)!), s.accession).toEqual(
        [],
      )
    }
  })

  it('writes only values the patient form schema accepts', () => {
    for (const p of site.patients) {
      expect(violations(PATIENT_FORM, site.docs.get(`patient/${p.id}`)!), p.id).toEqual([])
      const name = fieldsOf(site.docs.get(`patient/${p.id}`)!).get('name')
      expect(name).toMatch(/^[A-Z' ]+\^[A-Z]+$/)
    }
  })

  it('has realistic content: clinical history on most studies, some OVERDUE accounts', () => {
    const histories = site.studies.map((s) =>
      String(fieldsOf(site.docs.get(`study/${s.accession}`)!).get('clinicalHistory')),
    )
    expect(histories.filter((h) => h.length > 0).length).toBeGreaterThan(site.studies.length / 2)
    const accounts = site.patients.map((p) =>
      fieldsOf(site.docs.get(`patient/${p.id}`)!).get('accountStatus'),
    )
    expect(accounts).toContain('OVERDUE')
    expect(accounts.filter((a) => a === 'NORMAL').length).toBeGreaterThan(accounts.length / 2)
  })
})

describe('determinism', () => {
  it('builds the same site, byte for byte, from the same seed', () => {
    const again = build(7).site
    expect(again.users).toEqual(site.users)
    expect(again.patients).toEqual(site.patients)
    expect(again.studies).toEqual(site.studies)
    expect([...again.docs.keys()]).toEqual([...site.docs.keys()])
    for (const [name, update] of site.docs) expect(again.docs.get(name), name).toEqual(update)
  })

  it('builds a different site from another seed, and has a default seed', () => {
    expect(build(8).site.studies).not.toEqual(site.studies)
    expect(build().site.studies).toEqual(build().site.studies)
  })

  it('deals every weighted value at least once, in the requested count', () => {
    const rng = createRng(1)
    const dealt = deal(
      rng,
      [
        ['a', 100],
        ['b', 1],
      ],
      20,
    )
    expect(dealt).toHaveLength(20)
    expect(dealt).toContain('b')
  })
})
