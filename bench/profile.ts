/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and lists where the time went
 * inside a window: self time per function and per module. Sample timestamps
 * and the harness's window are both CLOCK_MONOTONIC microseconds, so the
 * server's start-up (module loading, tsx compiling) is left out.
 */
import { readFile } from 'node:fs/promises'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface HotSpot {
  name: string
  where: string
  selfMs: number
  /** Share of the busy (non-idle) samples in the window. */
  pct: number
}

export interface ProfileSummary {
  windowMs: number
  busyMs: number
  functions: HotSpot[]
  modules: HotSpot[]
}

export async function summarizeProfile(
  file: string,
  window: { startUs: number; endUs: number } | null,
  top = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
  const byFunction = new Map<string, HotSpot>()
  const byModule = new Map<string, HotSpot>()
  let t = profile.startTime
  let busy = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    t += dt
    if (window && (t < window.startUs || t > window.endUs)) return
    const frame = frames.get(id)
    if (!frame || frame.functionName === '(idle)') return
    busy += dt
    const where = location(frame)
    add(
      byFunction,
      `${frame.functionName || '(anonymous)'} ${where}`,
      frame.functionName,
      where,
      dt,
    )
    const module = moduleOf(frame)
    add(byModule, module, module, '', dt)
  })
  const rank = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, selfMs: h.selfMs / 1000, pct: (h.selfMs / busy) * 100 }))
  return {
    windowMs: window ? (window.endUs - window.startUs) / 1000 : (t - profile.startTime) / 1000,
    busyMs: busy / 1000,
    functions: rank(byFunction),
    modules: rank(byModule),
  }
}

function add(map: Map<string, HotSpot>, key: string, name: string, where: string, us: number) {
  const spot = map.get(key) ?? { name: name || '(anonymous)', where, selfMs: 0, pct: 0 }
  spot.selfMs += us // microseconds until ranked
  map.set(key, spot)
}

function location(frame: CallFrame): string {
  if (!frame.url) return ''
  return `${shorten(frame.url)}:${frame.lineNumber + 1}`
}

function shorten(url: string): string {
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length)
  const repo = url.match(/\/(server|shared|bench)\/.*/)
  return repo ? repo[0].slice(1) : url.replace(/^file:\/\//, '')
}

/** A package (yjs, ws, lib0, …), a StudySync source directory, node internals, or a V8 bucket. */
function moduleOf(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const short = shorten(frame.url)
  if (short.startsWith('node:')) return 'node internals'
  if (frame.url.includes('/node_modules/')) {
    const parts = short.split('/')
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
  }
  const dir = short.split('/').slice(0, 2).join('/')
  return dir.endsWith('.ts') ? short.split('/')[0]! : dir
}
