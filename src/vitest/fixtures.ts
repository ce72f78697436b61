import type pg from 'pg'
import type { CommonQueryMethods } from 'slonik'
import { expect, inject, test as vitestTest } from 'vitest'
import type { Factories } from '../factories/index.js'
import type { SuiteTransaction } from '../isolation/suite.js'
import type { SuiteSlonik } from '../isolation/suite-slonik.js'
import { type FileDatabase, fileDatabase } from './file-databases.js'
import type { DstaRunContext } from './options.js'
import { deriveSeed } from './seed.js'

/**
 * The file's connection: its transaction on the worker slot's client (savepoints per test), or its
 * own database. The query layers are made on first use: Slonik only when `db` or `fileDb` is used.
 */
type FileConnection =
  | {
      kind: 'transaction'
      suite: SuiteTransaction
      url: string
      slonik?: Promise<SuiteSlonik>
      busy: boolean
    }
  | { kind: 'database'; own: FileDatabase; pgPool?: pg.Pool }

// Loaded by the first fixture of a worker, not at import: `vitest.config.ts` imports this module too.
// pg and these small modules only: Slonik, zod and Faker load when a fixture needs them, and
// file-state.ts (a `database` file's clone) in the setup file of such a file alone.
async function loadRuntime() {
  const [worker, pools] = await Promise.all([import('./worker.js'), import('../isolation/savepoint-pool.js')])
  return { ...worker, ...pools }
}
let runtime: Awaited<ReturnType<typeof loadRuntime>> | undefined
let loading: Promise<Awaited<ReturnType<typeof loadRuntime>>> | undefined

/** Loads the runtime modules now (the setup file does, while Vitest fetches the test file). */
export function preloadRuntime(): Promise<unknown> {
  loading ??= loadRuntime().then((loaded) => (runtime = loaded))
  return loading
}

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

/** Slonik over the file's transaction, made on the first `db` / `fileDb` of the file. */
function slonikOf(file: FileConnection & { kind: 'transaction' }): Promise<SuiteSlonik> {
  file.slonik ??= import('../isolation/suite-slonik.js').then((m) => m.suiteSlonik(file.suite, file.url))
  return file.slonik
}

/**
 * A Slonik connection on what the test used, whichever fixture it asked for (`db`, `pool`,
 * `factories`): for code that looks at a test's rows after it, e.g. the chart of a failed test.
 * Undefined when the test used no database fixture.
 */
export async function testConnection(context: object): Promise<CommonQueryMethods | undefined> {
  const test = (context as { dstaTest?: FileConnection }).dstaTest
  if (!test) return undefined
  return test.kind === 'database' ? test.own.slonik() : (await slonikOf(test)).connection
}

/** Under `database` isolation, `pool` is a real pg.Pool on the file's database (its `end()` is the file's). */
async function pgPoolOf(file: FileConnection & { kind: 'database' }): Promise<pg.Pool> {
  if (!file.pgPool) {
    const { default: pgModule } = await import('pg')
    const pool = new pgModule.Pool({ connectionString: file.own.url, max: 4 })
    pool.on('error', () => {}) // idle clients of a database dropped at the file's end
    const end = pool.end.bind(pool)
    pool.end = (() => Promise.resolve()) as typeof pool.end
    file.pgPool = Object.assign(pool, { dstaEnd: end })
  }
  return file.pgPool
}

interface TaskTree {
  id: string
  type: string
  fullTestName: string
  tasks?: TaskTree[]
}

/** Every test of a file as collected, skipped and filtered-out ones too, in file order. */
function testsOf(file: { tasks: readonly object[] }): TaskTree[] {
  const walk = (tasks: readonly TaskTree[]): TaskTree[] =>
    tasks.flatMap((task) => (task.type === 'test' ? [task] : walk(task.tasks ?? [])))
  return walk(file.tasks as TaskTree[])
}

