import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type DatabasePool, sql } from 'slonik'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { dumpFixture, FixtureError, loadFixture, SAMPLE_DATA_FILE } from '../src/fixtures/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

let server: StartedPostgres
let db: DatabasePool
let copy: DatabasePool
let dir: string

async function createSchemaDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = server.url.replace(/\/postgres$/, `/${name}`)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(await readFile(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8'))
  await client.end()
  return url
}

const truncate = (pool: DatabasePool) =>
  pool.query(sql.unsafe`TRUNCATE candlesticks, trades, order_books, market_metrics RESTART IDENTITY`)

const counts = (pool: DatabasePool) =>
  pool.one(sql.unsafe`SELECT
    (SELECT count(*)::int FROM candlesticks) AS candlesticks, (SELECT count(*)::int FROM trades) AS trades,
    (SELECT count(*)::int FROM order_books) AS order_books, (SELECT count(*)::int FROM market_metrics) AS market_metrics`)

async function fixtureFile(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

const candle = (symbol: string, timestamp: string, high = '101') =>
  JSON.stringify({
    model: 'candlesticks',
    fields: {
      exchange: 'binance',
      symbol,
      interval: '1h',
      timestamp,
      open_price: '100',
      high_price: high,
      low_price: '99',
      close_price: '100.5',
      volume: '1',
      quote_volume: '100',
    },
  })

beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded' })
  db = await createDstaPool(await createSchemaDatabase('fixtures_main'))
  copy = await createDstaPool(await createSchemaDatabase('fixtures_copy'))
  dir = await mkdtemp(join(tmpdir(), 'dsta-fixtures-'))
})

afterAll(async () => {
  await db?.end()
  await copy?.end()
  await server?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  await truncate(db)
  await truncate(copy)
})

