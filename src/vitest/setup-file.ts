// Runs in the worker before each test file (wired by dstaDb()). Only `database`-isolation files need
// work here: their clone must exist and DATABASE_URL point at it before the test file is imported,
// for code under test that opens its pool at import time.
import { afterAll, expect, inject } from 'vitest'
import { registerChartOnFailure } from './chart-on-failure.js'
import { fileIsolation } from './isolation-mark.js'
import { registerPlanMatchers } from './matchers.js'

const context = inject('dstaDb')
const path = expect.getState().testPath

if (context && path && (await fileIsolation(path, context.isolation)) === 'database') {
  // Loaded only here: a `transaction` file's setup stays free of Slonik and pg.
  const { closeFileDatabase, openFileDatabase } = await import('./file-state.js')
  await openFileDatabase(context, path)
  afterAll(() => closeFileDatabase(context, path))
}

registerChartOnFailure()
registerPlanMatchers()
