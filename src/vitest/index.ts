import { buildTest, type DstaTest } from './fixtures.js'

export {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  inject,
  onTestFailed,
  vi,
} from 'vitest'
export { attachChart, type ChartOnFailureOptions } from './chart-on-failure.js'
export type { DstaDbOptions, DstaRunContext, Isolation } from './options.js'
export { dstaDb } from './plugin.js'
export { DEFAULT_SEED, deriveSeed, replayCommand } from './seed.js'
export type { DstaTest }

let built: DstaTest | undefined

function extended(): DstaTest {
  built ??= buildTest()
  return built
}

/**
 * Vitest's `test` with the fixtures `db`, `fileDb`, `seed`, `faker`, `databaseUrl`. Built on first use,
 * because `test.extend` only works inside a test file and `vitest.config.ts` imports this module too.
 */
export const test: DstaTest = new Proxy((() => {}) as unknown as DstaTest, {
  get: (_target, property) => Reflect.get(extended(), property),
  apply: (_target, _this, args: unknown[]) => Reflect.apply(extended() as never, undefined, args),
})
export { test as it }
