/**
 * Mocha's globals, typed locally: WTR loads mocha into the page, and importing them
 * from here (instead of ambient @types/mocha, not installed) keeps the vitest suites
 * from seeing a global `describe` by accident.
 */
type Done = (error?: unknown) => void
type Test = (this: unknown, done: Done) => unknown
type AsyncTest = (this: unknown) => unknown

interface MochaGlobals {
  describe(title: string, body: () => void): void
  it(title: string, test: AsyncTest | Test): void
  before(hook: AsyncTest): void
  after(hook: AsyncTest): void
  beforeEach(hook: AsyncTest): void
  afterEach(hook: AsyncTest): void
}

const mocha = globalThis as unknown as MochaGlobals

export const describe = mocha.describe.bind(mocha)
export const it = mocha.it.bind(mocha)
export const before = mocha.before.bind(mocha)
export const after = mocha.after.bind(mocha)
export const beforeEach = mocha.beforeEach.bind(mocha)
export const afterEach = mocha.afterEach.bind(mocha)
