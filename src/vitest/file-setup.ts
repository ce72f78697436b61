// The per-file setup, called by setup-file.ts before each test file. A `database`-isolation file gets
// its clone here, and DATABASE_URL pointing at it, before the test file is imported (for code under
// test that opens its pool at import time). A `transaction` file that looks like it uses the database
// gets its connection and BEGIN started here, pg's import included, not awaited: they overlap the
// import of the test file.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeEach, expect, inject } from 'vitest'
import { endFileTransaction, takeFileTransaction } from './file-transactions.js'
import { isolationOf } from './isolation-mark.js'
import { registerPlanMatchers } from './matchers.js'

// Only a head start: a file that uses a fixture without naming it here still gets it, on first use.
const USES_DATABASE = /\b(db|fileDb|pool|filePool|factories)\b/

export async function setUpFile(): Promise<void> {
  const context = inject('dstaDb')
  const path = expect.getState().testPath
  if (context && path) {
    const text = await readFile(path, 'utf8')
    if (isolationOf(text, path, context.isolation) === 'database') {
      const { closeFileDatabase, openFileDatabase } = await import('./file-state.js')
      const own = await openFileDatabase(context, path)
      // Any failed test keeps the file's database (keepFailed), whether or not it used a fixture.
      beforeEach(({ onTestFailed }) =>
        onTestFailed(() => {
          own.failed = true
        }),
      )
      afterAll(() => closeFileDatabase(context, path))
    } else if (USES_DATABASE.test(text)) {
      takeFileTransaction(path, context, async () =>
        (await import('./worker.js')).beginFileTransaction(context),
      )
      // What the test file's import of dsta-db/vitest and its first fixture load (Vitest's fixtures
      // built, the runtime modules), loaded now: meanwhile Vitest waits for its main process to send
      // the test file, where they would cost each file ~20 ms more on the way.
      void import('./index.js')
        .then(() => import('./fixtures.js'))
        .then((fixtures) => fixtures.preloadRuntime())
        .catch(() => {}) // the test file's own import reports what failed
      afterAll(() => endFileTransaction(path))
    }
  }
  // Loaded only when asked for: every module costs each isolated file its load.
  if (inject('dstaDbOptions')?.chartOnFailure)
    (await import('./chart-on-failure.js')).registerChartOnFailure()
  registerPlanMatchers()
}
