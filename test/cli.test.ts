import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SAMPLE_DATA_FILE } from '../src/fixtures/index.js'
import { useCliHarness } from './support/cli-harness.js'

const { state, cli, query, count, urlOf } = useCliHarness('cli_test')

describe('connection', () => {
  test('no address anywhere: says what to set, and that `dsta-db up` starts a server', async () => {
    const { code, err } = await cli(['status'], {})
    expect(code).toBe(2)
    expect(err).toMatch(
      /^error: no database to connect to: pass --database-url .*DATABASE_URL.*DB_HOST.*dsta-db up/,
    )
  })

  test("the guide's DB_* variables and --database-url are used", async () => {
    const { port } = new URL(state.server.url)
    const env = { DB_HOST: '127.0.0.1', DB_PORT: port, DB_NAME: 'cli_env', DB_USER: 'postgres' }
    const init = await cli(['init'], env)
    expect(init).toMatchObject({ code: 0 })
    expect(init.out).toContain(`Database postgresql://postgres@127.0.0.1:${port}/cli_env: created`)
    expect((await cli(['status', '--database-url', urlOf('cli_env')], {})).out).toMatch(/\[X\] 0001_initial/)
  })
})

describe("the guide's commands", () => {
  test('init creates, migrates and loads the sample data; a second init changes nothing', async () => {
    const env = { DATABASE_URL: urlOf('cli_init') }
    const first = await cli(['init', '--with-sample-data'], env)
    expect(first.err).toBe('')
    expect(first.out).toMatch(/cli_init: created\nRunning migrations:\n {2}Applying 0001_initial\.\.\. OK/)
    expect(first.out).toContain('Loaded the sample data (2 candlesticks, 2 market_metrics)')
    const again = await cli(['init'], env)
    expect(again.out).toMatch(/cli_init: exists\nRunning migrations:\nNo migrations to apply\./)
    expect(await count('candlesticks', urlOf('cli_init'))).toBe(2)
  })

  test('status, sql and sql --down (showmigrations, sqlmigrate)', async () => {
    expect((await cli(['status'])).out).toMatch(/\[X\] 0001_initial/)
    const up = await cli(['sql', '0001'])
    expect(up.out).toMatch(
      /^-- 0001_initial: up .*\nBEGIN;\n[\s\S]*CREATE TABLE candlesticks[\s\S]*COMMIT;\n$/,
    )
    expect((await cli(['sql', '0001_initial', '--down'])).out).toContain('DROP TABLE candlesticks;')
  })

  test('dump gives the sample data back; --indent and --output; dump → load round trip', async () => {
    const dump = await cli(['dump'])
    const records = JSON.parse(dump.out) as { model: string; fields: Record<string, unknown> }[]
    const sample = JSON.parse(await readFile(SAMPLE_DATA_FILE, 'utf8')) as typeof records
    expect(records.map((r) => r.fields.symbol ?? r.fields.metric_type)).toEqual([
      'BTCUSDT',
      'ETHUSDT',
      'btc_dominance',
      'fear_greed_index',
    ])
    expect(records[0]?.fields).toEqual({ ...sample[0]?.fields, high_price: '94612.5', low_price: '94010' })
    const written = await cli(['dump', 'api.Candlestick', '--indent', '2', '--output', 'candles.json'])
    expect(written.err).toBe('wrote 2 record(s) to candles.json\n')
    expect(await readFile(join(state.dir, 'candles.json'), 'utf8')).toMatch(
      /^\[\n {2}\{\n {4}"model": "candlesticks"/,
    )
    expect((await cli(['flush', '--yes'])).code).toBe(0)
    expect((await cli(['load', 'candles.json'])).out).toBe(
      'Installed 2 object(s) from 1 fixture(s) (2 candlesticks)\n',
    )
    expect((await cli(['dump', 'candlesticks', '--indent', '2'])).out).toBe(
      await readFile(join(state.dir, 'candles.json'), 'utf8'),
    )
  })

  test('load: a bad record, a syntax error, a missing file — one clear line each, nothing written', async () => {
    await writeFile(
      join(state.dir, 'bad.json'),
      '[\n{"model": "market_metrics", "fields": {"metric_type": "other", "timestamp": "2026-02-01T00:00:00Z", "value": "1"}},\n' +
        '{"model": "candlesticks", "fields": {"exchange": "binance", "symbol": "btc", "interval": "1h"}}\n]',
    )
    const bad = await cli(['load', 'bad.json'])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/bad\.json:3: record 2 \(candlesticks\), field "symbol": must be 2–20 upper-case/)
    expect(bad.err).toMatch(/bad\.json:3: record 2 \(candlesticks\): missing fields timestamp, open_price, /)
    expect(bad.err).toMatch(/nothing was written\.\n$/)
    expect(bad.err).not.toMatch(/\n\s+at /)
    await writeFile(join(state.dir, 'syntax.json'), '[\n  {"model": "trades",}\n]')
    expect((await cli(['load', 'syntax.json'])).err).toMatch(
      /^error: .*syntax\.json:2:\d+: JSON syntax error/,
    )
    const missing = await cli(['load', 'missing.json'])
    expect(missing).toMatchObject({ code: 1 })
    expect(missing.err).toMatch(/^error: .*missing\.json: cannot read the fixture: no such file\n/)
    expect(await count('candlesticks')).toBe(2)
    expect(await count('market_metrics')).toBe(2)
  })

  test('generate (1 day, 1 symbol) prints what the guide printed; the counts are the rows', async () => {
    const result = await cli(['generate', '--days', '1', '--symbols', 'SOLUSDT', '--seed', '7'])
    expect(result.code).toBe(0)
    const created = Object.fromEntries(
      [...result.out.matchAll(/Created (\d+) (candlesticks|trades|order books|market metrics)/g)].map((m) => [
        m[2],
        Number(m[1]),
      ]),
    )
    expect(created.trades).toBeGreaterThan(1440)
    expect(created).toEqual({
      candlesticks: await count("candlesticks WHERE symbol = 'SOLUSDT'"),
      trades: await count('trades'),
      'order books': await count('order_books'),
      'market metrics': (await count('market_metrics')) - 2, // the template holds the 2 sample metrics
    })
    expect(result.err).toMatch(/100% \(market_metrics\)/)
    const quiet = await cli(['generate', '--days', '1', '--symbols', 'XRPUSDT', '--quiet'])
    expect(quiet).toEqual({ code: 0, out: '', err: '' })
    const wrong = await cli(['generate', '--symbols', 'btc'])
    expect(wrong.code).toBe(2)
    expect(wrong.err).toContain(`option '--symbols <symbols...>' argument 'btc' is invalid`)
  })

  test('verify passes on a sound database and lists what is wrong on a broken one', async () => {
    const clean = await cli(['verify'])
    expect(clean.code).toBe(0)
    expect(clean.out).toMatch(/✓ schema .*\n✓ migrations +1 applied\n✓ rows +candlesticks \d+/)
    expect(clean.out).toMatch(/All checks passed\.\n$/)
    await query(`ALTER TABLE candlesticks DROP CONSTRAINT candlesticks_high_check;
      INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume)
      VALUES ('binance', 'BADUSDT', '1h', '2026-03-01T00:00:00Z', 100, 90, 80, 95, 1, 1)`)
    const broken = await cli(['verify'])
    expect(broken.code).toBe(1)
    expect(broken.out).toContain('✗ schema')
    expect(broken.out).toContain('check constraint candlesticks_high_check is missing')
    expect(broken.out).toMatch(/✗ OHLC .*\n {4}candlestick id \d+: BADUSDT 1h/)
    expect(broken.err).toBe('error: verify found problems in: schema, OHLC\n')
  })

  test('flush needs --yes and keeps schema and history; reset needs --yes and gives a fresh migrated database', async () => {
    const refused = await cli(['flush'])
    expect(refused.code).toBe(2)
    expect(refused.err).toContain('add --yes to go ahead')
    expect(await count('candlesticks')).toBeGreaterThan(0)
    expect((await cli(['flush', '--yes'])).code).toBe(0)
    expect(await count('candlesticks')).toBe(0)
    expect((await cli(['status'])).out).toMatch(/\[X\] 0001_initial/)

    expect((await cli(['reset'])).code).toBe(2)
    const reset = await cli(['reset', '--yes'])
    expect(reset.out).toMatch(/Dropped and created .*cli_test_\d+\n {2}Applying 0001_initial\.\.\. OK/)
    expect((await cli(['verify'])).code).toBe(0) // the dropped constraint is back
    const postgres = await cli(['reset', '--yes', '--database-url', state.server.url])
    expect(postgres).toMatchObject({ code: 2 })
    expect(postgres.err).toContain(`refusing to drop the server's own database "postgres"`)
  })
})

describe('migrations from the command line', () => {
  test('migrate zero, to a target, --dry-run, --fake; unknown targets', async () => {
    const env = { DATABASE_URL: state.url }
    const unconfirmed = await cli(['migrate', 'zero'], env)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.err).toMatch(
      /rolls back 0001_initial in .*: their tables and rows are dropped\. Add --yes/,
    )
    expect((await cli(['migrate', 'zero', '--yes'], env)).out).toMatch(/Unapplying 0001_initial\.\.\. OK/)
    expect((await cli(['status'], env)).out).toMatch(/\[ \] 0001_initial/)
    const dry = await cli(['migrate', '--dry-run'], env)
    expect(dry.out).toMatch(
      /^-- dry run: 0001_initial; nothing was changed\n[\s\S]*CREATE TABLE candlesticks/,
    )
    expect((await cli(['status'], env)).out).toMatch(/\[ \] 0001_initial/)
    expect((await cli(['migrate', '0001_initial', '--fake'], env)).out).toMatch(
      /Applying 0001_initial\.\.\. FAKED/,
    )
    expect((await cli(['migrate', 'zero', '--fake'], env)).code).toBe(2)
    expect((await cli(['migrate', 'zero', '--fake', '--yes'], env)).code).toBe(0)
    expect((await cli(['migrate', '0001'], env)).out).toMatch(/Applying 0001_initial\.\.\. OK/)
    const unknown = await cli(['migrate', '0042_nothing'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.err).toMatch(/^error: .*0042_nothing/)
    expect((await cli(['sql', '9999'])).err).toMatch(/^error: unknown migration "9999".*Known: 0001_initial/)
  })

  test('new creates the next pair; migrate --dir applies it', async () => {
    const env = { DATABASE_URL: state.url }
    const created = await cli(['new', 'add_notes', '--dir', 'migrations'])
    expect(created.out).toContain('Created 0002_add_notes:\n  migrations/0002_add_notes.up.sql\n')
    expect((await readdir(join(state.dir, 'migrations'))).sort()).toEqual([
      '0002_add_notes.down.sql',
      '0002_add_notes.up.sql',
    ])
    await writeFile(join(state.dir, 'migrations/0002_add_notes.up.sql'), 'CREATE TABLE notes (body text);\n')
    await writeFile(join(state.dir, 'migrations/0002_add_notes.down.sql'), 'DROP TABLE notes;\n')
    expect((await cli(['migrate', '--dir', 'migrations'], env)).out).toMatch(
      /Applying 0002_add_notes\.\.\. OK/,
    )
    expect(await query('SELECT * FROM notes')).toEqual([])
    expect((await cli(['new', 'Bad-Name'])).code).toBe(2)
  })
})

describe('usage', () => {
  test('unknown command or option: commander says so, exit 2', async () => {
    const command = await cli(['migrat'])
    expect(command.code).toBe(2)
    expect(command.err).toMatch(/error: unknown command 'migrat'/)
    const option = await cli(['dump', '--indnt', '2'])
    expect(option.code).toBe(2)
    expect(option.err).toMatch(/error: unknown option '--indnt'/)
    expect((await cli(['dump', '--indent', 'two'])).err).toMatch(
      /option '--indent <n>' argument 'two' is invalid/,
    )
    expect((await cli(['--help'])).out).toContain('Usage: dsta-db')
  })

  test('up --demo: starts a server, migrates, loads the sample data, prints the tables, stops', async () => {
    const { code, out } = await cli(['up', '--demo'], {})
    expect(code).toBe(0)
    expect(out).toMatch(/^PostgreSQL \d+\.\d+ \(embedded\) is up\n {2}Applying 0001_initial\.\.\. OK/)
    expect(out).toMatch(/candlesticks +12 columns +2 rows\n {2}indexes: .*candlesticks_symbol_timestamp_idx/)
    expect(out).toMatch(/market_metrics +5 columns +2 rows/)
    expect(out).toContain('Latest candlestick: BTCUSDT @ 2026-01-01T00:00:00.000Z: $94480.35')
  })
})
