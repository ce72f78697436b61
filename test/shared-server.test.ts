// One PostgreSQL shared by several runs through DATABASE_URL, as CI jobs and teammates share one:
// an embedded server started here plays the external server.
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { runNested } from './fixtures-vitest/run-nested.js'

let server: StartedPostgres
let url: string
let password: string
beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  const address = new URL(server.url)
  address.password ||= 'hunter2-never-printed' // a trust server ignores it; a real one needs it
  password = decodeURIComponent(address.password)
  url = address.toString()
})
afterAll(() => server?.stop())

async function databases(pattern: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [
      pattern,
    ])
    return rows.map((row) => row.datname)
  } finally {
    await client.end()
  }
}

test('a failed database-isolation file: its database is kept, its address printed without the password', async () => {
  const run = await runNested('shared', ['--maxWorkers', '1'], { DATABASE_URL: url, DSTA_SAMPLE_FAIL: '1' })
  expect(run.exitCode, run.output).toBe(1)
  expect(run.output).toMatch(
    /own-database\.sample\.ts failed; its database is kept : postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/dsta_keep_/,
  )
  expect(run.output.includes(password)).toBe(false)
  expect(await databases('dsta\\_keep\\_%')).toHaveLength(1)
}, 120_000)

test('redact masks a password in every place an address may carry one', async () => {
  const { redact, redactText } = await import('../src/server/external.js')
  expect(redact('postgresql://a:p@ss@db:5432/x')).toBe('postgresql://a:***@db:5432/x')
  expect(redact('postgres://a:pw@db')).toBe('postgres://a:***@db')
  expect(redact('postgresql://a@db/x')).toBe('postgresql://a@db/x')
  expect(redact('postgresql://db/x?user=a&password=pw&sslmode=require')).toBe(
    'postgresql://db/x?user=a&password=***&sslmode=require',
  )
  expect(redactText('cannot reach postgresql://a:s3cr3t@db/x: timeout')).toBe(
    'cannot reach postgresql://a:***@db/x: timeout',
  )
})
