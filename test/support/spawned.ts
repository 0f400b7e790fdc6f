/** A StudySync server in its own process (`tsx server/main.ts`), for crash tests. */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface SpawnedServer {
  url: string
  wsUrl: string
  process: ChildProcess
  /** Everything the server wrote to stdout and stderr so far (JSON log lines, errors). */
  output(): string
  /** SIGKILL: no shutdown hooks, no flush. */
  kill9(): Promise<void>
  stop(): Promise<void>
}

export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let output = ''
  child.stderr?.on('data', (d) => {
    stderr += d
    output += d
  })
  child.stdout?.on('data', (d) => {
    output += d
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'StudySync listening' && entry.url) resolve(entry.url)
    })
    void exited.then((code) =>
      reject(new Error(`server exited (${code}) before listening: ${stderr}`)),
    )
  })
  return {
    url,
    wsUrl: url.replace('http://', 'ws://'),
    process: child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
