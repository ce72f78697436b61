import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { migrate } from '../src/migrate/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { BAD_INPUTS, type BadInput, SECRET } from './support/bad-inputs.js'

// More than a hundred wrong invocations of the built `dsta-db` bin, each checked for: the exit code
// the README documents, a message that names the culprit (option, variable, file, line, field or
// database), no stack trace, no password printed, and nothing written (databases, files).

const root = fileURLToPath(new URL('..', import.meta.url))
const node = join(root, 'node_modules/.bin/node')
const bin = join(root, 'dist/cli/main.js')

let server: StartedPostgres
let dir: string
let port: string

/** A server that is not "ours" to the production guard: its cluster_name is not dsta-db's. */
beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded', settings: { cluster_name: 'shared-db-host' } })
  port = new URL(server.url).port
  dir = await mkdtemp(join(tmpdir(), 'dsta-bad-'))
  const admin = new pg.Client(server.url)
  await admin.connect()
  for (const name of ['dsta_dev', 'dsta_prod', 'dsta_scratch_test'])
    await admin.query(`CREATE DATABASE ${name}`)
  // Every address in the table carries SECRET: make it this server's password (this run's copy of
  // the cluster; the cached one keeps its own), so the grep for it in the output means something.
  await admin.query(`ALTER ROLE postgres PASSWORD '${SECRET.replaceAll("'", "''")}'`)
  await admin.end()
  for (const name of ['dsta_dev', 'dsta_prod']) {
    await migrate(urlOf(name))
    const out = await runBin(['load', join(root, 'fixtures/sample_data.json'), '--database-url', urlOf(name)])
    if (out.code !== 0) throw new Error(out.err)
  }
  await prepareFiles()
}, 120_000)

afterAll(async () => {
  await server?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

function urlOf(database: string): string {
  return `postgresql://postgres:${encodeURIComponent(SECRET)}@127.0.0.1:${port}/${database}`
}

function runBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      node,
      [bin, ...args],
      { cwd: dir, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, out, err) => resolve({ code: error ? Number(error.code) : 0, out, err }),
    )
  })
}

/** Fixture files, migration folders and archives the cases refer to, made once. */
async function prepareFiles(): Promise<void> {
  const record = (fields: Record<string, unknown>, model = 'candlesticks') => ({ model, fields })
  const candle = {
    exchange: 'binance',
    symbol: 'SOLUSDT',
    interval: '1h',
    timestamp: '2026-03-01T00:00:00Z',
    open_price: '100',
    high_price: '110',
    low_price: '90',
    close_price: '105',
    volume: '1',
    quote_volume: '100',
  }
  const json = (records: unknown[]) => `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`
  const files: Record<string, string> = {
    'good.json': json([record(candle)]),
    'syntax.json': '[\n  {"model": "trades",}\n]',
    'empty.json': '',
    'object.json': '{}',
    'symbol.json': json([record(candle), record({ ...candle, symbol: 'btc' })]),
    'model.json': json([record(candle, 'auth.User')]),
    'field.json': json([record({ ...candle, colour: 'red' })]),
    'negative.json': json([record({ ...candle, low_price: '-1' })]),
    'high.json': json([record({ ...candle, high_price: '50' })]),
    'timestamp.json': json([record({ ...candle, timestamp: 'soon' })]),
    'exchange.json': json([record({ ...candle, exchange: 'kraken' })]),
    'interval.json': json([record({ ...candle, interval: '2h' })]),
    'missing-fields.json': json([record({ exchange: 'binance' })]),
    'trade-id.json': json([
      record(
        {
          exchange: 'binance',
          symbol: 'BTCUSDT',
          trade_id: 'abc',
          timestamp: '2026-03-01T00:00:00Z',
          price: '1',
          quantity: '1',
          quote_quantity: '1',
          is_buyer_maker: true,
        },
        'trades',
      ),
    ]),
    'duplicate.json': await readFile(join(root, 'fixtures/sample_data.json'), 'utf8'),
    'not-an-archive.dump': 'hello\n',
    'garbage.dump': '',
    'query.sql': 'SELECT 1',
    'broken/0002_broken.up.sql': 'CREATE TABLE notes (body text);\nSELEC 1;\n',
    'broken/0002_broken.down.sql': 'DROP TABLE notes;\n',
    'exists/0002_again.up.sql': 'CREATE TABLE candlesticks (id bigint);\n',
    'exists/0002_again.down.sql': 'DROP TABLE candlesticks;\n',
    'dupes/0002_a.up.sql': 'SELECT 1;\n',
    'dupes/0002_b.up.sql': 'SELECT 1;\n',
    'notfolder.txt': 'x',
  }
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true })
    await writeFile(join(dir, name), text)
  }
  await writeFile(join(dir, 'garbage.dump'), gzipSync(Buffer.from('not frames at all')))
  const made = await runBin([
    'backup',
    '--format',
    'dsta',
    '-o',
    'good.dump',
    '--database-url',
    urlOf('dsta_dev'),
  ])
  if (made.code !== 0) throw new Error(made.err)
  const archive = await readFile(join(dir, 'good.dump'))
  await writeFile(join(dir, 'cut.dump'), archive.subarray(0, Math.floor(archive.length / 2)))
  await mkdir(join(dir, 'a-folder.dump'))
}

