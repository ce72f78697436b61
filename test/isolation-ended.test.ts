// A test that sends COMMIT or ROLLBACK on `db` ends its file's transaction: that test fails, saying
// so; the later tests of the file run in a new transaction; the database whose rows a COMMIT kept
// is replaced by a fresh clone, so the next file does not see them.
import { sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { databaseUrl, withAdminClient } from '../src/isolation/admin.js'
import { ensureClone, replaceClone } from '../src/isolation/clones.js'
import { beginSuiteTransaction, FileTransactionEndedError } from '../src/isolation/suite.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { templateRecipe } from '../src/vitest/recipe.js'
import { runNested } from './fixtures-vitest/run-nested.js'

let server: StartedPostgres
let template: string
beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  template = (await ensureTemplate(server.url, await templateRecipe({}, '/'))).name
}, 60_000)
afterAll(() => server?.stop())

const insert = sql.unsafe`INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', clock_timestamp(), 1)`
const count = sql.unsafe`SELECT count(*)::int FROM market_metrics`

async function clone(name: string) {
  await withAdminClient(server.url, (client) => ensureClone(client, name, template))
  return createDstaPool(databaseUrl(server.url, name))
}

describe('the suite transaction', () => {
  test.each(['ROLLBACK', 'COMMIT', 'END'])(
    'a test that sends %s fails; the next runs in a new transaction',
    async (statement) => {
      const name = `dsta_ended_${statement.toLowerCase()}`
      const pool = await clone(name)
      const suite = await beginSuiteTransaction(pool)
      await suite.fileConnection.query(insert) // the file's set-up
      await suite.beginTest()
      await suite.connection.query(insert)
      const end = { ROLLBACK: sql.unsafe`ROLLBACK`, COMMIT: sql.unsafe`COMMIT`, END: sql.unsafe`END` }
      await suite.connection.query(end[statement as keyof typeof end])
      expect(() => suite.endTest('"sends it"')).toThrow(FileTransactionEndedError)
      expect(() => suite.endTest()).not.toThrow() // once
      expect(suite.endedByTest).toBe('"sends it"')

      await suite.beginTest() // a new file transaction, a new savepoint
      const seen = await suite.connection.oneFirst(count)
      expect(seen).toBe(statement === 'ROLLBACK' ? 0 : 2) // rolled back, or committed (set-up and test)
      await suite.connection.query(insert)
      suite.endTest()
      await suite.beginTest()
      expect(await suite.connection.oneFirst(count)).toBe(seen) // the savepoints work again
      suite.endTest()
      await suite.end()
      expect(await pool.oneFirst(count)).toBe(seen) // what was committed stays: the database needs replacing
      await pool.end()
    },
  )

  test('a test that leaves the transaction open as it found it passes', async () => {
    const pool = await clone('dsta_ended_none')
    const suite = await beginSuiteTransaction(pool)
    await suite.beginTest()
    await suite.connection.transaction(async (nested) => nested.query(insert)) // a savepoint, released
    expect(() => suite.endTest()).not.toThrow()
    expect(suite.endedByTest).toBeUndefined()
    await suite.end()
    expect(await pool.oneFirst(count)).toBe(0)
    await pool.end()
  })

  test('replaceClone gives a fresh copy of the template in its place, even with a pool still on it', async () => {
    const name = 'dsta_ended_replaced'
    const pool = await clone(name)
    await pool.query(insert)
    await withAdminClient(server.url, (client) => replaceClone(client, name, template))
    const fresh = await createDstaPool(databaseUrl(server.url, name))
    expect(await fresh.oneFirst(count)).toBe(0)
    await fresh.end()
    await pool.end().catch(() => {})
  })
})

test('in a test run: the test that ended the transaction fails with the reason; the later ones pass', async () => {
  const run = await runNested('ended', ['--maxWorkers', '1'])
  const status = Object.fromEntries(run.results.map((result) => [result.fullName, result.status]))
  expect(status).toEqual({
    'sends ROLLBACK': 'failed',
    'runs after the ROLLBACK, in a transaction again': 'passed',
    'sends COMMIT': 'failed',
    'runs after the COMMIT': 'passed',
  })
  const message = run.results.find((result) => result.fullName === 'sends COMMIT')?.failureMessages[0]
  expect(message).toContain("ended its file's transaction (it sent COMMIT or ROLLBACK on db)")
  expect(run.output).not.toContain('test.concurrent') // not the message of a busy file transaction
}, 120_000)
