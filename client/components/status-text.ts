import type { ConnectionStatus } from '../connection/index.ts'

/** A one-line, human description of a connection status, for the status line. */
export function describeStatus(status: ConnectionStatus | null): string {
  if (status === null) return 'Not connected'
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…'
    case 'online':
      return status.synced ? 'Online, up to date' : 'Online, syncing…'
    case 'reconnecting':
      return `Connection lost, retrying in ${Math.ceil(status.retryInMs / 1000)} s (attempt ${status.attempt})`
    case 'offline':
      return 'Offline: changes are kept on this device'
    case 'closed': {
      const { gone } = status
      if (gone === undefined)
        return `Closed by the server (${status.code}${status.reason ? `: ${status.reason}` : ''})`
      const by = gone.by === 'SYSTEM' ? 'SYSTEM' : gone.by.name
      return `Closed: ${gone.reason} by ${by} at ${gone.at}`
    }
  }
}
