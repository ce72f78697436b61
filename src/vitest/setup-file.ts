// Runs in the worker before each test file (wired by dstaDb()). A `database`-isolation file gets its
// clone here, and DATABASE_URL pointing at it, before the test file is imported (for code under test
// that opens its pool at import time). A `transaction` file that looks like it uses the database gets
// its connection and BEGIN started here, not awaited: they overlap the import of the test file.
import { readFile } from 'node:fs/promises'
import { afterAll, expect, inject } from 'vitest'
import { registerChartOnFailure } from './chart-on-failure.js'
import { fileIsolation } from './isolation-mark.js'
import { registerPlanMatchers } from './matchers.js'

// Only a head start: a file that uses a fixture without naming it here still gets it, on first use.
const USES_DATABASE = /\b(db|fileDb|pool|filePool|factories)\b/

const context = inject('dstaDb')
const path = expect.getState().testPath

if (context && path) {
  if ((await fileIsolation(path, context.isolation)) === 'database') {
    const { closeFileDatabase, openFileDatabase } = await import('./file-state.js')
    await openFileDatabase(context, path)
    afterAll(() => closeFileDatabase(context, path))
  } else if (USES_DATABASE.test(await readFile(path, 'utf8'))) {
    const { endFileTransaction, fileTransaction } = await import('./worker.js')
    void fileTransaction(context, path)
    afterAll(() => endFileTransaction(path))
  }
}

registerChartOnFailure()
registerPlanMatchers()
