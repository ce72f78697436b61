// A test that sends COMMIT or ROLLBACK on its file's connection ends the file's transaction: that
// test fails saying so, the later tests of the file run in a new transaction, and the worker's
// database that a COMMIT dirtied is replaced, so the next file of the worker does not see the rows.
import { expect, test } from 'vitest'
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