/** Builds `test` with the dsta-db fixtures, when a test file loads `dsta-db/vitest` (see index.ts). */
export function buildTest() {
  return (
    vitestTest
      // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a fixture's dependencies from this pattern
      .extend('dstaRun', { scope: 'worker' }, async ({}, { onCleanup }) => {
        const context = runContext()
        await preloadRuntime()
        onCleanup(loaded().closeWorkerConnections)
        return context
      })
      .extend('databaseUrl', { scope: 'file' }, async ({ dstaRun }) => {
        return fileDatabase(currentFile())?.url ?? loaded().slotClient(dstaRun).url
      })
      .extend('dstaFile', { scope: 'file' }, async ({ dstaRun }, { onCleanup }): Promise<FileConnection> => {
        const path = currentFile()
        const own = fileDatabase(path)
        if (own) {
          const file: FileConnection = { kind: 'database', own }
          onCleanup(async () => {
            await (file.pgPool as (pg.Pool & { dstaEnd?: () => Promise<void> }) | undefined)?.dstaEnd?.()
          }) // the setup file drops the database
          return file
        }
        const suite = await loaded().fileTransaction(dstaRun, path)
        const file: FileConnection = {
          kind: 'transaction',
          suite,
          url: loaded().slotClient(dstaRun).url,
          busy: false,
        }
        onCleanup(async () => {
          if (file.slonik) await (await file.slonik).end()
          await loaded().endFileTransaction(path)
        })
        return file
      })
      .extend('fileDb', { scope: 'file' }, async ({ dstaFile }): Promise<CommonQueryMethods> => {
        if (dstaFile.kind === 'database') return dstaFile.own.slonik()
        return (await slonikOf(dstaFile)).fileConnection
      })
      .extend('filePool', { scope: 'file' }, async ({ dstaFile }): Promise<pg.Pool> => {
        if (dstaFile.kind === 'database') return pgPoolOf(dstaFile)
        return new (loaded().SavepointPool)(dstaFile.suite.fileLink)
      })
      // Not automatic: an auto fixture costs every test (≈ 0.3 ms). The replay note of a failed test is
      // added by the setup file, for every test; a failed `database` file is marked there too.
      .extend('seed', async ({ dstaRun, task }) =>
        deriveSeed(dstaRun.baseSeed, task.file.name, task.fullTestName),
      )
      // The test's savepoint, opened once for whichever of `db`, `pool`, `factories` the test uses.
      .extend('dstaTest', async ({ dstaFile, task }, { onCleanup }): Promise<FileConnection> => {
        if (dstaFile.kind === 'database') return dstaFile
        if (dstaFile.busy)
          throw new Error(
            'dsta-db: the tests of a file share its transaction, so the db and pool fixtures run them one at a time; ' +
              'for test.concurrent put `// @dsta-isolation database` at the top of the file',
          )
        dstaFile.busy = true
        try {
          await dstaFile.suite.beginTest()
        } catch (error) {
          dstaFile.busy = false // a failed start (the server gone…) must not read as test.concurrent later
          throw error
        }
        onCleanup(() => {
          dstaFile.busy = false
          // The rollback rides on the next test's SAVEPOINT; a test that ended the file's
          // transaction (COMMIT, ROLLBACK) fails here with FileTransactionEndedError.
          dstaFile.suite.endTest(task.fullTestName)
        })
        return dstaFile
      })
      .extend('db', async ({ dstaTest }): Promise<CommonQueryMethods> => {
        if (dstaTest.kind === 'database') return dstaTest.own.slonik()
        return (await slonikOf(dstaTest)).connection
      })
      .extend('pool', async ({ dstaTest }): Promise<pg.Pool> => {
        if (dstaTest.kind === 'database') return pgPoolOf(dstaTest)
        return new (loaded().SavepointPool)(dstaTest.suite.testLink)
      })
      // Loaded on first use: the zod schemas and Faker's locale are heavy, and most files never need them.
      // Over pg, not Slonik: a file that uses `pool` and `factories` loads no Slonik.
      // Under `database` isolation rows commit: each test makes its keys in its own lane (lanes.ts).
      .extend('factories', async ({ dstaTest, seed, task }): Promise<Factories> => {
        const { createFactories, laneOf } = await import('../factories/index.js')
        if (dstaTest.kind === 'database') {
          const tests = testsOf(task.file)
          const lane = laneOf(
            tests.map((test) => test.fullTestName),
            tests.findIndex((test) => test.id === task.id),
          )
          return createFactories(await pgPoolOf(dstaTest), { seed, lane })
        }
        return createFactories(new (loaded().SavepointPool)(dstaTest.suite.testLink), { seed })
      })
      // Its own stream: a test's faker calls do not shift the rows its factories make.
      .extend('faker', async ({ seed }) => (await import('../factories/faker.js')).createSeededFaker(seed))
  )
}

export type DstaTest = ReturnType<typeof buildTest>