const DATABASES = ['dsta_dev', 'dsta_prod', 'dsta_scratch_test']
let sessions: pg.Client[] = []

/** Everything a failed command must leave as it was: the databases, their tables, rows and history, and the files. */
async function fingerprint(): Promise<string> {
  if (!sessions.length)
    for (const name of ['postgres', ...DATABASES]) {
      const client = new pg.Client(urlOf(name))
      await client.connect()
      sessions.push(client)
    }
  const [admin, ...databases] = sessions as [pg.Client, ...pg.Client[]]
  const parts: string[] = []
  const { rows } = await admin.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1',
  )
  parts.push(rows.map((r) => r.datname).join(','))
  for (const [index, db] of databases.entries()) {
    const tables = await db.query<{ t: string }>(
      `SELECT relname AS t FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`,
    )
    for (const { t } of tables.rows) {
      const { rows: sums } = await db.query(
        `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS s FROM "${t}" x`,
      )
      parts.push(`${DATABASES[index]}.${t}:${sums[0].s}`)
    }
  }
  parts.push((await readdir(dir, { recursive: true })).sort().join(','))
  return parts.join('\n')
}

afterAll(async () => {
  for (const client of sessions) await client.end().catch(() => {})
  sessions = []
})

test(`${BAD_INPUTS.length} bad inputs: clear message, documented exit code, no stack, no secret, nothing written`, async () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(100)
  const before = await fingerprint()
  const failures: string[] = []
  const counts = { tried: 0, clear: 0, exitCodes: 0, stackTraces: 0, partialWrites: 0, secretsPrinted: 0 }
  const check = async (input: BadInput) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(input.env ?? {})) env[key] = value.replaceAll('PORT', port)
    const args = input.args.map((arg) =>
      arg.replaceAll('PORT', port).replace(/^db:(\w+)$/, (_, name) => urlOf(name)),
    )
    const { code, out, err } = await runBin(args, env)
    counts.tried++
    const problems: string[] = []
    if (input.culprit.test(err)) counts.clear++
    else problems.push(`message does not name ${input.culprit}`)
    if (code === input.code) counts.exitCodes++
    else problems.push(`exit ${code}, documented ${input.code}`)
    if (/^\s+at .+:\d+:\d+\)?$/m.test(err + out)) {
      counts.stackTraces++
      problems.push('stack trace')
    }
    if ((err + out).includes(SECRET) || (err + out).includes(encodeURIComponent(SECRET))) {
      counts.secretsPrinted++
      problems.push('printed the password')
    }
    if ((await fingerprint()) !== before) {
      counts.partialWrites++
      problems.push('wrote something')
    }
    if (problems.length)
      failures.push(
        `${input.name} (${args.join(' ')}): ${problems.join('; ')}\n    ${err.trim().replaceAll('\n', '\n    ')}`,
      )
  }
  // four at a time; the fingerprint after each must still be the one from before them all
  const queue = [...BAD_INPUTS]
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let input = queue.shift(); input; input = queue.shift()) await check(input)
    }),
  )
  console.log(
    `bad inputs: tried ${counts.tried}, clear ${counts.clear}, exit codes as documented ${counts.exitCodes}, ` +
      `stack traces ${counts.stackTraces}, partial writes ${counts.partialWrites}, secrets printed ${counts.secretsPrinted}`,
  )
  expect(failures).toEqual([])
  expect(counts).toEqual({
    tried: BAD_INPUTS.length,
    clear: BAD_INPUTS.length,
    exitCodes: BAD_INPUTS.length,
    stackTraces: 0,
    partialWrites: 0,
    secretsPrinted: 0,
  })
}, 600_000)

test('the guard lets through dev and test names, databases `up` made, and --force (with a note)', async () => {
  const forced = await runBin(['flush', '--yes', '--force', '--database-url', urlOf('dsta_prod')])
  expect(forced.code).toBe(0)
  expect(forced.err).toContain('note: --force: flush on "dsta_prod"')
  expect((await runBin(['flush', '--yes', '--database-url', urlOf('dsta_dev')])).code).toBe(0)
  const admin = new pg.Client(urlOf('postgres'))
  await admin.connect()
  await admin.query('CREATE DATABASE dsta_reporting')
  await admin.query(`COMMENT ON DATABASE dsta_reporting IS 'made by dsta-db up'`)
  await admin.end()
  await migrate(urlOf('dsta_reporting'))
  expect((await runBin(['flush', '--yes', '--database-url', urlOf('dsta_reporting')])).code).toBe(0)
  expect((await runBin(['migrate', 'zero', '--yes', '--database-url', urlOf('dsta_reporting')])).code).toBe(0)
}, 120_000)
