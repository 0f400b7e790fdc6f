import { expect, fixture, html } from '@open-wc/testing'
import * as Y from 'yjs'
import type { SsReportEditor } from '../../client/desktop/ss-report-editor.ts'
import '../../client/desktop/ss-report-editor.ts'
import { labelled, type } from './desktop-fakes.ts'
import { describe, it } from './mocha.ts'

async function editorOn(text: Y.Text, readonly = false) {
  const el = await fixture<SsReportEditor>(
    html`<ss-report-editor .text=${text} ?readonly=${readonly}></ss-report-editor>`,
  )
  return { el, area: labelled<HTMLTextAreaElement>(el.shadowRoot!, 'Report') }
}

/** Two replicas that exchange nothing until `sync()`: concurrent edits. */
function replicas() {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const sync = () => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
  }
  return { a: a.getText('body'), b: b.getText('body'), sync }
}

describe('report editor: a textarea over the Y.Text `body`', () => {
  it('S7: two people typing in the report at once both keep their text (minimal diffs merge)', async () => {
    const { a, b, sync } = replicas()
    a.insert(0, 'FINDINGS:\nIMPRESSION:\n')
    sync()
    const first = await editorOn(a)
    const second = await editorOn(b)
    expect(second.area.value).to.equal('FINDINGS:\nIMPRESSION:\n')

    type(first.area, 'FINDINGS: clear lungs\nIMPRESSION:\n', 21)
    type(second.area, 'FINDINGS:\nIMPRESSION: normal\n', 28)
    sync()

    const merged = 'FINDINGS: clear lungs\nIMPRESSION: normal\n'
    expect(a.toString()).to.equal(merged)
    expect(first.area.value).to.equal(merged)
    expect(second.area.value).to.equal(merged)
  })

  it('a remote edit before the caret keeps the caret on the same character', async () => {
    const { a, b, sync } = replicas()
    a.insert(0, 'IMPRESSION: normal')
    sync()
    const { area } = await editorOn(b)
    area.focus()
    area.setSelectionRange(12, 12) // before "normal"

    a.insert(0, 'URGENT ')
    sync()

    expect(area.value).to.equal('URGENT IMPRESSION: normal')
    expect(area.selectionStart).to.equal(19)
  })

  it('read-only: the field cannot be edited, remote text still shows', async () => {
    const { a, b, sync } = replicas()
    const { area } = await editorOn(b, true)
    expect(area.readOnly).to.equal(true)

    type(area, 'should not be written')
    expect(b.toString()).to.equal('')

    a.insert(0, 'from the holder')
    sync()
    expect(area.value).to.equal('from the holder')
  })

  it('rebinds when the document is replaced (after a 4409 reset)', async () => {
    const { a, b } = replicas()
    a.insert(0, 'old')
    const { el, area } = await editorOn(a)
    b.insert(0, 'fresh')

    el.text = b
    await el.updateComplete
    expect(area.value).to.equal('fresh')

    a.insert(0, 'ignored ')
    expect(area.value).to.equal('fresh')
  })
})
