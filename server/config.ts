/**
 * Configuration, read from the environment once in main.ts and injected
 * everywhere else (modules never read process.env themselves).
 */
export interface Limits {
  /** Largest WebSocket message accepted; larger ones close with 4413. */
  maxMessageBytes: number
  /** Sustained messages per second per connection, and the burst above it. */
  messagesPerSecond: number
  messageBurst: number
  /** Most structs one update may declare (guards Yjs's pre-allocation). */
  maxStructsPerUpdate: number
  /** Awareness: bytes and nesting depth of one client's state; entries per message. */
  maxAwarenessBytes: number
  maxAwarenessDepth: number
  maxAwarenessEntries: number
  /** Awareness client ids one connection may introduce (honest clients use one). */
  maxAwarenessIdsPerConnection: number
  /** Bytes queued to a slow client before it is disconnected. */
  maxBufferedBytes: number
  /** Largest JSON request body. */
  maxBodyBytes: number
  /**
   * Open sync connections one session may hold at once; more are refused with 4429.
   * A tab opens a handful (study, report, state, patient, worklist); one user asking
   * for thousands of rooms would otherwise load thousands of documents.
   */
  maxConnectionsPerSession: number
  /** Time a client has to send a request's headers, upgrades included (slowloris). */
  headersTimeoutMs: number
}

export interface Config {
  host: string
  port: number
  dataDir: string
  demo: boolean
  demoPassword: string
  sessionTtlMs: number
  trackerTimeoutMs: number
  /** A room with no connections is compacted and unloaded after this long. */
  roomIdleMs: number
  /** Compact a document's log into a snapshot after this many records. */
  compactEvery: number
  /** Rebuild the worklist document when it is this many times larger than its rows need. */
  worklistBloatFactor: number
  metricsToken: string | null
  /** Origins allowed for cookie-authenticated requests besides the server's own. */
  allowedOrigins: string[]
  staticDir: string | null
  /** How long a break-the-glass unlock lasts (S31). */
  breakGlassMs: number
  /** How long a newly generated patient reference number can be used (S32). */
  refNumberValidDays: number
  /** Failed PIN attempts on a reference number before it is locked out (S32). */
  pinMaxAttempts: number
  /**
   * Audit entries older than this many days are pruned, whole rotated segments at a time
   * (S33); null keeps the audit trail forever.
   */
  auditRetentionDays: number | null
  limits: Limits
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 2 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 400,
  maxStructsPerUpdate: 200_000,
  maxAwarenessBytes: 8 * 1024,
  maxAwarenessDepth: 16,
  maxAwarenessEntries: 256,
  maxAwarenessIdsPerConnection: 1,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxConnectionsPerSession: 64,
  headersTimeoutMs: 10_000,
}

/** Overrides for tests and main: every field optional, limits merged field by field. */
export type ConfigOverrides = Partial<Omit<Config, 'limits'>> & { limits?: Partial<Limits> }

export function defaultConfig(overrides: ConfigOverrides = {}): Config {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: './data',
    demo: false,
    demoPassword: 'demo',
    sessionTtlMs: 12 * 3600_000,
    trackerTimeoutMs: 300_000,
    roomIdleMs: 30_000,
    compactEvery: 500,
    worklistBloatFactor: 3,
    metricsToken: null,
    allowedOrigins: [],
    staticDir: null,
    breakGlassMs: 4 * 3600_000,
    refNumberValidDays: 30,
    pinMaxAttempts: 5,
    auditRetentionDays: null,
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  }
}

/** A setting that cannot be used; start-up prints its message and stops. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Reads the environment variables documented in the README. Throws ConfigError on malformed values. */
export function configFromEnv(env: NodeJS.ProcessEnv, base: ConfigOverrides = {}): Config {
  const num = (name: string, fallback: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isFinite(value) || value < 0)
      throw new ConfigError(`${name} must be a number, got "${raw}"`)
    return value
  }
  return defaultConfig({
    ...base,
    host: env.HOST || '127.0.0.1',
    port: num('PORT', 8080),
    dataDir: env.DATA_DIR || './data',
    demoPassword: env.STUDYSYNC_DEMO_PASSWORD || 'demo',
    sessionTtlMs: num('SESSION_TTL_H', 12) * 3600_000,
    trackerTimeoutMs: num('TRACKER_TIMEOUT_S', 300) * 1000,
    metricsToken: env.METRICS_TOKEN || null,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    breakGlassMs: num('BREAK_GLASS_H', 4) * 3600_000,
    refNumberValidDays: num('REF_NUMBER_VALID_DAYS', 30),
    pinMaxAttempts: Math.max(1, Math.floor(num('PIN_MAX_ATTEMPTS', 5))),
    auditRetentionDays: parseAuditRetentionDays(env.AUDIT_RETENTION_DAYS),
  })
}

/** Longest retention accepted: 100 years (more is a typo, and "forever" says it plainly). */
export const MAX_AUDIT_RETENTION_DAYS = 36_500

/**
 * `AUDIT_RETENTION_DAYS`: unset, empty or `forever` keeps everything; otherwise a whole
 * number of days from 1 to 36,500. Anything else throws: a retention setting that is
 * misread would delete audit evidence, so start-up refuses it rather than guess.
 */
export function parseAuditRetentionDays(raw: string | undefined): number | null {
  const value = raw?.trim() ?? ''
  if (value === '' || value.toLowerCase() === 'forever') return null
  const days = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!(days >= 1 && days <= MAX_AUDIT_RETENTION_DAYS)) {
    throw new ConfigError(
      `AUDIT_RETENTION_DAYS must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}, ` +
        `or "forever" (or unset) to keep the audit trail forever; got "${raw}"`,
    )
  }
  return days
}