describe('loadFixture', () => {
  test('loads the sample data of the guide: 2 candlesticks, 2 market metrics, every digit kept', async () => {
    expect(await loadFixture(db, SAMPLE_DATA_FILE)).toEqual({
      candlesticks: 2,
      trades: 0,
      order_books: 0,
      market_metrics: 2,
    })
    const rows = await db.any(
      sql.unsafe`SELECT symbol, high_price, "timestamp" FROM candlesticks ORDER BY symbol`,
    )
    expect(rows).toEqual([
      { symbol: 'BTCUSDT', high_price: '94612.5000000000', timestamp: new Date('2026-01-01T00:00:00Z') },
      { symbol: 'ETHUSDT', high_price: '3368.9500000000', timestamp: new Date('2026-01-01T00:00:00Z') },
    ])
    const metrics = await db.anyFirst(sql.unsafe`SELECT metric_type FROM market_metrics ORDER BY metric_type`)
    expect(metrics).toEqual(['btc_dominance', 'fear_greed_index'])
  })

  test('a record breaking a rule names file, line and field, and nothing is written', async () => {
    const file = await fixtureFile(
      'bad-high.json',
      `[\n${candle('BTCUSDT', '2026-01-01T00:00:00Z')},\n${candle('ETHUSDT', '2026-01-01T00:00:00Z', '98')}\n]`,
    )
    const error = await loadFixture(db, file).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(FixtureError)
    expect((error as Error).message).toMatch(
      new RegExp(`^${file}:3: record 2 \\(candlesticks\\), field "high_price": high_price 98 must be ≥`),
    )
    expect(await counts(db)).toEqual({ candlesticks: 0, trades: 0, order_books: 0, market_metrics: 0 })
  })

  test('the line of a field inside an indented record, and every problem at once', async () => {
    const text = `[\n  {\n    "model": "trades",\n    "fields": {\n      "exchange": "kraken",\n      "symbol": "BTCUSDT",
      "trade_id": 1,\n      "timestamp": "2026-01-01 00:00:00",\n      "price": "1",\n      "quantity": "1",
      "quote_quantity": "1",\n      "is_buyer_maker": true\n    }\n  }\n]`
    const file = await fixtureFile('bad-trade.json', text)
    const error = (await loadFixture(db, file).catch((caught: unknown) => caught)) as FixtureError
    expect(error.issues.map(({ line, field }) => ({ line, field }))).toEqual([
      { line: 5, field: 'exchange' },
      { line: 8, field: 'timestamp' },
    ])
    expect(error.message).toContain('must be an ISO-8601 timestamp with a time zone')
    const fixed = await fixtureFile(
      'bad-exchange.json',
      text.replace('2026-01-01 00:00:00', '2026-01-01T00:00:00Z'),
    )
    const enumError = (await loadFixture(db, fixed).catch((caught: unknown) => caught)) as FixtureError
    expect(enumError.message).toMatch(
      /bad-exchange\.json:5: record 1 \(trades\), field "exchange": .*binance/,
    )
  })

  test('a JSON syntax error names line and column', async () => {
    const file = await fixtureFile('syntax.json', '[\n  {"model": "candlesticks",\n   "fields" {}}\n]')
    await expect(loadFixture(db, file)).rejects.toThrow(/syntax\.json:3:13: JSON syntax error: Expected ':'/)
  })

  test('unknown models and fields are refused by name', async () => {
    const file = await fixtureFile(
      'unknown.json',
      '[\n{"model": "auth.user", "fields": {}},\n{"model": "trades", "fields": {"colour": "red"}}\n]',
    )
    const error = (await loadFixture(db, file).catch((caught: unknown) => caught)) as FixtureError
    expect(error.message).toContain('unknown.json:2: record 1: unknown model "auth.user"')
    expect(error.message).toContain('unknown.json:3: record 2 (trades), field "colour": unknown field')
  })

  test('a model named like an Object.prototype member is an unknown model, not a crash', async () => {
    const file = await fixtureFile(
      'proto.json',
      '[\n{"model": "constructor", "fields": {}},\n{"model": "api.toString", "fields": {}}\n]',
    )
    const error = (await loadFixture(db, file).catch((caught: unknown) => caught)) as FixtureError
    expect(error).toBeInstanceOf(FixtureError)
    expect(error.message).toContain('proto.json:2: record 1: unknown model "constructor"')
    expect(error.message).toContain('proto.json:3: record 2: unknown model "api.toString"')
  })

  test('records with and without pk in one table: the pk-less ones never take a given pk', async () => {
    const metric = (timestamp: string, pk?: number) => ({
      model: 'market_metrics',
      ...(pk === undefined ? {} : { pk }),
      fields: { metric_type: 'other', timestamp, value: '1', metadata: {} },
    })
    const file = await fixtureFile(
      'mixed.json',
      JSON.stringify([
        metric('2026-01-01T00:00:00Z', 1),
        metric('2026-01-02T00:00:00Z'),
        metric('2026-01-03T00:00:00Z', 2),
      ]),
    )
    expect(await loadFixture(db, file)).toMatchObject({ market_metrics: 3 })
    const ids = await db.anyFirst(sql.unsafe`SELECT id FROM market_metrics ORDER BY "timestamp"`)
    expect(ids[0]).toBe(1n)
    expect(ids[2]).toBe(2n)
    expect(ids[1]).toBeGreaterThan(2n)
  })

  test('a missing file is named', async () => {
    await expect(loadFixture(db, join(dir, 'nope.json'))).rejects.toThrow(
      /nope\.json: cannot read the fixture: no such file/,
    )
  })

  test('a unique violation names the record that collides; no table is touched', async () => {
    const metric =
      '{"model": "market_metrics", "fields": {"metric_type": "other", "timestamp": "2026-01-01T00:00:00Z", "value": "1"}}'
    const records = [
      metric,
      ...['A', 'B', 'C', 'D', 'E', 'B'].map((s) => candle(`${s}USDT`, '2026-01-01T00:00:00Z')),
    ]
    const file = await fixtureFile('dupe.json', `[\n${records.join(',\n')}\n]`)
    const error = await loadFixture(db, file).catch((caught: unknown) => caught)
    expect((error as Error).message).toMatch(
      /dupe\.json:8: record 7 \(candlesticks\): the database refused it: duplicate key value violates unique constraint "candlesticks_exchange_symbol_interval_timestamp_key"/,
    )
    expect(await counts(db)).toEqual({ candlesticks: 0, trades: 0, order_books: 0, market_metrics: 0 })

    await loadFixture(db, SAMPLE_DATA_FILE)
    const clash = await fixtureFile(
      'clash.json',
      `[\n${candle('ZZUSDT', '2026-01-01T00:00:00Z')},\n${candle('BTCUSDT', '2026-01-01T00:00:00Z')}\n]`,
    )
    await expect(loadFixture(db, clash)).rejects.toThrow(/clash\.json:3: record 2 .*already exists/)
    expect(await counts(db)).toEqual({ candlesticks: 2, trades: 0, order_books: 0, market_metrics: 2 })
  })

  test('a value the column cannot hold (numeric overflow) is traced to its record too', async () => {
    const big = candle('BTCUSDT', '2026-01-01T00:00:00Z').replace('"101"', '"1234567890123456789012345"')
    const file = await fixtureFile(
      'overflow.json',
      `[\n${candle('ETHUSDT', '2026-01-01T00:00:00Z')},\n${big}\n]`,
    )
    await expect(loadFixture(db, file)).rejects.toThrow(
      /overflow\.json:3: record 2 \(candlesticks\): the database refused it: numeric field overflow/,
    )
    expect(await counts(db)).toEqual({ candlesticks: 0, trades: 0, order_books: 0, market_metrics: 0 })
  })

  test("Django's model labels and pks load, and the identity sequence moves past the pks", async () => {
    const file = await fixtureFile(
      'django.json',
      JSON.stringify([
        { ...JSON.parse(candle('BTCUSDT', '2026-01-01T00:00:00Z')), model: 'api.Candlestick', pk: 41 },
        {
          model: 'api.marketmetric',
          pk: '7',
          fields: {
            metric_type: 'btc_dominance',
            timestamp: '2026-01-01T00:00:00+00:00',
            value: '57.4',
            metadata: {},
          },
        },
      ]),
    )
    expect(await loadFixture(db, file)).toMatchObject({ candlesticks: 1, market_metrics: 1 })
    expect(await db.oneFirst(sql.unsafe`SELECT id FROM candlesticks`)).toBe(41n)
    await loadFixture(db, await fixtureFile('next.json', `[${candle('ETHUSDT', '2026-01-01T00:00:00Z')}]`))
    expect(await db.anyFirst(sql.unsafe`SELECT id FROM candlesticks ORDER BY id`)).toEqual([41n, 42n])
  })
})

