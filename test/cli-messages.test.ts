import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { useCliHarness } from './support/cli-harness.js'

const { state, cli, query, count, urlOf } = useCliHarness('cli_msg')

describe('names and messages', () => {
  test('every command’s --help ends with an example', async () => {
    const commands = [
      'init',
      'migrate',
      'status',
      'sql',
      'new',
      'generate',
      'load',
      'dump',
      'flush',
      'reset',
      'verify',
      'explain',
      'vacuum',
      'dedupe',
      'backup',
      'restore',
      'up',
    ]
    for (const command of commands) {
      const help = await cli([command, '--help'], {})
      expect(help.code).toBe(0)
      expect(help.out, command).toMatch(/\nExamples?:\n {2}\$ .*dsta-db /)
    }
    expect((await cli(['--help'], {})).out).toMatch(
      /Exit codes: 0 done, 1 failed .*3 refused by the production guard/,
    )
  })

  test("init --db-name 'dsta+dev': created, migrated and reachable (node-postgres reads the path with decodeURI)", async () => {
    const { port, password } = new URL(state.server.url)
    const env = { DB_USER: 'postgres', DB_PASSWORD: decodeURIComponent(password) }
    const init = await cli(
      ['init', '--db-host', '127.0.0.1', '--db-port', port, '--db-name', 'dsta+dev'],
      env,
    )
    expect(init.err).toBe('')
    expect(init.out).toMatch(/dsta\+dev: created\nRunning migrations:\n {2}Applying 0001_initial\.\.\. OK/)
    expect(
      (
        await query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname LIKE 'dsta%dev'",
          state.server.url,
        )
      ).map((r) => r.datname),
    ).toEqual(['dsta+dev'])
  })

  test('init --with-tests runs the checks of verify, the plan of the guide’s query included; --json for scripts', async () => {
    const env = { DATABASE_URL: urlOf('cli_with_tests') }
    const init = await cli(['init', '--with-sample-data', '--with-tests'], env)
    expect(init.code).toBe(0)
    expect(init.out).toMatch(
      /✓ plan +the guide's query reads candlesticks_exchange_symbol_interval_timestamp_key \(a small table/,
    )
    expect(init.out).toMatch(/All checks passed\.\n$/)
    await query(
      'ALTER TABLE candlesticks DROP CONSTRAINT candlesticks_exchange_symbol_interval_timestamp_key',
      urlOf('cli_with_tests'),
    )
    const failed = await cli(['init', '--with-tests', '--json'], env)
    expect(failed.code).toBe(1)
    const report = JSON.parse(failed.out) as { checks: { name: string; ok: boolean }[] }
    expect(report.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['schema', 'plan'])
    expect(failed.err).toBe('error: init --with-tests: checks failed: schema, plan\n')
  })

  test('a failed migration closes its Applying line before the error', async () => {
    const folder = join(state.dir, 'broken-migrations')
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, '0002_broken.up.sql'), 'SELEC 1;\n')
    const result = await cli(['migrate', '--dir', 'broken-migrations'])
    expect(result.code).toBe(1)
    expect(result.out).toMatch(/ {2}Applying 0002_broken\.\.\. FAILED\n$/)
    expect(result.err).toMatch(/^error: .*0002_broken\.up\.sql:1: syntax error/)
  })

  test('colour on a terminal only, never with NO_COLOR; --json is plain JSON', async () => {
    expect((await cli(['verify'], { DATABASE_URL: state.url }, true)).out).toContain(
      '\u001b[32m✓\u001b[39m schema',
    )
    expect((await cli(['verify'], { DATABASE_URL: state.url, NO_COLOR: '1' }, true)).out).not.toContain(
      '\u001b[',
    )
    expect((await cli(['verify'])).out).not.toContain('\u001b[')
    const json = JSON.parse((await cli(['verify', '--json'])).out) as { ok: boolean; checks: unknown[] }
    expect(json).toMatchObject({ ok: true })
    expect(json.checks).toHaveLength(6)
    const status = JSON.parse((await cli(['status', '--json'])).out) as {
      migrations: { name: string; state: string }[]
    }
    expect(status.migrations).toEqual([expect.objectContaining({ name: '0001_initial', state: 'applied' })])
    const generated = JSON.parse(
      (await cli(['generate', '--days', '1', '--symbols', 'DOGEUSDT', '--json'])).out,
    )
    expect(generated).toMatchObject({
      order_books: generated.orderBooks,
      market_metrics: generated.marketMetrics,
    })
  })

  test('dedupe, vacuum and explain on a table whose unique constraint is gone', async () => {
    await query(`ALTER TABLE candlesticks DROP CONSTRAINT candlesticks_exchange_symbol_interval_timestamp_key;
      INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume)
      SELECT exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume FROM candlesticks`)
    expect((await cli(['verify'])).out).toMatch(/✗ duplicates .*\n {4}2 candlesticks at binance BTCUSDT 1h/)
    expect((await cli(['dedupe', '--dry-run'])).out).toBe(
      '2 duplicate candlestick(s) would be deleted (dry run: nothing was changed)\n',
    )
    expect(JSON.parse((await cli(['dedupe', '--yes', '--json'])).out)).toEqual({
      table: 'candlesticks',
      duplicates: 2,
      deleted: 2,
    })
    expect(await count('candlesticks')).toBe(2)
    const vacuum = JSON.parse((await cli(['vacuum', 'candlesticks', '--json'])).out) as { table: string }[]
    expect(vacuum.map((row) => row.table)).toEqual(['candlesticks'])
    const plan = JSON.parse((await cli(['explain', '--json', '--prefer-indexes'])).out) as {
      indexes: string[]
      seqscanDisabled: boolean
    }
    expect(plan.seqscanDisabled).toBe(true)
    expect(plan.indexes).not.toContain('candlesticks_exchange_symbol_interval_timestamp_key')
  })
})
