/** Connecting many clients, with bounded concurrency and a deadline. */
import type { RawClient } from './raw-client.ts'

/**
 * Connects every client (at most `concurrency` handshakes in flight; Infinity
 * for all at once) and resolves when all are synced. Rejects with the first
 * failure, or when `timeoutMs` passes.
 */
export async function connectAll(
  clients: readonly RawClient[],
  concurrency: number,
  timeoutMs: number,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < clients.length) await clients[next++]!.connect()
  }
  const workers = Array.from({ length: Math.min(concurrency, clients.length) }, worker)
  await withDeadline(Promise.all(workers), timeoutMs, () => {
    const synced = clients.filter((c) => c.synced).length
    return `${synced}/${clients.length} clients synced after ${timeoutMs} ms`
  })
}

/** Rejects with `describe()` if `promise` has not settled within `ms`. */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  describe: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves once `predicate` holds, polling every `everyMs`; rejects after `ms`. */
export async function waitFor(
  predicate: () => boolean,
  ms: number,
  describe: () => string,
  everyMs = 5,
): Promise<void> {
  const start = performance.now()
  while (!predicate()) {
    if (performance.now() - start > ms) throw new Error(describe())
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

export function closeAll(clients: readonly RawClient[]): Promise<void> {
  return Promise.all(clients.map((c) => c.disconnect())).then(() => {
    for (const c of clients) c.doc.destroy()
  })
}
