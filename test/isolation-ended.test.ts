// A test that sends COMMIT or ROLLBACK on its file's connection ends the file's transaction: that
// test fails saying so, the later tests of the file run in a new transaction, and the worker's
// database that a COMMIT dirtied is replaced, so the next file of the worker does not see the rows.
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { connectAdmin, withAdminClient } from '../src/isolation/admin.js'
import { ensureClone } from '../src/isolation/clones.js'
import { databaseUrl } from '../src/isolation/names.js'
import {
  beginSuiteTransaction,
  FileTransactionEndedError,
  type SuiteTransaction,
} from '../src/isolation/suite.js'
import { ensureTemplate } from '../src/isolation/template.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { templateRecipe } from '../src/vitest/recipe.js'
import { runNested } from './fixtures-vitest/run-nested.js'

test('in a run: the test that ended the transaction fails with the reason; the later ones pass; the next file starts clean', async () => {
  const run = await runNested('ended', ['--maxWorkers', '1'])
  const status = Object.fromEntries(run.results.map((result) => [result.fullName, result.status]))
  expect(status, run.output).toEqual({
    'sends ROLLBACK': 'failed',
    'runs after the ROLLBACK, in a transaction again': 'passed',
    'sends COMMIT': 'failed',
    'runs after the COMMIT, in a transaction again': 'passed',
    'pool: its COMMIT is a savepoint release, the file transaction stands': 'passed',
    'pool: a COMMIT inside a multi-statement query reaches the server': 'failed',
    'the last test sees only what was committed': 'passed',
    'the next file of the worker starts from the template': 'passed',
  })
  const message = (name: string) =>
    run.results.find((result) => result.fullName === name)?.failureMessages.join('\n') ?? ''
  expect(message('sends ROLLBACK')).toContain(
    `FileTransactionEndedError: dsta-db: test "sends ROLLBACK" ended its file's transaction: it sent ROLLBACK`,
  )
  expect(message('sends ROLLBACK')).not.toContain('replaces')
  for (const name of ['sends COMMIT', 'pool: a COMMIT inside a multi-statement query reaches the server']) {
    expect(message(name)).toContain(`test "${name}" ended its file's transaction: it sent COMMIT`)
    expect(message(name)).toContain("dsta-db replaces this worker's database after this file")
    expect(message(name)).toContain('db.transaction()')
  }
  expect(run.output).not.toContain('test.concurrent') // not the message of a busy file transaction
  // The same worker slot, the same database name: a fresh clone under it.
  const [a, b] = ['a', 'b'].map((file) => run.records.find((record) => record.file === file))
  expect(b?.poolId).toBe(a?.poolId)
  expect(b?.database).toBe(a?.database)
  expect(b?.rows).toBe(0)
  expect(run.exitCode).toBe(1)
}, 180_000)

