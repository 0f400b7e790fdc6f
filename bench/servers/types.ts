/** What the harness knows about a server under test. */

export type ServerKind = 'studysync' | 'yws' | 'hocuspocus'

export const SERVER_LABEL: Readonly<Record<ServerKind, string>> = {
  studysync: 'StudySync',
  yws: '@y/websocket-server 0.1.1',
  hocuspocus: '@hocuspocus/server 4.7.0',
}

/** Where clients connect, and with what credentials. */
export interface Endpoint {
  kind: ServerKind
  /** `ws://127.0.0.1:<port>` */
  wsBase: string
  /** The session token client `i` presents (StudySync); the peers accept any. */
  token(i: number): string
}

export interface RunningServer {
  kind: ServerKind
  pid: number
  endpoint: Endpoint
  /** Signs in enough sessions for clients 0…n-1 (StudySync caps connections per session). */
  prepareClients(n: number): Promise<void>
  /** Resident memory after a full garbage collection in the server (see gc-hook.ts). */
  settledRss(): Promise<number>
  /** SIGTERM and wait (SIGKILL after a grace period). */
  stop(): Promise<void>
}
