import { expect } from '@open-wc/testing'
import * as Y from 'yjs'
import { minimalEdit, transformPosition } from '../../client/text/text-diff.ts'
import { describe, it } from './mocha.ts'

describe('collaborative text: minimal edits and caret transforms', () => {
  it('minimalEdit returns null when nothing changed', () => {
    expect(minimalEdit('same', 'same')).to.equal(null)
    expect(minimalEdit('abc', 'abc')).to.equal(null)
  })

  it('minimalEdit finds the typed insert, using the caret for repeated characters', () => {
    expect(minimalEdit('aa', 'aaa', 1), 'typed at the start').to.deep.equal({
      index: 0,
      remove: 0,
      insert: 'a',
    })
    expect(minimalEdit('Cough.', 'Cough. Fever.', 13)).to.deep.equal({
      index: 6,
      remove: 0,
      insert: ' Fever.',
    })
    expect(minimalEdit('hello world', 'hello big world', 10)).to.deep.equal({
      index: 6,
      remove: 0,
      insert: 'big ',
    })
  })

  it('minimalEdit: a caret that does not fit never makes the edit larger', () => {
    expect(minimalEdit('hello world', 'hello big world', 15)).to.deep.equal({
      index: 5,
      remove: 0,
      insert: ' big',
    })
  })

  it('minimalEdit finds deletions and replacements', () => {
    expect(minimalEdit('abc', 'ac', 1)).to.deep.equal({ index: 1, remove: 1, insert: '' })
    expect(minimalEdit('aaa', 'aa', 2), 'backspace at the end').to.deep.equal({
      index: 2,
      remove: 1,
      insert: '',
    })
    expect(minimalEdit('left right', 'left wrong right', 10)).to.deep.equal({
      index: 4,
      remove: 0,
      insert: ' wrong',
    })
    expect(minimalEdit('hello world', 'hello there', 11)).to.deep.equal({
      index: 6,
      remove: 5,
      insert: 'there',
    })
  })

  it('minimalEdit never splits a surrogate pair', () => {
    // 😀 and 😃 share their high surrogate: replace the whole pair.
    expect(minimalEdit('a😀', 'a😃', 3)).to.deep.equal({ index: 1, remove: 2, insert: '😃' })
    expect(minimalEdit('x😀', 'x😃')).to.deep.equal({ index: 1, remove: 2, insert: '😃' })
  })

  it('[S7] minimal edits of two writers merge where a whole-text replace would lose one', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    a.getText('t').insert(0, 'Cough.')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const apply = (doc: Y.Doc, after: string, caret: number) => {
      const text = doc.getText('t')
      const edit = minimalEdit(text.toString(), after, caret)!
      text.delete(edit.index, edit.remove)
      text.insert(edit.index, edit.insert)
    }
    apply(a, 'Cough. Fever.', 13)
    apply(b, 'Smoker. Cough.', 8)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    expect(a.getText('t').toString()).to.equal('Smoker. Cough. Fever.')
    expect(b.getText('t').toString()).to.equal('Smoker. Cough. Fever.')
  })

  it('transformPosition moves a caret through inserts and deletes before it, not after it', () => {
    expect(transformPosition(5, [{ insert: 'abc' }])).to.equal(8)
    expect(transformPosition(5, [{ retain: 6 }, { insert: 'abc' }])).to.equal(5)
    expect(transformPosition(5, [{ retain: 1 }, { delete: 2 }])).to.equal(3)
    expect(transformPosition(5, [{ retain: 3 }, { delete: 4 }])).to.equal(3)
    expect(transformPosition(5, [{ retain: 3 }, { delete: 10 }])).to.equal(3)
    expect(transformPosition(5, [{ delete: 1 }, { insert: 'xy' }])).to.equal(6)
  })

  it('transformPosition: text inserted exactly at the caret goes before it', () => {
    expect(transformPosition(5, [{ retain: 5 }, { insert: 'abc' }])).to.equal(8)
  })
})