describe('dumpFixture', () => {
  test('dump → load into an empty database → dump gives the same text, big ids and microseconds included', async () => {
    const file = await fixtureFile(
      'rich.json',
      `[
  ${candle('ETHUSDT', '2026-01-01T01:00:00.123456+02:00')},
  ${candle('BTCUSDT', '2026-01-01T00:00:00Z')},
  {"model": "trades", "pk": "9223372036854775807", "fields": {"exchange": "gateio", "symbol": "BTCUSDT",
    "trade_id": 9007199254740993, "timestamp": "2026-01-01T00:00:00.5Z", "price": "94250.123456789",
    "quantity": "0.0001", "quote_quantity": "9.4250123457", "is_buyer_maker": false}},
  {"model": "order_books", "fields": {"exchange": "huobi", "symbol": "ETHUSDT", "timestamp": "2026-01-01T00:00:00Z",
    "bids": [["3350.1", "2"], ["3350", "1.5"]], "asks": [["3350.2", "0.3"]], "last_update_id": "18446744073709551"}},
  {"model": "market_metrics", "fields": {"metric_type": "total_market_cap", "timestamp": "2026-01-01T00:00:00Z",
    "value": "3210000000000.5", "metadata": {"source": "sample", "nested": {"big": 123456789012345678901234567890}}}}
]`,
    )
    await loadFixture(db, file)
    const first = await dumpFixture(db)
    const again = await fixtureFile('dump.json', first)
    await loadFixture(copy, again)
    expect(await dumpFixture(copy)).toBe(first)

    const records = JSON.parse(first) as { model: string; pk: unknown; fields: Record<string, unknown> }[]
    expect(records.map((record) => record.model)).toEqual([
      'candlesticks',
      'candlesticks',
      'trades',
      'order_books',
      'market_metrics',
    ])
    expect(records[0]?.fields).toMatchObject({
      symbol: 'BTCUSDT',
      high_price: '101',
      timestamp: '2026-01-01T00:00:00Z',
    })
    expect(records[1]?.fields.timestamp).toBe('2025-12-31T23:00:00.123456Z')
    expect(first).toContain('"pk":"9223372036854775807"')
    expect(first).toContain(`"trade_id":"9007199254740993"`)
    expect(first).toContain('"big":123456789012345678901234567890')
    expect(first.split('\n')).toHaveLength(8)
  })

  test('chosen tables, Django labels, --indent', async () => {
    await loadFixture(db, SAMPLE_DATA_FILE)
    const metrics = await dumpFixture(db, ['api.MarketMetric'], { indent: 2 })
    expect(JSON.parse(metrics)).toHaveLength(2)
    expect(metrics).toContain('\n  {\n    "model": "market_metrics",')
    expect(await dumpFixture(db, ['trades'])).toBe('[]\n')
    await expect(dumpFixture(db, ['users'])).rejects.toThrow('unknown table "users"')
  })
})
