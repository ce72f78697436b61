// The per-file setup, called by setup-file.ts before each test file. A `database`-isolation file gets
// its clone here, and DATABASE_URL pointing at it, before the test file is imported (for code under
// test that opens its pool at import time). A `transaction` file that looks like it uses the database
// gets its connection and BEGIN started here, pg's import included, not awaited: they overlap the
// import of the test file.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeEach, expect, inject } from 'vitest'
import type { FileDatabase } from './file-databases.js'
import { endFileTransaction, takeFileTransaction } from './file-transactions.js'
import { isolationOf } from './isolation-mark.js'
import { registerPlanMatchers } from './matchers.js'
import { noteReplay } from './seed.js'

// Only a head start: a file that uses a fixture without naming it here still gets it, on first use.
const USES_DATABASE = /\b(db|fileDb|pool|filePool|factories)\b/
// A test or hook that takes `db` / `fileDb` (`({ db })`, `({ pool, fileDb: f })`): Slonik will be needed.
const TAKES_SLONIK = /[{,]\s*(db|fileDb)\s*[,}:]/

export async function setUpFile(): Promise<void> {
  const context = inject('dstaDb')
  const path = expect.getState().testPath
  let own: FileDatabase | undefined
  if (context && path) {
    const text = await readFile(path, 'utf8')
    if (isolationOf(text, path, context.isolation) === 'database') {
      const { closeFileDatabase, openFileDatabase } = await import('./file-state.js')
      own = await openFileDatabase(context, path)
      afterAll(() => closeFileDatabase(context, path))
    } else if (USES_DATABASE.test(text)) {
      takeFileTransaction(path, context, async () =>
        (await import('./worker.js')).beginFileTransaction(context),
      )
      // Once the connection is under way (worker.js starts it), what the test file's import of
      // dsta-db/vitest and its first fixture load: Vitest's fixtures built, the runtime modules,
      // Slonik for a file that takes `db`. Meanwhile Vitest waits for its main process to send the
      // test file; on the test file's way they cost each file ~20 ms (Slonik more) in line.
      // (A failure is reported by the test file's own import, or by the fixture.)
      void import('./worker.js').then(() => preload(TAKES_SLONIK.test(text))).catch(() => {})
      afterAll(() => endFileTransaction(path))
    }
  }
  // Every failed test ends with its seed and its replay command, fixtures or not (one hook per test,
  // cheaper than an automatic fixture); a failed test keeps its `database` file's clone (keepFailed).
  if (context)
    beforeEach(({ task, onTestFailed }) =>
      onTestFailed(() => {
        if (own) own.failed = true
        noteReplay(context.baseSeed, task)
      }),
    )
  // Loaded only when asked for: every module costs each isolated file its load.
  if (inject('dstaDbOptions')?.chartOnFailure)
    (await import('./chart-on-failure.js')).registerChartOnFailure()
  registerPlanMatchers()
}

async function preload(slonik: boolean): Promise<void> {
  await import('./index.js')
  await (await import('./fixtures.js')).preloadRuntime()
  if (slonik) {
    await (await import('../schema/slonik.js')).slonik()
    await import('../isolation/suite-slonik.js')
  }
}
