/** MLLP framing for the listener API.md mentions (`MLLP_PORT`): <VT> message <FS><CR>. */
import { describe, expect, it } from 'vitest'
import { mllpFrame, mllpUnframe } from '../../../server/hl7/ack.ts'
import { A08, join, ORM } from './samples.ts'

const VT = Buffer.of(0x0b)

describe('mllpFrame / mllpUnframe', () => {
  it('frames with VT … FS CR and reads the message back', () => {
    const framed = mllpFrame(join(A08))
    expect(framed[0]).toBe(0x0b)
    expect([...framed.subarray(-2)]).toEqual([0x1c, 0x0d])
    expect(mllpUnframe(framed)).toEqual({
      messages: [join(A08)],
      rest: Buffer.alloc(0),
      malformed: 0,
    })
  })

  it('keeps non-ASCII text intact (UTF-8)', () => {
    const text = join(A08).replace('DOE^JANE', 'MÜLLER^RENÉ')
    expect(mllpUnframe(mllpFrame(text)).messages).toEqual([text])
  })

  it('splits several frames in one chunk, and keeps a partial one for the next chunk', () => {
    const stream = Buffer.concat([mllpFrame(join(A08)), mllpFrame(join(ORM))])
    const cut = stream.length - 10
    const first = mllpUnframe(stream.subarray(0, cut))
    expect(first.messages).toEqual([join(A08)])
    const second = mllpUnframe(Buffer.concat([first.rest, stream.subarray(cut)]))
    expect(second).toEqual({ messages: [join(ORM)], rest: Buffer.alloc(0), malformed: 0 })
  })

  it('waits for the CR after FS', () => {
    const framed = mllpFrame('MSH|^~\\&|A')
    const partial = mllpUnframe(framed.subarray(0, -1))
    expect(partial.messages).toEqual([])
    expect(partial.rest).toEqual(framed.subarray(0, -1))
  })

  it('discards bytes outside frames and restarts a frame torn by a new VT', () => {
    const torn = Buffer.concat([
      Buffer.from('noise'),
      VT,
      Buffer.from('MSH|torn'),
      mllpFrame('MSH|ok'),
    ])
    expect(mllpUnframe(torn)).toEqual({ messages: ['MSH|ok'], rest: Buffer.alloc(0), malformed: 0 })
  })

  it('counts a frame whose FS is not followed by CR as malformed and goes on', () => {
    const bad = Buffer.concat([
      VT,
      Buffer.from('MSH|bad'),
      Buffer.of(0x1c, 0x41),
      mllpFrame('MSH|ok'),
    ])
    expect(mllpUnframe(bad)).toMatchObject({ messages: ['MSH|ok'], malformed: 1 })
  })

  it('refuses to frame content that contains VT or FS', () => {
    expect(() => mllpFrame(`MSH|${String.fromCharCode(0x1c)}`)).toThrow(RangeError)
    expect(() => mllpFrame(`MSH|${String.fromCharCode(0x0b)}`)).toThrow(RangeError)
  })
})
