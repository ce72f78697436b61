import type * as Vitest from 'vitest'
import type * as ChartOnFailure from './chart-on-failure.js'
import type { DstaTest } from './fixtures.js'
import type * as Plugin from './plugin.js'
import { inTestWorker, notInConfig, notInTestFile } from './where.js'

export type { ChartOnFailureOptions } from './chart-on-failure.js'
export type { PlanQuery } from './matchers.js'
export type { DstaDbOptions, DstaRunContext, Isolation } from './options.js'
export { DEFAULT_SEED, deriveSeed, replayCommand } from './seed.js'
export type { DstaTest }

// This module is evaluated in two places. `vitest.config.ts` imports it for `dstaDb()`: there, nothing
// of Vitest's runtime may load (Vitest 3 refuses a config that imports `vitest`, Vitest 5 refuses
// `test.extend()` outside a test file). A test file imports it for `test`: there, `test` must be built
// now, at the top level, because Vitest refuses worker-scoped fixtures defined inside a `describe`.
// Each place loads only its own modules: every isolated test file pays for what its worker loads.
const runtime = inTestWorker()
  ? { vitest: await import('vitest'), fixtures: await import('./fixtures.js') }
  : undefined
const config = runtime ? undefined : await import('./plugin.js')

/**
 * The Vitest plugin, for `plugins: [dstaDb()]` in `vitest.config.ts`.
 * A test file gets a stand-in that explains itself: the plugin's modules are not loaded there.
 */
export const dstaDb: typeof Plugin.dstaDb = config ? config.dstaDb : notInConfig('dstaDb')

/**
 * Vitest's `test` with the fixtures `pool`, `filePool`, `db`, `fileDb`, `seed`, `faker`, `factories`,
 * `databaseUrl`.
 * Built when a test file imports this module; `vitest.config.ts` gets a stand-in that explains itself.
 */
export const test: DstaTest = runtime ? runtime.fixtures.buildTest() : notInTestFile('test')
export const it: DstaTest = test

// Vitest's own helpers, so a test file needs one import. Outside a test worker they are stand-ins.
const vitest = runtime?.vitest
export const describe: typeof Vitest.describe = vitest?.describe ?? notInTestFile('describe')
export const expect: typeof Vitest.expect = vitest?.expect ?? notInTestFile('expect')
export const beforeAll: typeof Vitest.beforeAll = vitest?.beforeAll ?? notInTestFile('beforeAll')
export const afterAll: typeof Vitest.afterAll = vitest?.afterAll ?? notInTestFile('afterAll')
export const beforeEach: typeof Vitest.beforeEach = vitest?.beforeEach ?? notInTestFile('beforeEach')
export const afterEach: typeof Vitest.afterEach = vitest?.afterEach ?? notInTestFile('afterEach')
export const onTestFailed: typeof Vitest.onTestFailed = vitest?.onTestFailed ?? notInTestFile('onTestFailed')
export const inject: typeof Vitest.inject = vitest?.inject ?? notInTestFile('inject')
export const vi: typeof Vitest.vi = vitest?.vi ?? notInTestFile('vi')

/** Draws a test's database into an HTML chart and attaches it to the test (see `chartOnFailure`). */
export const attachChart: typeof ChartOnFailure.attachChart = async (...args) =>
  (await import('./chart-on-failure.js')).attachChart(...args)
