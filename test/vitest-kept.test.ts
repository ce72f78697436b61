// A failed database-isolation file on the embedded server: its database is kept in the snapshot
// "kept", which `dsta-db up --snapshot kept` (here: startPostgres) serves again after the run.
import { afterAll, expect, test } from 'vitest'
import { run } from '../src/cli/program.js'
import { startPostgres } from '../src/server/index.js'
import { leftoverServerDirs, runNested } from './fixtures-vitest/run-nested.js'

let cleanup: (() => Promise<void>) | undefined
afterAll(() => cleanup?.())

test('a failed database-isolation file: kept, saved with the server, served again', async () => {
  const failed = await runNested('kept', ['--maxWorkers', '1'])
  expect(failed.exitCode, failed.output).toBe(1)
  expect(failed.output).toMatch(/fails\.sample\.ts failed; its database is kept as dsta_keep_\w+/)
  // A test that uses no fixture fails with its replay line too.
  expect(failed.output).toMatch(
    /dsta-db seed \d+ \(base 7\); replay: DSTA_SEED=7 npx vitest run fails\.sample\.ts -t '\^commits a row, then fails: its database is kept\$'/,
  )
  expect(failed.output).toContain('`npx dsta-db up --snapshot kept` serves them again')
  expect(leftoverServerDirs(failed.pid)).toEqual([])

  let out = ''
  const controller = new AbortController()
  controller.abort() // `up` prints what it serves, then stops at once
  const code = await run(['up', '--snapshot', 'kept'], {
    stdout: (text) => {
      out += text
    },
    stderr: (text) => {
      out += text
    },
    env: {},
    signal: controller.signal,
  })
  expect(code, out).toBe(0)
  const keptUrl = /(dsta_keep_\w+): (postgresql:\S+)/.exec(out)
  expect(keptUrl, out).not.toBeNull()

  const server = await startPostgres({ provider: 'embedded', snapshot: 'kept' })
  cleanup = () => server.stop()
  expect(server.fromSnapshot).toBe(true)
  const pg = (await import('pg')).default
  const client = new pg.Client(server.url.replace(/\/postgres$/, `/${keptUrl?.[1]}`))
  await client.connect()
  const { rows } = await client.query('SELECT value::int AS value FROM market_metrics')
  await client.end()
  expect(rows).toEqual([{ value: 4242 }]) // what the failed test committed, as it left it
}, 120_000)

test('up --snapshot names a snapshot that does not exist', async () => {
  let err = ''
  const code = await run(['up', '--snapshot', 'never-saved'], {
    stdout: () => {},
    stderr: (t) => (err += t),
    env: {},
  })
  expect(code).toBe(1)
  expect(err).toContain('no snapshot "never-saved"')
})