describe('the suite transaction, on its own', () => {
  let server: StartedPostgres
  let template: string
  let clones = 0
  beforeAll(async () => {
    server = await startPostgres({ provider: 'embedded' })
    template = (await ensureTemplate(server.url, await templateRecipe({}, '/'))).name
  }, 60_000)
  afterAll(() => server?.stop())

  const insert = (day: number) =>
    `INSERT INTO market_metrics (metric_type, "timestamp", value) VALUES ('other', '2024-01-${String(day).padStart(2, '0')}', 1) RETURNING id`
  const count = async (client: pg.Client) =>
    Number((await client.query('SELECT count(*)::int AS n FROM market_metrics')).rows[0].n)

  /** A fresh clone, a client on it, and the file's transaction begun on the client. */
  async function fileOnClone() {
    const name = `dsta_ended_${++clones}`
    await withAdminClient(server.url, (admin) => ensureClone(admin, name, template))
    const client = await connectAdmin(databaseUrl(server.url, name))
    return { client, suite: await beginSuiteTransaction(client) }
  }

  /** Runs `body` as one test; what endTest threw, if anything. */
  async function asTest(suite: SuiteTransaction, body: () => Promise<unknown>) {
    await suite.beginTest()
    await body()
    try {
      suite.endTest('the test')
      return undefined
    } catch (error) {
      return error as FileTransactionEndedError
    }
  }

  test.each([
    ['COMMIT', 'commit', true],
    ['END', 'commit', true],
    ['ROLLBACK', 'rollback', false],
    ['ABORT', 'rollback', false],
  ] as const)(
    '%s: the test fails (%s), the next test runs in a new transaction',
    async (statement, how, kept) => {
      const { client, suite } = await fileOnClone()
      const ended = await asTest(suite, async () => {
        await client.query(insert(1))
        await client.query(statement)
      })
      expect(ended).toBeInstanceOf(FileTransactionEndedError)
      expect(ended).toMatchObject({ how, kept })
      expect(suite.committed).toBe(kept)
      expect(await asTest(suite, async () => expect(await count(client)).toBe(kept ? 1 : 0))).toBeUndefined()
      expect(await asTest(suite, () => client.query(insert(2)))).toBeUndefined()
      expect(await asTest(suite, async () => expect(await count(client)).toBe(kept ? 1 : 0))).toBeUndefined()
      await suite.end()
      expect(await count(client)).toBe(kept ? 1 : 0) // what a COMMIT kept stays: the owner replaces the clone
      await client.end()
    },
  )

  test('a ROLLBACK puts back the ids the test used up: the next test gets the same id', async () => {
    const { client, suite } = await fileOnClone()
    let first: unknown
    await asTest(suite, async () => {
      first = (await client.query(insert(1))).rows[0].id
      await client.query('ROLLBACK')
    })
    let second: unknown
    await asTest(suite, async () => {
      second = (await client.query(insert(1))).rows[0].id
    })
    expect(second).toBe(first)
    await suite.end()
    await client.end()
  })

  test('ROLLBACK then BEGIN in two statements: still seen; the test fails, nothing is kept', async () => {
    const { client, suite } = await fileOnClone()
    const ended = await asTest(suite, async () => {
      await client.query('ROLLBACK')
      await client.query('BEGIN')
      await client.query(insert(1))
    })
    expect(ended).toMatchObject({ how: 'rollback', kept: false })
    expect(await asTest(suite, async () => client.query('SELECT 1'))).toBeUndefined()
    await suite.end()
    expect(await count(client)).toBe(0)
    expect(suite.committed).toBe(false)
    await client.end()
  })

  test('ROLLBACK then statements outside any transaction: they committed, the message says so', async () => {
    const { client, suite } = await fileOnClone()
    const ended = await asTest(suite, async () => {
      await client.query('ROLLBACK')
      await client.query(insert(1)) // no transaction: committed at once
    })
    expect(ended).toMatchObject({ how: 'rollback', kept: true })
    expect(ended?.message).toContain("dsta-db replaces this worker's database after this file")
    expect(suite.committed).toBe(true)
    await suite.end()
    await client.end()
  })

  test('file-level code that commits between tests: the next test runs in a new transaction; the clone is marked', async () => {
    const { client, suite } = await fileOnClone()
    expect(await asTest(suite, () => client.query(insert(1)))).toBeUndefined()
    await suite.settle()
    await client.query(insert(2))
    await client.query('COMMIT')
    expect(await asTest(suite, async () => expect(await count(client)).toBe(1))).toBeUndefined()
    expect(await asTest(suite, async () => expect(await count(client)).toBe(1))).toBeUndefined()
    expect(suite.committed).toBe(true)
    await suite.end()
    await client.end()
  })

  test('file-level code that rolls back between tests: a new transaction, nothing kept', async () => {
    const { client, suite } = await fileOnClone()
    expect(await asTest(suite, () => client.query(insert(1)))).toBeUndefined()
    await suite.settle()
    await client.query('ROLLBACK')
    expect(await asTest(suite, () => client.query(insert(2)))).toBeUndefined()
    expect(await asTest(suite, async () => expect(await count(client)).toBe(0))).toBeUndefined()
    await suite.end()
    expect(suite.committed).toBe(false)
    expect(await count(client)).toBe(0)
    await client.end()
  })

  test('a statement run after a test that rolled back, before the next step: marked as committed', async () => {
    const { client, suite } = await fileOnClone()
    const ended = await asTest(suite, () => client.query('ROLLBACK'))
    expect(ended).toMatchObject({ how: 'rollback', kept: false })
    expect(suite.committed).toBe(false)
    await client.query(insert(1)) // e.g. a hook after the test: no transaction, committed at once
    await suite.end()
    expect(suite.committed).toBe(true)
    expect(await count(client)).toBe(1)
    await client.end()
  })

  test('the check sends nothing: one round trip per test, as before it', async () => {
    const { client, suite } = await fileOnClone()
    const query = client.query.bind(client)
    let sent = 0
    client.query = ((...args: Parameters<typeof query>) => {
      sent++
      return query(...args)
    }) as typeof client.query
    for (let i = 0; i < 5; i++) {
      await suite.beginTest()
      suite.endTest('a test')
    }
    expect(sent).toBe(5)
    client.query = query
    await suite.end()
    await client.end()
  })

  test('savepoints of the test (and released ones) leave the file transaction standing', async () => {
    const { client, suite } = await fileOnClone()
    const ended = await asTest(suite, async () => {
      await client.query('SAVEPOINT mine')
      await client.query(insert(1))
      await client.query('ROLLBACK TO SAVEPOINT mine')
      await client.query('SAVEPOINT again')
      await client.query(insert(2))
      await client.query('RELEASE SAVEPOINT again')
    })
    expect(ended).toBeUndefined()
    expect(suite.committed).toBe(false)
    await suite.end()
    expect(await count(client)).toBe(0)
    await client.end()
  })
})
