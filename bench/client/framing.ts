/**
 * How y-websocket messages travel to each server. StudySync and the reference
 * server speak the y-websocket protocol unchanged, one document per socket
 * named in the URL (StudySync also wants `?token=`). Hocuspocus prefixes every
 * message with the document name and wants an auth message first (any token:
 * no onAuthenticate hook is configured). The message bodies are identical.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { Endpoint } from '../servers/types.ts'

export interface Framing {
  url(docName: string): string
  /** Frames to send first after the socket opens. */
  hello(docName: string): Uint8Array[]
  wrap(docName: string, body: Uint8Array): Uint8Array
  /** A decoder positioned at the message type of a received frame. */
  open(frame: Uint8Array): decoding.Decoder
}

/** Hocuspocus's auth message type and its token sub-type (@hocuspocus/common). */
const HOCUSPOCUS_AUTH = 2
const HOCUSPOCUS_AUTH_TOKEN = 0

/** The framing for client number `index` (its session token is looked up when it connects). */
export function framingFor(endpoint: Endpoint, index: number): Framing {
  const token = () => endpoint.token(index)
  switch (endpoint.kind) {
    case 'studysync':
      return plain((doc) => `${endpoint.wsBase}/sync/${doc}?token=${token()}`)
    case 'yws':
      return plain((doc) => `${endpoint.wsBase}/${doc}`)
    case 'hocuspocus':
      return prefixed(endpoint.wsBase, token)
  }
}

function plain(url: (doc: string) => string): Framing {
  return {
    url,
    hello: () => [],
    wrap: (_doc, body) => body,
    open: (frame) => decoding.createDecoder(frame),
  }
}

function prefixed(wsBase: string, token: () => string): Framing {
  const wrap = (doc: string, body: Uint8Array): Uint8Array => {
    const encoder = encoding.createEncoder()
    encoding.writeVarString(encoder, doc)
    encoding.writeUint8Array(encoder, body)
    return encoding.toUint8Array(encoder)
  }
  return {
    url: () => wsBase,
    hello: (doc) => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, HOCUSPOCUS_AUTH)
      encoding.writeVarUint(encoder, HOCUSPOCUS_AUTH_TOKEN)
      encoding.writeVarString(encoder, token())
      return [wrap(doc, encoding.toUint8Array(encoder))]
    },
    wrap,
    open: (frame) => {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarString(decoder)
      return decoder
    },
  }
}
