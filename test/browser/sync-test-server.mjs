/**
 * A deliberately tiny y-websocket server for the browser tests (not the product
 * server): enough of the protocol to sync, plus misbehaviour on demand, chosen by
 * the id in the doc name `study/<behaviour>-<anything>`:
 *
 *   gone-…      close 4410 at once, reason = JSON GoneReason
 *   forbidden-… close 4403 at once
 *   refuse-…    first connection: close 4409 on the client's first sync step 2 or
 *               update, without applying it; later connections sync normally
 *   drop-…      first connection: terminate the TCP stream on the first message (1006)
 *   flaky-…     first three connections: close 4503 at once
 *   noack-…     never sends saved acknowledgements
 *
 * Saved acknowledgements (like the product server): a connection that asks with
 * `?savedAck=1` gets message type 100 `[varUint 100][varUint8Array stateVector]`
 * after each sync step 2 or update it sends (applied or not, nothing is "durable"
 * here beyond memory).
 *
 * HTTP on the same port (CORS open, the tests run on another origin):
 *   GET /__stats?room=<docName> → {connections}   (attempts that reached us)
 *   GET /__doc?room=<docName>   → {fields}        (the server's copy of Y.Map `fields`)
 */
import http from 'node:http'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocketServer } from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const MESSAGE_QUERY_AWARENESS = 3
const MESSAGE_SAVED_ACK = 100

export const GONE_REASON = {
  reason: 'deleted',
  by: { id: 'u-bose', name: 'BOSE' },
  at: '2026-11-22T14:02:31.000Z',
}

/** @typedef {{ doc: Y.Doc, awareness: awarenessProtocol.Awareness, conns: Set<import('ws').WebSocket>, connections: number }} Room */

/** Starts the server on 127.0.0.1, port 0; resolves to `{ port, close() }`. */
export async function startSyncTestServer() {
  /** @type {Map<string, Room>} */
  const rooms = new Map()
  const room = (/** @type {string} */ name) => {
    let r = rooms.get(name)
    if (r === undefined) {
      const doc = new Y.Doc()
      r = { doc, awareness: new awarenessProtocol.Awareness(doc), conns: new Set(), connections: 0 }
      r.awareness.setLocalState(null)
      wireBroadcasts(r)
      rooms.set(name, r)
    }
    return r
  }

  const server = http.createServer((req, res) => answerHttp(req, res, rooms, room))
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith('/sync/')) return ws.close(4404, 'no such document')
    const name = decodeURIComponent(url.pathname.slice('/sync/'.length))
    const r = room(name)
    r.connections += 1
    ws.savedAck = url.searchParams.get('savedAck') === '1' && !name.includes('/noack-')
    misbehave(ws, name, r.connections) || serve(ws, r)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolve(undefined))
      }),
  }
}

/** @returns {boolean} true when the behaviour took over the socket. */
function misbehave(
  /** @type {import('ws').WebSocket} */ ws,
  /** @type {string} */ name,
  /** @type {number} */ nth,
) {
  const id = name.split('/')[1] ?? ''
  if (id.startsWith('gone-')) ws.close(4410, JSON.stringify(GONE_REASON))
  else if (id.startsWith('forbidden-')) ws.close(4403, 'forbidden')
  else if (id.startsWith('flaky-') && nth <= 3) ws.close(4503, 'shutting down')
  else if (id.startsWith('drop-') && nth === 1) {
    ws.on('message', () => ws.terminate())
  } else if (id.startsWith('refuse-') && nth === 1) {
    ws.refuseWrites = true
    return false
  } else return false
  return true
}

function serve(/** @type {import('ws').WebSocket} */ ws, /** @type {Room} */ r) {
  r.conns.add(ws)
  /** @type {Set<number>} */
  const clientIds = new Set()
  ws.on('message', (data) => {
    const bytes = new Uint8Array(/** @type {Buffer} */ (data))
    const decoder = decoding.createDecoder(bytes)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) {
      if (ws.refuseWrites && peekSyncType(bytes) !== syncProtocol.messageYjsSyncStep1) {
        ws.close(4409, 'local copy refused')
        return
      }
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, r.doc, ws)
      if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder))
      if (ws.savedAck && syncType !== syncProtocol.messageYjsSyncStep1) sendSavedAck(ws, r)
    } else if (type === MESSAGE_AWARENESS) {
      const update = decoding.readVarUint8Array(decoder)
      const before = new Set(r.awareness.getStates().keys())
      awarenessProtocol.applyAwarenessUpdate(r.awareness, update, ws)
      for (const id of r.awareness.getStates().keys()) if (!before.has(id)) clientIds.add(id)
    } else if (type === MESSAGE_QUERY_AWARENESS) {
      sendAwareness(ws, r, [...r.awareness.getStates().keys()])
    }
  })
  ws.on('close', () => {
    r.conns.delete(ws)
    awarenessProtocol.removeAwarenessStates(r.awareness, [...clientIds], null)
  })
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(encoder, r.doc)
  ws.send(encoding.toUint8Array(encoder))
  const states = [...r.awareness.getStates().keys()]
  if (states.length > 0) sendAwareness(ws, r, states)
}

function sendSavedAck(/** @type {import('ws').WebSocket} */ ws, /** @type {Room} */ r) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SAVED_ACK)
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(r.doc))
  ws.send(encoding.toUint8Array(encoder))
}

function peekSyncType(/** @type {Uint8Array} */ bytes) {
  const decoder = decoding.createDecoder(bytes)
  decoding.readVarUint(decoder)
  return decoding.readVarUint(decoder)
}

function sendAwareness(
  /** @type {import('ws').WebSocket} */ ws,
  /** @type {Room} */ r,
  /** @type {number[]} */ ids,
) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(r.awareness, ids))
  ws.send(encoding.toUint8Array(encoder))
}

function wireBroadcasts(/** @type {Room} */ r) {
  r.doc.on('update', (/** @type {Uint8Array} */ update, /** @type {unknown} */ origin) => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeUpdate(encoder, update)
    const message = encoding.toUint8Array(encoder)
    for (const conn of r.conns) if (conn !== origin) conn.send(message)
  })
  r.awareness.on('update', (/** @type {any} */ { added, updated, removed }, origin) => {
    const changed = [...added, ...updated, ...removed]
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(
      encoder,
      awarenessProtocol.encodeAwarenessUpdate(r.awareness, changed),
    )
    const message = encoding.toUint8Array(encoder)
    for (const conn of r.conns) if (conn !== origin) conn.send(message)
  })
}

function answerHttp(
  /** @type {http.IncomingMessage} */ req,
  /** @type {http.ServerResponse} */ res,
  /** @type {Map<string, Room>} */ rooms,
  /** @type {(name: string) => Room} */ room,
) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const name = url.searchParams.get('room') ?? ''
  let body
  if (url.pathname === '/__stats') body = { connections: rooms.get(name)?.connections ?? 0 }
  else if (url.pathname === '/__doc') body = { fields: room(name).doc.getMap('fields').toJSON() }
  res.writeHead(body === undefined ? 404 : 200, {
    'content-type': 'application/json',
    'access-control-allow-origin': '*',
  })
  res.end(JSON.stringify(body ?? { error: 'not_found' }))
}
