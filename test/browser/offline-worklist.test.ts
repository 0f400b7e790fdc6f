import { expect } from '@open-wc/testing'
import { ApiError } from '../../client/api.ts'
import type { StudySyncApi } from '../../client/app/contexts.ts'
import { wipeUserDocuments } from '../../client/connection/index.ts'
import {
  WorklistCache,
  type WorklistSource,
  withOfflineWorklist,
} from '../../client/offline/worklist-cache.ts'
import type { WorklistRow } from '../../shared/api-types.ts'
import { unique } from './helpers.ts'
import { after, describe, it } from './mocha.ts'

const ROWS = [{ accession: 'A10001' }] as unknown as WorklistRow[]

function api(worklist: () => Promise<{ rows: WorklistRow[] }>): StudySyncApi {
  return { worklist, users: async () => ({ users: [] }) } as unknown as StudySyncApi
}

describe('offline worklist per user [S29]', () => {
  const bose = unique('u-bose')
  const huyen = unique('u-huyen')
  after(async () => {
    await wipeUserDocuments(bose)
    await wipeUserDocuments(huyen)
  })

  it("[S29] keeps the user's last worklist and shows it when the server cannot be reached", async () => {
    const sources: WorklistSource[] = []
    let online = true
    const server = api(async () => {
      if (!online) throw new TypeError('Failed to fetch')
      return { rows: ROWS }
    })
    const wrapped = withOfflineWorklist(server, new WorklistCache(bose), (s) => sources.push(s))
    expect((await wrapped.worklist()).rows).to.deep.equal(ROWS)
    online = false
    expect((await wrapped.worklist()).rows).to.deep.equal(ROWS)
    expect(sources.map((s) => s.kind)).to.deep.equal(['server', 'device'])
    expect(await wrapped.users()).to.deep.equal({ users: [] })
  })

  it('[S29] another user on the same device gets nothing of it', async () => {
    const offline = api(async () => {
      throw new TypeError('Failed to fetch')
    })
    const wrapped = withOfflineWorklist(offline, new WorklistCache(huyen), () => {})
    const error = await wrapped.worklist().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(TypeError)
  })

  it("an answer from the server (an error) is not replaced by the device's copy", async () => {
    const refusing = api(async () => {
      throw new ApiError(401, 'unauthenticated', 'sign in')
    })
    const wrapped = withOfflineWorklist(refusing, new WorklistCache(bose), () => {})
    const error = await wrapped.worklist().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(ApiError)
  })
})
