// Factories under `database` isolation: the rows of a file's tests commit into one database, so
// twenty tests making the same factory calls must make different keys (each test has its lane),
// and a test's rows must not depend on which other tests run.
import { expect, test } from 'vitest'
import { runNested } from './fixtures-vitest/run-nested.js'

type Made = {
  test: number
  candles: [string, string][]
  weekly: string[]
  trades: [string, string][]
  metric: [string, string]
  book: [string, string]
}

test('twenty tests of a database-isolation file, the same factory calls: no key collides; a test alone makes the same rows', async () => {
  const full = await runNested('db-factories', [])
  expect(
    full.results.filter((result) => result.status === 'passed'),
    full.output,
  ).toHaveLength(20)
  const made = full.records as unknown as Made[]
  expect(made).toHaveLength(20)
  const distinct = (keys: string[]) => expect(new Set(keys).size).toBe(keys.length)
  distinct(made.flatMap((row) => row.candles.map(([at]) => at)))
  distinct(made.flatMap((row) => row.weekly))
  distinct(made.flatMap((row) => row.trades.map(([id]) => id)))
  distinct(made.map((row) => row.metric[0]))

  // Run alone (the others filtered out), test 7 makes exactly the rows it made among the twenty.
  const alone = await runNested('db-factories', ['-t', '^test 7 makes'])
  expect(alone.results.filter((result) => result.status === 'passed')).toHaveLength(1)
  const { pid: _pid, ...seven } = alone.records[0] as Record<string, unknown>
  const { pid: _fullPid, ...sevenInFull } = made.find((row) => row.test === 7) as unknown as Record<
    string,
    unknown
  >
  expect(seven).toEqual(sevenInFull)
}, 180_000)
