import { expect, fixture, html, waitUntil } from '@open-wc/testing'
import type { ApiClient, Session } from '../../client/api.ts'
import { documentDatabaseName, wipeUserDocuments } from '../../client/connection/index.ts'
import type { UserIdentity } from '../../shared/domain.ts'
import '../../client/components/ss-app.ts'
import type { SsApp } from '../../client/components/ss-app.ts'
import { databaseNames, testServer, unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

function fakeApi(user: UserIdentity) {
  const calls: string[] = []
  const api: ApiClient = {
    me: async () => {
      calls.push('me')
      return null
    },
    login: async (username, password): Promise<Session> => {
      calls.push(`login ${username}/${password}`)
      return { token: 't', user }
    },
    logout: async () => {
      calls.push('logout')
    },
  }
  return { api, calls }
}

/** Finds an input by the text of its <label for>, as assistive technology does. */
function inputLabelled(root: ParentNode, text: string): HTMLInputElement {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent?.trim() === text)
  const input = label?.htmlFor ? root.querySelector(`#${label.htmlFor}`) : null
  if (!(input instanceof HTMLInputElement)) throw new Error(`no input labelled ${text}`)
  return input
}

function button(root: ParentNode, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)
  if (found === undefined) throw new Error(`no button ${name}`)
  return found
}

const text = (el: SsApp) => el.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? ''

describe('placeholder page <ss-app>', () => {
  const user: UserIdentity = { id: unique('u-bose'), name: 'BOSE', role: 'radiologist' }
  after(() => wipeUserDocuments(user.id))

  it('signs in through the labelled form, shows who and the live status, and signing out wipes local documents', async () => {
    const server = await testServer()
    const { api, calls } = fakeApi(user)
    const el = await fixture<SsApp>(html`<ss-app .api=${api} .syncUrl=${server.syncUrl}></ss-app>`)
    await waitUntil(() => el.shadowRoot?.querySelector('ss-login-form'), 'login form shown')
    const form = el.shadowRoot!.querySelector('ss-login-form')!
    await form.updateComplete
    const formRoot = form.shadowRoot!

    inputLabelled(formRoot, 'Username').value = 'bose'
    inputLabelled(formRoot, 'Password').value = 'demo'
    button(formRoot, 'Sign in').click()

    await waitUntil(() => text(el).includes('Signed in as BOSE (radiologist)'), 'signed in')
    expect(calls).to.include('login bose/demo')
    await waitUntil(() => text(el).includes('Connection: Online, up to date'), 'worklist synced')
    const status = el.shadowRoot!.querySelector('[role="status"]')
    expect(status?.getAttribute('aria-live')).to.equal('polite')
    const worklistDb = documentDatabaseName(user.id, 'worklist')
    expect(await databaseNames()).to.include(worklistDb)

    button(el.shadowRoot!, 'Sign out').click()

    await waitUntil(() => el.shadowRoot?.querySelector('ss-login-form'), 'back to the login form')
    expect(calls).to.include('logout')
    expect(await databaseNames()).to.not.include(worklistDb)
  })
})
