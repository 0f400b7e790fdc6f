/**
 * `npm start`: serves the app, the API and sync on $HOST:$PORT with embedded
 * storage under $DATA_DIR, seeding the demo site into an empty data dir.
 */
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { createServer } from './app.ts'
import { openFileStorage, seedDemoIfEmpty } from './bootstrap.ts'
import { systemClock } from './clock.ts'
import { ConfigError, configFromEnv } from './config.ts'
import { jsonLogger } from './logger.ts'
import { createMetrics } from './metrics.ts'
import { StorageCorruptError } from './storage/types.ts'

async function main(): Promise<void> {
  const logger = jsonLogger()
  const config = configFromEnv(process.env, { staticDir: existsSync('dist') ? 'dist' : null })
  const emptyDataDir = !existsSync(config.dataDir) || (await readdir(config.dataDir)).length === 0
  const demo =
    process.env.STUDYSYNC_DEMO === undefined ? emptyDataDir : process.env.STUDYSYNC_DEMO === '1'
  const metrics = createMetrics()
  const storage = await openFileStorage(config.dataDir, metrics, systemClock, logger, {
    auditRetentionDays: config.auditRetentionDays,
  })
  if (demo) {
    await seedDemoIfEmpty(storage, { password: config.demoPassword, clock: systemClock, logger })
  }
  const server = createServer({
    config: { ...config, demo },
    ...storage,
    clock: systemClock,
    logger,
    metrics,
  })
  const port = await server.listen()
  if (demo || storage.registry.read().settings.demo === true) {
    const banner = `DEMO MODE: demo users (admin, bose, huyen, perf, tech, trans, clerk, system) share the password from STUDYSYNC_DEMO_PASSWORD (default "demo"). Do not use with real patient data.`
    process.stdout.write(
      `\n${'!'.repeat(banner.length)}\n${banner}\n${'!'.repeat(banner.length)}\n\n`,
    )
  }
  logger.info('StudySync listening', {
    url: `http://${config.host}:${port}`,
    dataDir: config.dataDir,
  })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down', { signal })
    await server.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((error) => {
  if (error instanceof StorageCorruptError || error instanceof ConfigError) {
    process.stderr.write(`\nStudySync cannot start: ${error.message}\n`)
  } else {
    process.stderr.write(
      `\nStudySync failed to start: ${error instanceof Error ? error.stack : error}\n`,
    )
  }
  process.exit(1)
})
