/**
 * Projects the registry (the source of truth for server-arbitrated state)
 * into the server-owned documents: `study/<acc>/state`, `patient/<id>/state`
 * and `worklist`. Only loaded rooms are written; a room that loads later is
 * reconciled in `onLoad`. Values are compared first, so re-projecting an
 * unchanged record writes nothing and the documents do not grow.
 */
import * as Y from 'yjs'
import { formatDocName } from '../../shared/protocol.ts'
import type { PatientRecord, RegistryData, StudyRecord } from '../registry/types.ts'
import type { RegistryStore } from '../storage/types.ts'
import type { Room } from '../sync/room.ts'
import type { RoomManager } from '../sync/rooms.ts'

export type StudyState = ReturnType<typeof studyStateOf>

export function studyStateOf(study: StudyRecord) {
  return {
    status: study.status,
    readingPhysician: study.readingPhysician,
    performingPhysician: study.performingPhysician,
    technologist: study.technologist,
    transcriptionist: study.transcriptionist,
    imageCount: study.imageCount,
    srCount: study.srCount,
    claim: study.claim
      ? {
          holder: study.claim.holder,
          since: new Date(study.claim.since).toISOString(),
          view: study.claim.view,
        }
      : null,
    group: study.group,
    lifecycle: study.lifecycle,
    mergedInto: study.mergedInto,
    rev: study.rev,
  }
}

export function worklistRowOf(study: StudyRecord, data: RegistryData) {
  const patient = data.patients.find((p) => p.id === study.patientId)
  return {
    accession: study.accession,
    patientId: study.patientId,
    patientName: patient?.name ?? '',
    modality: study.modality,
    description: study.description,
    priority: study.priority,
    status: study.status,
    studyDate: study.studyDate,
    readingPhysician: study.readingPhysician,
    performingPhysician: study.performingPhysician,
    technologist: study.technologist,
    transcriptionist: study.transcriptionist,
    imageCount: study.imageCount,
    srCount: study.srCount,
    group: study.group,
    rev: study.rev,
  }
}

function patientStateOf(patient: PatientRecord) {
  return { lifecycle: patient.lifecycle, mergedInto: patient.mergedInto }
}

/** Check the worklist document's size after this many row writes. */
const WORKLIST_CHECK_EVERY = 200

export class StateProjector {
  private worklistWrites = 0
  private rebuilding: Promise<void> | null = null

  constructor(
    private readonly rooms: RoomManager,
    private readonly registry: RegistryStore,
    /** Closes the worklist's connections before a rebuild (they resync a fresh copy). */
    private readonly closeWorklistMembers: (room: Room) => void = () => {},
    /** Rebuild when the document is this many times larger than its rows need. */
    private readonly bloatFactor = 3,
  ) {}

  /**
   * Every overwritten row leaves a tombstone (~9 bytes) in the worklist
   * document, so it would grow with every change forever. Once it is several
   * times larger than a fresh copy of the same rows, start it afresh.
   */
  private async keepWorklistBounded(room: Room): Promise<void> {
    if (++this.worklistWrites % WORKLIST_CHECK_EVERY !== 0 || this.rebuilding) return
    const current = Y.encodeStateAsUpdate(room.doc).byteLength
    const fresh = new Y.Doc()
    const rows = fresh.getMap('rows')
    for (const [key, value] of room.doc.getMap('rows').entries()) rows.set(key, value)
    const needed = Y.encodeStateAsUpdate(fresh).byteLength
    fresh.destroy()
    if (current <= needed * this.bloatFactor + 4096) return
    this.rebuilding = this.rooms.discard('worklist', this.closeWorklistMembers).finally(() => {
      this.rebuilding = null
    })
    await this.rebuilding
  }

  /** Re-projects one study's state document and worklist row (if loaded). */
  async study(accession: string): Promise<void> {
    const data = this.registry.read()
    const study = data.studies.find((s) => s.accession === accession)
    if (!study) return
    const stateRoom = await this.rooms.peek(
      formatDocName({ kind: 'studyState', accession: accession as never }),
    )
    if (stateRoom) writeMap(stateRoom, 'state', studyStateOf(study))
    const worklist = await this.rooms.peek('worklist')
    if (worklist) {
      writeRow(worklist, study, data)
      await this.keepWorklistBounded(worklist)
    }
  }

  async patient(patientId: string): Promise<void> {
    const data = this.registry.read()
    const patient = data.patients.find((p) => p.id === patientId)
    if (!patient) return
    const room = await this.rooms.peek(
      formatDocName({ kind: 'patientState', patientId: patientId as never }),
    )
    if (room) writeMap(room, 'state', patientStateOf(patient))
    const worklist = await this.rooms.peek('worklist')
    if (worklist) {
      for (const study of data.studies)
        if (study.patientId === patientId) writeRow(worklist, study, data)
    }
  }

  /** RoomManager.onLoad: bring a freshly loaded server-owned document up to date. */
  onLoad(room: Room): void {
    const data = this.registry.read()
    const doc = room.docName
    switch (doc.kind) {
      case 'studyState': {
        const study = data.studies.find((s) => s.accession === doc.accession)
        if (study) writeMap(room, 'state', studyStateOf(study))
        return
      }
      case 'patientState': {
        const patient = data.patients.find((p) => p.id === doc.patientId)
        if (patient) writeMap(room, 'state', patientStateOf(patient))
        return
      }
      case 'worklist':
        return reconcileWorklist(room, data)
      default:
        return
    }
  }
}

function writeMap(room: Room, mapName: string, values: Record<string, unknown>): void {
  const map = room.doc.getMap(mapName)
  const changed = Object.entries(values).filter(([k, v]) => !sameJson(map.get(k), v))
  if (changed.length === 0) return
  room.serverWrite(() => {
    for (const [k, v] of changed) map.set(k, v)
  })
}

function writeRow(room: Room, study: StudyRecord, data: RegistryData): void {
  const rows = room.doc.getMap('rows')
  if (study.lifecycle !== 'active') {
    if (rows.has(study.accession)) room.serverWrite(() => rows.delete(study.accession))
    return
  }
  const row = worklistRowOf(study, data)
  if (!sameJson(rows.get(study.accession), row))
    room.serverWrite(() => rows.set(study.accession, row))
}

function reconcileWorklist(room: Room, data: RegistryData): void {
  const rows = room.doc.getMap('rows') as Y.Map<unknown>
  const active = new Map(
    data.studies.filter((s) => s.lifecycle === 'active').map((s) => [s.accession, s]),
  )
  const stale = [...rows.keys()].filter((k) => !active.has(k))
  const changed = [...active.values()].filter(
    (s) => !sameJson(rows.get(s.accession), worklistRowOf(s, data)),
  )
  if (stale.length === 0 && changed.length === 0) return
  room.serverWrite(() => {
    for (const k of stale) rows.delete(k)
    for (const s of changed) rows.set(s.accession, worklistRowOf(s, data))
  })
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
