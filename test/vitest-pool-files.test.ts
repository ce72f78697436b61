// A file pays for the query layers it uses: a nested run of test/fixtures-vitest/pool (forks, one
// process per file) where each file records which heavy packages its worker loaded.
import { beforeAll, expect, test } from 'vitest'
import { leftoverServerDirs, type NestedRun, runNested } from './fixtures-vitest/run-nested.js'

let run: NestedRun
const heavy = (file: string) => run.records.find((entry) => entry.file === file)?.heavy

beforeAll(async () => {
  run = await runNested('pool', ['--maxWorkers', '2'])
}, 120_000)

test('every sample passes, and the run leaves nothing behind', () => {
  expect(run.exitCode, run.output).toBe(0)
  expect(run.results.map((result) => result.status)).toEqual(Array(6).fill('passed'))
  expect(leftoverServerDirs(run.pid)).toEqual([])
})

test('a file that uses only `pool` loads pg alone: no Slonik, zod or Faker', () => {
  expect(heavy('pool-only'), run.output).toEqual(['pg'])
})

test('factories over the pool load zod and Faker, not Slonik', () => {
  expect(heavy('factories'), run.output).toEqual(['pg', 'zod', '@faker-js'])
})

test('the db fixture loads Slonik (and zod, its dependency), not Faker', () => {
  expect(heavy('db'), run.output).toEqual(['pg', 'slonik', 'zod'])
})

test('under database isolation, pool is a real pg.Pool whose commits the file keeps', () => {
  expect(run.results.filter((result) => result.fullName.startsWith('database isolation'))).toHaveLength(2)
})

test('under database isolation too, a file that uses only `pool` loads pg alone (its Slonik pool opens on first use)', () => {
  expect(heavy('database'), run.output).toEqual(['pg'])
})
