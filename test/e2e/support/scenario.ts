/** Runs one scenario with its own cast; reports page state on failure and always cleans up. */
import type { Cast, Diagnostics } from './cast.ts'
import type { E2EEnvironment } from './env.ts'

export async function withCast(
  env: E2EEnvironment,
  t: Diagnostics,
  body: (cast: Cast) => Promise<void>,
): Promise<void> {
  const cast = env.cast(t)
  try {
    await body(cast)
  } catch (error) {
    await cast.report(error)
    throw error
  } finally {
    await cast.close()
  }
}

/** Prints a measurement where `npm test` output shows it, and into the test's diagnostics. */
export function measured(t: Diagnostics, text: string): void {
  t.diagnostic(text)
  process.stderr.write(`e2e: ${text}\n`)
}
