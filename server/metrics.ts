/** Prometheus metrics, one registry per server instance (no global default registry). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export function createMetrics() {
  const registry = new Registry()
  const m = {
    registry,
    connections: new Gauge({
      name: 'studysync_connections',
      help: 'Open sync connections',
      registers: [registry],
    }),
    roomsLoaded: new Gauge({
      name: 'studysync_rooms_loaded',
      help: 'Documents loaded in memory',
      registers: [registry],
    }),
    messagesIn: hotCounter({
      name: 'studysync_messages_in_total',
      help: 'Sync messages received',
      registers: [registry],
    }),
    messagesOut: hotCounter({
      name: 'studysync_messages_out_total',
      help: 'Sync messages sent',
      registers: [registry],
    }),
    bytesIn: hotCounter({
      name: 'studysync_bytes_in_total',
      help: 'Sync bytes received',
      registers: [registry],
    }),
    refusedWrites: new Counter({
      name: 'studysync_refused_writes_total',
      help: 'Client writes refused (4409)',
      registers: [registry],
    }),
    protocolErrors: new Counter({
      name: 'studysync_protocol_errors_total',
      help: 'Connections closed for protocol errors (4400)',
      registers: [registry],
    }),
    closes: new Counter({
      name: 'studysync_closes_total',
      help: 'Connections closed by the server, by close code',
      labelNames: ['code'],
      registers: [registry],
    }),
    limitHits: new Counter({
      name: 'studysync_limit_hits_total',
      help: 'Requests and connections refused or dropped by a limit, by limit',
      labelNames: ['limit'],
      registers: [registry],
    }),
    storageErrors: new Counter({
      name: 'studysync_storage_errors_total',
      help: 'Failed log appends or registry writes',
      registers: [registry],
    }),
    fsyncSeconds: new Histogram({
      name: 'studysync_log_fsync_seconds',
      help: 'Latency of one group commit (write + fdatasync)',
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    fsyncRecords: new Histogram({
      name: 'studysync_log_fsync_records',
      help: 'Records made durable by one group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
  }
  return m
}

/** What the hot paths need of a counter. */
export interface HotCounter {
  inc(value?: number): void
}

/**
 * A counter bumped on every message in and out (fan-out: once per recipient): plain
 * arithmetic there, handed to prom-client whenever the registry is collected (a scrape,
 * `registry.metrics()`), so what is exported is always complete. prom-client's own `inc`
 * costs an options object, a label hash and validation per call.
 */
function hotCounter(config: { name: string; help: string; registers: Registry[] }): HotCounter {
  let pending = 0
  const counter: Counter = new Counter({
    ...config,
    collect() {
      if (pending === 0) return
      const value = pending
      pending = 0
      counter.inc(value)
    },
  })
  return {
    inc(value = 1) {
      pending += value
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
