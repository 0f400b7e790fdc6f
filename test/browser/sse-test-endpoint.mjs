/**
 * A tiny Server-Sent Events endpoint for the live-feed browser tests, mounted as a
 * WTR middleware on the test page's own origin (so a SharedWorker's EventSource
 * reaches it same-origin, as the app reaches /api/v1/events). It runs before WTR's
 * transform middlewares and answers streams itself (`ctx.respond = false`), so
 * nothing buffers them. Streams are grouped by `?stream=<name>`:
 *
 *   GET /__sse/events?stream=s[&fail=1]   the stream (401 with fail=1); records
 *                                          Last-Event-ID and ?lastEventId= per connection
 *   GET /__sse/emit?stream=s&event=notice&data=<json>[&id=5]   a frame to every open stream
 *   GET /__sse/drop?stream=s              ends every open stream (the browser reconnects)
 *   GET /__sse/stats?stream=s             {open, connections: [{header, query}]}
 */

/** @typedef {{ open: Set<import('node:http').ServerResponse>, connections: { header: string | null, query: string | null }[] }} Stream */

export function sseTestEndpoint() {
  /** @type {Map<string, Stream>} */
  const streams = new Map()
  const streamOf = (/** @type {string} */ name) => {
    let stream = streams.get(name)
    if (stream === undefined) {
      stream = { open: new Set(), connections: [] }
      streams.set(name, stream)
    }
    return stream
  }

  /** @param {any} ctx Koa context @param {() => Promise<void>} next */
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/__sse/')) return next()
    const param = (/** @type {string} */ key) => {
      const value = ctx.query[key]
      return typeof value === 'string' ? value : null
    }
    const stream = streamOf(param('stream') ?? '')
    switch (ctx.path) {
      case '/__sse/events': {
        stream.connections.push({
          header: ctx.get('last-event-id') || null,
          query: param('lastEventId'),
        })
        if (param('fail')) {
          ctx.status = 401
          ctx.body = { error: 'unauthenticated' }
          return
        }
        ctx.respond = false
        const res = ctx.res
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
        // Short retry: the drop test waits for the browser's own reconnect.
        res.write('retry: 50\n\n')
        stream.open.add(res)
        res.on('close', () => stream.open.delete(res))
        return
      }
      case '/__sse/emit': {
        const id = param('id')
        const frame = `${id ? `id: ${id}\n` : ''}event: ${param('event')}\ndata: ${param('data')}\n\n`
        for (const res of stream.open) res.write(frame)
        ctx.body = { delivered: stream.open.size }
        return
      }
      case '/__sse/drop': {
        const dropped = stream.open.size
        for (const res of [...stream.open]) res.end()
        ctx.body = { dropped }
        return
      }
      case '/__sse/stats':
        ctx.body = { open: stream.open.size, connections: stream.connections }
        return
      default:
        ctx.status = 404
    }
  }
}
