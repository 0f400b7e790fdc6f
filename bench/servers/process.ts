/**
 * Spawns a server process pinned to one core (`taskset -c <core>`; taskset
 * execs, so the pid is the server's own) and waits for the line that says it
 * listens.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface SpawnedProcess {
  pid: number
  child: ChildProcess
  /** Resolves with what `ready` returned for the first line it accepted. */
  ready: Promise<string>
  stop(): Promise<void>
}

export interface SpawnRequest {
  /** Arguments after `node`. */
  args: string[]
  env: Record<string, string>
  cwd: string
  /** CPU list for taskset, or null to run unpinned. */
  core: string | null
  /** Returns the URL once a stdout line announces it. */
  ready(line: string): string | null
}

/** How long a server may take to stop gracefully (StudySync compacts loaded documents). */
const STOP_GRACE_MS = 60_000

export function spawnServerProcess(request: SpawnRequest): SpawnedProcess {
  const command = request.core === null ? process.execPath : 'taskset'
  const args =
    request.core === null ? request.args : ['-c', request.core, process.execPath, ...request.args]
  const child = spawn(command, args, {
    cwd: request.cwd,
    env: { ...process.env, NODE_ENV: 'production', ...request.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const ready = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const url = request.ready(line)
      if (url) resolve(url)
    })
    void exited.then((code) =>
      reject(new Error(`server exited (${code}) before listening: ${stderr}`)),
    )
  })
  ready.catch(() => {})
  return {
    pid: child.pid!,
    child,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Parses a JSON log line `{ msg, url }`. */
export function jsonUrl(line: string, msg: string): string | null {
  if (!line.startsWith('{')) return null
  try {
    const entry = JSON.parse(line) as { msg?: string; url?: string }
    return entry.msg === msg && entry.url ? entry.url : null
  } catch {
    return null
  }
}
