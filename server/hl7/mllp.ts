/**
 * MLLP framing (HL7 v2 Appendix C): <VT> message <FS><CR>. The content may not contain
 * VT or FS, so a frame is found by scanning bytes, never by parsing HL7.
 */
const VT = 0x0b
const FS = 0x1c
const CR = 0x0d

/** UTF-8 by default; a listener for 8859/1 senders (MSH-18) decodes `rest` itself. */
export function mllpFrame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  if (body.includes(VT) || body.includes(FS)) throw new RangeError('MLLP content contains VT or FS')
  return Buffer.concat([Buffer.of(VT), body, Buffer.of(FS, CR)])
}

export interface MllpChunks {
  /** Complete messages, in order. */
  messages: string[]
  /** The unfinished tail (starts at a VT): prepend it to the next chunk from the socket. */
  rest: Buffer
  /** Frames dropped because FS was not followed by CR. */
  malformed: number
}

/**
 * Splits a stream's bytes into messages. Bytes outside a frame are discarded (the spec's
 * recovery rule), and a VT inside an open frame restarts it: the earlier one was torn.
 */
export function mllpUnframe(buffer: Buffer): MllpChunks {
  const messages: string[] = []
  let malformed = 0
  let position = 0
  for (;;) {
    const start = buffer.indexOf(VT, position)
    if (start === -1) return { messages, rest: Buffer.alloc(0), malformed }
    const end = buffer.indexOf(FS, start + 1)
    if (end === -1 || end + 1 >= buffer.length) {
      return { messages, rest: buffer.subarray(buffer.lastIndexOf(VT)), malformed }
    }
    const from = buffer.lastIndexOf(VT, end)
    if (buffer[end + 1] === CR) messages.push(buffer.toString('utf8', from + 1, end))
    else malformed += 1
    position = end + 1
  }
}
