// Nested `vitest run`s of the sample project test/fixtures-vitest/suite, as a user's runs would be:
// threads and forks, two workers, isolate on and off, one test alone.
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from 'vitest'
import { leftoverServerDirs, type NestedRun, runNested } from './fixtures-vitest/run-nested.js'

type Entry = {
  file: string
  test: string
  poolId: string
  pid: number
  seed?: number
  database?: string
  row?: unknown
  rows?: unknown[]
}

const FAILING = 'fails on purpose, with its seed in the report'

function entries(run: NestedRun): Entry[] {
  return run.records as Entry[]
}

function find(run: NestedRun, file: string, name: string): Entry {
  const entry = entries(run).find((candidate) => candidate.file === file && candidate.test === name)
  if (!entry) throw new Error(`no record ${file}/${name} in:\n${run.output}`)
  return entry
}

/** What every full run of the sample suite must show, whatever the pool. */
function expectSoundRun(run: NestedRun) {
  const failed = run.results.filter((result) => result.status !== 'passed')
  expect(
    failed.map((result) => result.fullName),
    run.output,
  ).toEqual([FAILING])
  expect(run.results.length).toBe(13)
  expect(run.exitCode).toBe(1)
  // The seed is printed once, at the start.
  expect(run.output.match(/dsta-db: seed 7 /g)).toHaveLength(1)
  // The failure names its seed and the command that replays exactly it.
  const failing = find(run, 'failing', 'fails')
  const replay = `dsta-db seed ${failing.seed} (base 7); replay: DSTA_SEED=7 npx vitest run failing.sample.ts -t '^${FAILING}$'`
  expect(failed[0]?.failureMessages.join('\n')).toContain(replay)
  expect(run.output).toContain(replay)
  // Transaction-isolation files use their worker slot's clone; the database-isolation file its own.
  for (const entry of entries(run).filter((candidate) => candidate.database && candidate.file !== 'commit')) {
    expect(entry.database).toMatch(new RegExp(`^dsta_[0-9a-f]{6}_w${entry.poolId}_[0-9a-f]{8}$`))
  }
  const own = find(run, 'commit', 'commits').database
  expect(own).toMatch(/^dsta_[0-9a-f]{6}_f[0-9a-z]+x1_[0-9a-f]{8}$/)
  // Nothing left behind: the embedded server and its folder end with the run.
  expect(leftoverServerDirs(run.pid)).toEqual([])
}

describe('two workers', () => {
  let threads: NestedRun
  let forks: NestedRun
  beforeAll(async () => {
    threads = await runNested('suite', ['--pool', 'threads', '--maxWorkers', '2'])
    forks = await runNested('suite', ['--pool', 'forks', '--maxWorkers', '2', '--no-isolate'])
  }, 120_000)

  test('threads: each worker has its own database', () => {
    expectSoundRun(threads)
    const slots = new Set(entries(threads).map((entry) => entry.poolId))
    expect(slots).toEqual(new Set(['1', '2']))
    expect(new Set(entries(threads).map((entry) => entry.pid)).size).toBe(1) // one process, two threads
    const databases = entries(threads).filter((entry) => entry.database && entry.file !== 'commit')
    expect(new Set(databases.map((entry) => entry.database)).size).toBe(
      new Set(databases.map((e) => e.poolId)).size,
    )
  })

  test('forks without isolation: each worker process has its own database, files still isolated', () => {
    expectSoundRun(forks)
    const slots = new Set(entries(forks).map((entry) => entry.poolId))
    expect(slots).toEqual(new Set(['1', '2']))
    expect(new Set(entries(forks).map((entry) => entry.pid)).size).toBe(2)
  })

  test('a seed depends on the file and the name of its test, not on the pool or the order', () => {
    const seeds = (run: NestedRun) =>
      Object.fromEntries(entries(run).map((entry) => [`${entry.file}/${entry.test}`, entry.seed]))
    expect(seeds(forks)).toEqual(seeds(threads))
    expect(find(threads, 'a', 'first').seed).not.toBe(find(threads, 'b', 'first').seed)
  })

  test('a test run alone gets the same seed and the same factory rows as in the full run', async () => {
    const alone = await runNested('suite', [
      'isolation-a.sample.ts',
      '-t',
      '^isolation a > sees its file data and no other file$',
      '--maxWorkers',
      '1',
    ])
    expect(alone.exitCode, alone.output).toBe(0)
    expect(alone.results.filter((result) => result.status === 'passed')).toHaveLength(1)
    const first = find(alone, 'a', 'first')
    expect(first.seed).toBe(find(threads, 'a', 'first').seed)
    expect(first.rows).toHaveLength(2)
    expect(first.rows).toEqual(find(threads, 'a', 'first').rows) // factory rows, ids included
    expect(first.row).toEqual(find(threads, 'a', 'first').row) // faker values
    expect(leftoverServerDirs(alone.pid)).toEqual([])
  }, 60_000)

  test('--shard splits the files between runs; together they run every test once, with the same seeds', async () => {
    const shards = [
      await runNested('suite', ['--shard', '1/2', '--maxWorkers', '1']),
      await runNested('suite', ['--shard', '2/2', '--maxWorkers', '1']),
    ]
    const names = shards.flatMap((run) => run.results.map((result) => result.fullName))
    expect(names.sort()).toEqual(threads.results.map((result) => result.fullName).sort())
    for (const run of shards) {
      expect(leftoverServerDirs(run.pid)).toEqual([])
      for (const entry of entries(run)) expect(entry.seed).toBe(find(threads, entry.file, entry.test).seed)
    }
  }, 120_000)

  test('a projects config: each project with dstaDb(), one server for both, the same seeds', async () => {
    const config = fileURLToPath(
      new URL('./fixtures-vitest/suite/vitest.projects.config.ts', import.meta.url),
    )
    const run = await runNested('suite', ['--config', config, '--maxWorkers', '2'])
    expect(run.exitCode, run.output).toBe(0)
    expect(run.results.length).toBeGreaterThan(4)
    expect(run.results.every((result) => result.status === 'passed')).toBe(true)
    expect(run.output.match(/dsta-db: seed 7 /g)).toHaveLength(1)
    expect(find(run, 'a', 'first').seed).toBe(find(threads, 'a', 'first').seed)
    expect(find(run, 'b', 'first').seed).toBe(find(threads, 'b', 'first').seed)
    expect(leftoverServerDirs(run.pid)).toEqual([])
  }, 120_000)
})
