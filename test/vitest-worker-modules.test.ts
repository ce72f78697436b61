// Each isolated test file is a fresh process that loads its modules again: a nested run of
// test/fixtures-vitest/modules (the built package, loaded by Node as from node_modules; forks, one
// process per file) where each file records which of our modules its worker loaded.
import { beforeAll, expect, test } from 'vitest'
import { type NestedRun, runNested } from './fixtures-vitest/run-nested.js'

let run: NestedRun
const modules = (file: string) => run.records.find((entry) => entry.file === file)?.modules as string[]

beforeAll(async () => {
  run = await runNested('modules', ['--maxWorkers', '2'])
}, 120_000)

// The plugin's (vitest.config.ts) modules: a test worker never calls dstaDb().
const CONFIG = ['vitest/plugin', 'vitest/options', 'vitest/check-options', 'vitest/dirs', 'vitest/version']
// A `database` file's own clone: opened and dropped by file-state.ts, through admin and clones.
const FILE_DATABASE = [
  'vitest/file-state',
  'vitest/kept',
  'isolation/gone',
  'server/external',
  'server/address',
]

test('both samples pass', () => {
  expect(run.exitCode, run.output).toBe(0)
  expect(run.results.map((result) => result.status)).toEqual(['passed', 'passed'])
})

test("a transaction file that uses pool loads none of the plugin's modules, nor a file database's, nor admin or clones", () => {
  const loaded = modules('pool-only')
  expect(loaded, run.output).toEqual(expect.arrayContaining(['vitest/fixtures', 'isolation/savepoint-pool']))
  for (const name of [...CONFIG, ...FILE_DATABASE, 'isolation/admin', 'isolation/clones'])
    expect(loaded, name).not.toContain(name)
})

test("a database file loads what its clone needs, and still none of the plugin's modules", () => {
  const loaded = modules('database')
  expect(loaded, run.output).toEqual(expect.arrayContaining(['vitest/fixtures', ...FILE_DATABASE]))
  for (const name of CONFIG) expect(loaded, name).not.toContain(name)
})
