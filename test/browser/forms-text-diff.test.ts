import { expect } from '@open-wc/testing'
import * as Y from 'yjs'
import { diffText, transformPosition } from '../../client/forms/text-diff.ts'
import { describe, it } from './mocha.ts'

describe('collaborative text: minimal splices and caret transforms', () => {
  it('finds the typed insert, using the caret for repeated characters', () => {
    expect(diffText('aa', 'aaa', 1)).to.deep.equal({ index: 0, remove: 0, insert: 'a' })
    expect(diffText('Cough.', 'Cough. Fever.', 13)).to.deep.equal({
      index: 6,
      remove: 0,
      insert: ' Fever.',
    })
    expect(diffText('same', 'same')).to.equal(null)
  })

  it('finds deletions and replacements', () => {
    expect(diffText('abc', 'ac', 1)).to.deep.equal({ index: 1, remove: 1, insert: '' })
    expect(diffText('left right', 'left wrong right', 10)).to.deep.equal({
      index: 4,
      remove: 0,
      insert: ' wrong',
    })
    expect(diffText('hello world', 'hello there', 11)).to.deep.equal({
      index: 6,
      remove: 5,
      insert: 'there',
    })
  })

  it('never splits a surrogate pair', () => {
    const splice = diffText('a😀', 'a😃', 3)
    expect(splice).to.deep.equal({ index: 1, remove: 2, insert: '😃' })
  })

  it('[S7] splices of two writers merge where a whole-text replace would lose one', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    a.getText('t').insert(0, 'Cough.')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const apply = (doc: Y.Doc, after: string, caret: number) => {
      const text = doc.getText('t')
      const s = diffText(text.toString(), after, caret)!
      text.delete(s.index, s.remove)
      text.insert(s.index, s.insert)
    }
    apply(a, 'Cough. Fever.', 13)
    apply(b, 'Smoker. Cough.', 8)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    expect(a.getText('t').toString()).to.equal('Smoker. Cough. Fever.')
    expect(b.getText('t').toString()).to.equal('Smoker. Cough. Fever.')
  })

  it('moves a position through inserts and deletes before it, not after it', () => {
    expect(transformPosition(5, [{ insert: 'abc' }])).to.equal(8)
    expect(transformPosition(5, [{ retain: 5 }, { insert: 'abc' }])).to.equal(5)
    expect(transformPosition(5, [{ retain: 6 }, { insert: 'abc' }])).to.equal(5)
    expect(transformPosition(5, [{ retain: 1 }, { delete: 2 }])).to.equal(3)
    expect(transformPosition(5, [{ retain: 3 }, { delete: 4 }])).to.equal(3)
    expect(transformPosition(5, [{ delete: 1 }, { insert: 'xy' }])).to.equal(6)
  })
})
