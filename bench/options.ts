/**
 * Command-line flags. Defaults fit two cores and a few minutes in all;
 * `--quick` is a ~1 minute smoke run with small sizes and one repetition.
 */
import { parseArgs } from 'node:util'
import type { ServerKind } from './servers/types.ts'

export interface BenchOptions {
  quick: boolean
  reps: number
  servers: ServerKind[]
  /** Workload names to run; all when empty. */
  only: string[]
  pin: boolean
  /** Write BENCHMARKS.md (off for --quick unless asked). */
  writeMarkdown: boolean
  /** Workloads to profile StudySync on afterwards (--cpu-prof); none when empty. */
  profile: string[]
  seconds: number
  fanout: { readers: number; rate: number }
  rooms: { docs: number; rate: number }
  presence: { docs: number }
  /** `replay`: also run the storm over uncompacted logs (after a crash). */
  storm: { clients: number; entries: number; replay: boolean }
  offline: { clients: number; edits: number; docs: number }
  scale: { conns: number[]; docs: number[]; limitMiB: number; reps: number }
}

const SERVERS: readonly ServerKind[] = ['studysync', 'yws', 'hocuspocus']
export const WORKLOADS = ['fanout', 'many-rooms', 'presence', 'storm', 'offline', 'scale'] as const

const HELP = `npm run bench -- [flags]
  --quick                 ~1 minute smoke run (small sizes, 1 repetition, no BENCHMARKS.md)
  --reps N                repetitions per server (default 3; 0 with --profile: profile only)
  --servers a,b,c         studysync,yws,hocuspocus (default all; yws is the reference)
  --only w1,w2            ${WORKLOADS.join(',')}
  --seconds S             measurement window of the rate workloads (default 6)
  --fanout-readers N      (50)      --fanout-rate W   writes/s (20)
  --rooms-docs N          (500)     --rooms-rate W    writes/s in all (1000)
  --presence-docs N       (300)
  --storm-clients N       (1000)    --storm-entries E (200)
  --storm-replay          also storm uncompacted logs (E records per document to replay)
  --offline-clients N     (200)     --offline-edits E (50)    --offline-docs D (20)
  --scale-conns a,b,…     idle-connection steps (2000,4000,8000)
  --scale-docs a,b,…      loaded-document steps (1000,2000,4000)
  --scale-limit-mib M     stop condition for the scale steps (1024)
  --scale-reps N          repetitions of the (slow) scale climbs (default 1)
  --profile               also run StudySync on many rooms under --cpu-prof and list hot functions
  --profile-only w1,w2    profile these instead (fanout, many-rooms, presence, storm)
  --no-pin                do not pin server and load generator to cores 0 and 1
  --no-write              do not write BENCHMARKS.md (results JSON is always written)
  --write                 write BENCHMARKS.md even with --quick`

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      servers: { type: 'string' },
      only: { type: 'string' },
      seconds: { type: 'string' },
      'fanout-readers': { type: 'string' },
      'fanout-rate': { type: 'string' },
      'rooms-docs': { type: 'string' },
      'rooms-rate': { type: 'string' },
      'presence-docs': { type: 'string' },
      'storm-clients': { type: 'string' },
      'storm-entries': { type: 'string' },
      'storm-replay': { type: 'boolean' },
      'offline-clients': { type: 'string' },
      'offline-edits': { type: 'string' },
      'offline-docs': { type: 'string' },
      'scale-conns': { type: 'string' },
      'scale-docs': { type: 'string' },
      'scale-limit-mib': { type: 'string' },
      'scale-reps': { type: 'string' },
      profile: { type: 'boolean' },
      'profile-only': { type: 'string' },
      'no-pin': { type: 'boolean' },
      'no-write': { type: 'boolean' },
      write: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return null
  }
  const quick = values.quick === true
  const num = (name: keyof typeof values, normal: number, small: number, min = 1): number => {
    const raw = values[name]
    if (raw === undefined) return quick ? small : normal
    const value = Number(raw)
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be ≥ ${min}`)
    return value
  }
  const list = (name: keyof typeof values, normal: number[], small: number[]): number[] => {
    const raw = values[name]
    if (typeof raw !== 'string') return quick ? small : normal
    return raw
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0)
  }
  const servers = (values.servers ?? SERVERS.join(',')).split(',') as ServerKind[]
  for (const s of servers) if (!SERVERS.includes(s)) throw new Error(`unknown server ${s}`)
  const only = values.only ? values.only.split(',') : []
  for (const w of only) {
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}`)
  }
  const options: BenchOptions = {
    quick,
    reps: num('reps', 3, 1, 0),
    servers,
    only,
    pin: values['no-pin'] !== true,
    writeMarkdown: values['no-write'] !== true && (!quick || values.write === true),
    profile: profiled(values.profile === true, values['profile-only']),
    seconds: num('seconds', 6, 2),
    fanout: { readers: num('fanout-readers', 50, 10), rate: num('fanout-rate', 20, 20) },
    rooms: { docs: num('rooms-docs', 500, 50), rate: num('rooms-rate', 1000, 100) },
    presence: { docs: num('presence-docs', 300, 50) },
    storm: {
      clients: num('storm-clients', 1000, 200),
      entries: num('storm-entries', 200, 200),
      replay: values['storm-replay'] === true,
    },
    offline: {
      clients: num('offline-clients', 200, 40),
      edits: num('offline-edits', 50, 10),
      docs: num('offline-docs', 20, 4),
    },
    scale: {
      conns: list('scale-conns', [2000, 4000, 8000], [300, 600]),
      docs: list('scale-docs', [1000, 2000, 4000], [200, 400]),
      limitMiB: num('scale-limit-mib', 1024, 1024),
      reps: num('scale-reps', 1, 1),
    },
  }
  checkNotesLimit(options)
  return options
}

export const PROFILED = ['fanout', 'many-rooms', 'presence', 'storm'] as const

function profiled(flag: boolean, only: string | undefined): string[] {
  const names = only ? only.split(',') : flag ? ['many-rooms'] : []
  for (const n of names) {
    if (!(PROFILED as readonly string[]).includes(n)) throw new Error(`cannot profile ${n}`)
  }
  return names
}

/** StudySync refuses notes beyond its schema's 20,000 characters; keep every workload under it. */
const NOTES_MAX = 20_000

function checkNotesLimit(o: BenchOptions): void {
  const tokenChars = (n: number) => String(n).length + 2
  const fanout = o.fanout.rate * o.seconds
  const perRoom = (o.rooms.rate * o.seconds) / o.rooms.docs
  const offline = (o.offline.clients / o.offline.docs) * o.offline.edits
  const worst = Math.max(
    fanout * tokenChars(fanout),
    perRoom * tokenChars(o.rooms.rate * o.seconds),
    offline * tokenChars(o.offline.clients * o.offline.edits),
  )
  if (worst > NOTES_MAX * 0.9) {
    throw new Error(
      `these sizes write ~${Math.round(worst)} characters into one form's notes; StudySync's schema allows ${NOTES_MAX}. Use fewer writes per document.`,
    )
  }
}
