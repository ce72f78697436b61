import type { CommonQueryMethods, DatabaseTransactionConnection } from 'slonik'
import { expect, inject, test as vitestTest } from 'vitest'
import type { Factories } from '../factories/index.js'
import type { SuiteTransaction } from '../isolation/suite.js'
import type { DstaRunContext } from './options.js'
import { deriveSeed, replayCommand } from './seed.js'

/** The file's connection: inside its transaction (savepoints per test), or its own database's pool. */
type FileConnection =
  | { kind: 'transaction'; suite: SuiteTransaction; connection: DatabaseTransactionConnection; busy: boolean }
  | { kind: 'database'; connection: CommonQueryMethods }

const factoriesModule = () => import('../factories/index.js')

// Loaded by the first fixture of a worker, not at import: `vitest.config.ts` imports this module too,
// and Slonik, pg and the zod schemas would add ~0.4 s to every run's start.
async function loadRuntime() {
  const [suite, fileState, worker] = await Promise.all([
    import('../isolation/suite.js'),
    import('./file-state.js'),
    import('./worker.js'),
  ])
  return { ...suite, ...fileState, ...worker }
}
let runtime: Awaited<ReturnType<typeof loadRuntime>> | undefined

/** The runtime modules; every fixture depends on `dstaRun`, which loads them. */
function loaded() {
  if (!runtime) throw new Error('dsta-db: internal error, the dstaRun fixture has not run')
  return runtime
}

function runContext(): DstaRunContext {
  const context = inject('dstaDb')
  if (!context)
    throw new Error(
      "dsta-db: no database for this run. Add dstaDb() to the plugins of vitest.config.ts (import { dstaDb } from 'dsta-db/vitest').",
    )
  return context
}

function currentFile(): string {
  const path = expect.getState().testPath
  if (!path) throw new Error('dsta-db: the database fixtures need a test file')
  return path
}

/** Builds `test` with the dsta-db fixtures, when a test file loads `dsta-db/vitest` (see index.ts). */
export function buildTest() {
  return (
    vitestTest
      // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a fixture's dependencies from this pattern
      .extend('dstaRun', { scope: 'worker' }, async ({}, { onCleanup }) => {
        const context = runContext()
        runtime ??= await loadRuntime()
        onCleanup(runtime.closeWorkerConnections)
        return context
      })
      .extend('databaseUrl', { scope: 'file' }, async ({ dstaRun }) => {
        return loaded().fileDatabase(currentFile())?.url ?? loaded().slotPool(dstaRun).url
      })
      .extend('dstaFile', { scope: 'file' }, async ({ dstaRun }, { onCleanup }): Promise<FileConnection> => {
        const own = loaded().fileDatabase(currentFile())
        if (own) return { kind: 'database', connection: await own.pool } // the setup file drops it
        const suite = await loaded().beginSuiteTransaction(await loaded().slotPool(dstaRun).pool)
        onCleanup(() => suite.end())
        return { kind: 'transaction', suite, connection: suite.connection, busy: false }
      })
      .extend(
        'fileDb',
        { scope: 'file' },
        async ({ dstaFile }): Promise<CommonQueryMethods> =>
          dstaFile.kind === 'transaction' ? dstaFile.suite.fileConnection : dstaFile.connection,
      )
      .extend('seed', { auto: true }, async ({ dstaRun, task, onTestFailed }) => {
        const file = task.file.name
        const seed = deriveSeed(dstaRun.baseSeed, file, task.fullTestName)
        onTestFailed(() => {
          const own = loaded().fileDatabase(task.file.filepath)
          if (own) own.failed = true
          const note = `\n\ndsta-db seed ${seed} (base ${dstaRun.baseSeed}); replay: ${replayCommand(dstaRun.baseSeed, file, task.fullTestName)}`
          for (const error of task.result?.errors ?? []) {
            if (error.message.includes(note)) continue
            // The message feeds the console reporter; the stack feeds JSON / JUnit reporters.
            if (error.stack?.includes(error.message))
              error.stack = error.stack.replace(error.message, () => error.message + note)
            error.message += note
          }
        })
        return seed
      })
      .extend('db', async ({ dstaFile }, { onCleanup }): Promise<CommonQueryMethods> => {
        if (dstaFile.kind === 'database') return dstaFile.connection
        if (dstaFile.busy)
          throw new Error(
            'dsta-db: the tests of a file share its transaction, so the db fixture runs them one at a time; ' +
              'for test.concurrent put `// @dsta-isolation database` at the top of the file',
          )
        dstaFile.busy = true
        await dstaFile.suite.beginTest()
        onCleanup(() => {
          dstaFile.busy = false
          dstaFile.suite.endTest() // the rollback rides on the next test's SAVEPOINT
        })
        return dstaFile.connection
      })
      // Loaded on first use: faker's locale data is heavy, and most files never need it.
      .extend(
        'factories',
        async ({ db, seed }): Promise<Factories> => (await factoriesModule()).createFactories(db, { seed }),
      )
      // Its own stream: a test's faker calls do not shift the rows its factories make.
      .extend('faker', async ({ seed }) => (await factoriesModule()).createSeededFaker(seed))
  )
}

export type DstaTest = ReturnType<typeof buildTest>
