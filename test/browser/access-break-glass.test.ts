import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import type { UnlockedEvent } from '../../client/access/ss-break-glass-unlock.ts'
import { shortTime } from '../../client/forms/format.ts'
import type { BreakGlassView, StudyAccessView } from '../../shared/access-types.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import '../../client/access/ss-break-glass-banner.ts'
import '../../client/access/ss-break-glass-unlock.ts'
import '../../client/forms/ss-study-form.ts'
import { ApiError } from '../../client/api.ts'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import { accessView, field, fill, iso, openDialog, roleText } from './access-fixture.ts'
import { fakeApi, mount, session } from './desktop-fakes.ts'
import { control, deepText, hasControl, nextEvent } from './dom.ts'
import { fakes } from './forms-helpers.ts'
import { testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const WAIT = { timeout: 4000 }
const REASON = 'Patient in resus, on-call team needs the prior CT'
const clerk: UserIdentity = { id: unique('u-clerk'), name: 'CLERK', role: 'clerk' }
const huyen: UserIdentity = { id: unique('u-huyen'), name: 'HUYEN', role: 'radiologist' }

function unlockView(accession: string, overrides: Partial<BreakGlassView> = {}): BreakGlassView {
  return {
    id: 'bg-7',
    accession,
    user: { id: clerk.id, name: clerk.name },
    at: iso(0),
    reason: REASON,
    expiresAt: iso(4 * 3600_000),
    active: true,
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...overrides,
  }
}

describe('break-the-glass: unlock dialog [S31]', () => {
  async function unlock(impl: Parameters<typeof fakeApi>[0]) {
    const fake = fakeApi(impl)
    const el = await mount<HTMLElement & { updateComplete: Promise<boolean> }>(
      { session: session(clerk), api: fake.api },
      html`<ss-break-glass-unlock accession="A10001"></ss-break-glass-unlock>`,
    )
    control(el, 'Unlock (break the glass)').click()
    await waitUntil(() => openDialog(el) !== null, 'dialog open', WAIT)
    return { el, fake, dialog: openDialog(el)! }
  }

  it('needs a reason of at least 15 characters before it calls the server', async () => {
    const { el, fake, dialog } = await unlock({
      breakGlass: async (acc: string) => ({ breakGlass: unlockView(acc) }),
    })
    const reason = field(dialog, 'Reason for emergency access')
    expect(reason.tagName).to.equal('TEXTAREA')
    control(dialog, 'Unlock').click()
    await waitUntil(() => roleText(dialog, 'alert') !== '', 'message', WAIT)
    expect(roleText(dialog, 'alert')).to.equal(
      'Give a reason of at least 15 characters (0 so far).',
    )
    expect(reason.getAttribute('aria-invalid')).to.equal('true')
    fill(reason, '   urgent   ')
    control(dialog, 'Unlock').click()
    await waitUntil(() => roleText(dialog, 'alert').includes('(6 so far)'), 'trimmed count', WAIT)
    expect(fake.calls).to.deep.equal([])

    fill(reason, `  ${REASON}  `)
    const unlocked = nextEvent<UnlockedEvent>(el, 'ss-unlocked')
    control(dialog, 'Unlock').click()
    expect((await fake.called('breakGlass')).args).to.deep.equal(['A10001', REASON])
    expect((await unlocked).detail.breakGlass.expiresAt).to.equal(unlockView('A10001').expiresAt)
    expect(openDialog(el)).to.equal(null)
  })

  it('shows the server’s refusal in the dialog', async () => {
    const { dialog } = await unlock({
      breakGlass: async () => {
        throw new ApiError(403, 'forbidden', 'Your role cannot break the glass.')
      },
    })
    fill(field(dialog, 'Reason for emergency access'), REASON)
    control(dialog, 'Unlock').click()
    await waitUntil(() => roleText(dialog, 'alert') !== '', 'refusal shown', WAIT)
    expect(roleText(dialog, 'alert')).to.equal('Your role cannot break the glass.')
    expect(dialog.open).to.equal(true)
  })
})

describe('break-the-glass: banner [S31]', () => {
  it('says until when and why, with the exact instant', async () => {
    const active = { expiresAt: iso(2 * 3600_000), reason: REASON }
    const banner = await fixture(
      html`<ss-break-glass-banner .active=${active}></ss-break-glass-banner>`,
    )
    const text = deepText(banner)
    expect(text).to.include(
      `Emergency access (break-the-glass) until ${shortTime(active.expiresAt)} — reason: ${REASON}`,
    )
    expect(banner.shadowRoot!.querySelector('time')!.dateTime).to.equal(active.expiresAt)
    expect(roleText(banner, 'status')).to.include('Emergency access')
  })

  it('shows nothing without an unlock', async () => {
    const banner = await fixture(
      html`<ss-break-glass-banner .active=${null}></ss-break-glass-banner>`,
    )
    expect(deepText(banner)).to.equal('')
  })
})

describe('break-the-glass on the study form [S31]', () => {
  after(async () => {
    await wipeUserDocuments(clerk.id)
    await wipeUserDocuments(huyen.id)
  })

  async function studyForm(accession: string, f: ReturnType<typeof fakes>) {
    const { syncUrl } = await testServer()
    const shell = await fixture(html`<forms-test-shell .fakes=${f}>
      <ss-study-form accession=${accession} .syncUrl=${syncUrl}></ss-study-form>
    </forms-test-shell>`)
    return shell.querySelector('ss-study-form')!
  }

  it('403 on open: "no access" with Unlock; a reason unlocks, the study reloads and the banner shows the expiry', async () => {
    const accession = unique('A')
    const f = fakes(clerk)
    const api = f.api as unknown as Record<string, unknown>
    const base = api.open as (acc: string) => Promise<unknown>
    let unlocked = false
    const breakGlass = unlockView(accession)
    const access: StudyAccessView = { ...accessView(), accession, breakGlass: [breakGlass] }
    Object.assign(api, {
      open: async (acc: string) => {
        if (!unlocked) {
          f.calls.push(`open ${acc} refused`)
          throw new ApiError(403, 'forbidden', `You have no access to study ${acc}.`)
        }
        return base(acc)
      },
      breakGlass: async (acc: string, reason: string) => {
        f.calls.push(`break-glass ${acc} ${reason}`)
        unlocked = true
        return { breakGlass }
      },
      studyAccess: async () => access,
    })
    const form = await studyForm(accession, f)
    await waitUntil(() => hasControl(form, 'Unlock (break the glass)'), 'unlock offered', WAIT)
    expect(roleText(form, 'alert')).to.equal(`You do not have access to study ${accession}.`)
    expect(form.shadowRoot!.querySelector('ss-field')).to.equal(null)

    control(form, 'Unlock (break the glass)').click()
    await waitUntil(() => openDialog(form) !== null, 'dialog open', WAIT)
    fill(field(openDialog(form)!, 'Reason for emergency access'), REASON)
    control(openDialog(form)!, 'Unlock').click()

    await waitUntil(
      () => f.calls.filter((c) => c === `open ${accession}`).length === 1,
      'reopened',
      WAIT,
    )
    expect(f.calls).to.include(`break-glass ${accession} ${REASON}`)
    await waitUntil(() => form.shadowRoot!.querySelector('ss-field') !== null, 'form shown', WAIT)
    const banner = `Emergency access (break-the-glass) until ${shortTime(breakGlass.expiresAt)} — reason: ${REASON}`
    await waitUntil(() => deepText(form).includes(banner), 'banner shown', WAIT)
  })

  it('the banner comes back after a reload from the study’s access list', async () => {
    const accession = unique('A')
    const f = fakes(clerk)
    const access: StudyAccessView = {
      ...accessView(),
      accession,
      breakGlass: [
        unlockView(accession, {
          id: 'old',
          expiresAt: iso(-3600_000),
          active: false,
          reason: 'old one, expired',
        }),
        unlockView(accession),
      ],
    }
    Object.assign(f.api as object, { studyAccess: async () => access })
    const form = await studyForm(accession, f)
    await waitUntil(
      () => deepText(form).includes('Emergency access (break-the-glass) until'),
      'banner',
      WAIT,
    )
    expect(deepText(form)).to.include(`reason: ${REASON}`)
    expect(deepText(form)).to.not.include('old one, expired')
  })

  it('a 4403 close also offers the unlock, under the same message', async () => {
    const accession = unique('forbidden')
    const form = await studyForm(accession, fakes(clerk))
    await waitUntil(() => hasControl(form, 'Unlock (break the glass)'), 'unlock offered', WAIT)
    expect(roleText(form, 'alert')).to.equal(`You do not have access to study ${accession}.`)
  })

  it('the study header links to its Access tab', async () => {
    const accession = unique('A')
    const f = fakes(huyen)
    const form = await studyForm(accession, f)
    await waitUntil(() => hasControl(form, 'Access', 'a'), 'link shown', WAIT)
    const link = control<HTMLAnchorElement>(form, 'Access', 'a')
    expect(link.getAttribute('href')).to.equal(`#/study/${accession}/access`)
    link.click()
    expect(f.calls).to.include('go access')
  })
})
