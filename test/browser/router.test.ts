import { expect } from '@open-wc/testing'
import type { Route } from '../../client/app/contexts.ts'
import { parseRoute, routeHash } from '../../client/app/router.ts'
import { describe, it } from './mocha.ts'

describe('hash routes', () => {
  const table: [string, Route][] = [
    ['#/worklist', { page: 'worklist' }],
    ['#/study/A10005', { page: 'study', accession: 'A10005' }],
    ['#/study/A10005/desktop', { page: 'desktop', accession: 'A10005' }],
    ['#/patient/P-1.2', { page: 'patient', patientId: 'P-1.2' }],
    ['#/admin/presence', { page: 'presence' }],
  ]
  for (const [hash, route] of table) {
    it(`${hash} ⇄ ${route.page}`, () => {
      expect(parseRoute(hash)).to.deep.equal(route)
      expect(routeHash(route)).to.equal(hash)
    })
  }

  it('sends anything else to the worklist', () => {
    for (const hash of [
      '',
      '#',
      '#/',
      '#/study',
      '#/study/A1/report',
      '#/study/%2E%2E',
      '#/patient/a%20b',
      '#/admin',
      '#/x/y',
      '#/study/%E0%A4%A',
    ])
      expect(parseRoute(hash), hash).to.deep.equal({ page: 'worklist' })
  })
})
