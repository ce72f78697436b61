// The factories against a real PostgreSQL: defaults pass every constraint of the schema for many
// seeds, lists go in one statement, repeated creates never collide, rows come back typed.
import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import pg from 'pg'
import { type DatabasePool, type Interceptor, sql } from 'slonik'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { createFactories, FactoryValidationError } from '../src/factories/index.js'
import { compareDecimal, createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

let server: StartedPostgres
let pool: DatabasePool
let statements = 0
const countStatements: Interceptor = {
  name: 'count-statements',
  beforeQueryExecution: async () => {
    statements++
    return null
  },
}

beforeAll(async () => {
  server = await startPostgres()
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query('CREATE DATABASE factories_test')
  await admin.end()
  const url = server.url.replace(/\/postgres$/, '/factories_test')
  const client = new pg.Client(url)
  await client.connect()
  await client.query(await readFile(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8'))
  await client.end()
  pool = await createDstaPool(url, { interceptors: [countStatements] })
})

afterAll(async () => {
  await pool?.end()
  await server?.stop()
})

const truncate = () =>
  pool.query(sql.unsafe`TRUNCATE candlesticks, trades, order_books, market_metrics RESTART IDENTITY`)

beforeEach(async () => {
  await truncate()
  statements = 0
})

const count = (table: string) =>
  pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM ${sql.identifier([table])}`,
  )

describe('defaults pass every constraint', () => {
  test('lists and single rows of all four tables, many seeds and symbols', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.constantFrom('BTCUSDT', 'DOGEUSDT', 'BNBUSDT', 'QQ42'),
        async (seed, symbol) => {
          // Each run stands for one test: a fresh set on a transaction that is rolled back after.
          await pool.connect(async (db) => {
            await db.query(sql.unsafe`BEGIN`)
            const f = createFactories(db, { seed })
            await f.candlestick.createList(6, { symbol, interval: '1m' })
            await f.candlestick.bearish().create({ symbol, interval: '1m' })
            await f.candlestick.doji().createList(2, { symbol, interval: '7d', exchange: 'gateio' })
            await f.trade.createList(5, { symbol })
            await f.trade.large().create({ symbol })
            await f.orderBook.createList(2, { symbol })
            await f.orderBook.thin().create({ symbol })
            await f.marketMetric.createList(3)
            await f.marketMetric.extremeGreed().create()
            await f.marketMetric.params({ metric_type: 'other' }).create()
            expect(
              await db.oneFirst(
                sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM candlesticks`,
              ),
            ).toBe(9)
            await db.query(sql.unsafe`ROLLBACK`)
          })
        },
      ),
      { numRuns: 15 },
    )
  })
})

describe('create', () => {
  test('returns the stored rows, typed, with ids, in the order built', async () => {
    const built = createFactories(pool, { seed: 3 }).candlestick.buildList(4)
    const stored = await createFactories(pool, { seed: 3 }).candlestick.createList(4)
    expect(stored.map((row) => typeof row.id)).toEqual(['bigint', 'bigint', 'bigint', 'bigint'])
    stored.forEach((row, i) => {
      const expected = built[i]
      if (!expected) throw new Error('missing built row')
      expect(row.timestamp).toBeInstanceOf(Date)
      expect(row.timestamp.getTime()).toBe(expected.timestamp.getTime())
      // numeric(28,10) comes back padded to ten decimals: the same number.
      expect(row.close_price).toBe(`${expected.close_price}00000000`)
      expect(compareDecimal(row.quote_volume, expected.quote_volume)).toBe(0)
    })
    const metric = await createFactories(pool, { seed: 3 }).marketMetric.fearGreedIndex().create()
    expect(metric.metadata).toMatchObject({ classification: expect.any(String) })
    const book = await createFactories(pool, { seed: 3 }).orderBook.create()
    expect(book.bids[0]?.[0]).toMatch(/^\d+\.\d{2}$/)
    expect(typeof book.last_update_id).toBe('bigint')
  })

  test('createList is one statement; n single creates are n', async () => {
    const f = createFactories(pool, { seed: 4 })
    await f.trade.createList(100)
    expect(statements).toBe(1)
    for (let i = 0; i < 5; i++) await f.trade.create()
    expect(statements).toBe(6)
    expect(await f.trade.createList(0)).toEqual([])
    expect(statements).toBe(6)
  })

  test('repeated and concurrent creates in one test never collide on a unique key', async () => {
    const f = createFactories(pool, { seed: 5 })
    await f.candlestick.create()
    await f.candlestick.bullish().create()
    await f.candlestick.createList(3)
    await Promise.all([f.candlestick.create(), f.candlestick.doji().create(), f.candlestick.createList(2)])
    await Promise.all([f.trade.create(), f.trade.sell().createList(3), f.trade.create()])
    await Promise.all([
      f.marketMetric.create(),
      f.marketMetric.createList(2),
      f.marketMetric.btcDominance().create(),
    ])
    expect(await count('candlesticks')).toBe(9)
    const ids = await pool.anyFirst(
      sql.type(z.object({ trade_id: z.bigint() }))`SELECT trade_id FROM trades ORDER BY trade_id`,
    )
    expect(ids).toEqual([1n, 2n, 3n, 4n, 5n])
  })

  test('a refused override sends nothing to the database', async () => {
    const f = createFactories(pool, { seed: 6 })
    await expect(f.orderBook.createList(3, { bids: [['101', '1']], asks: [['100', '1']] })).rejects.toThrow(
      FactoryValidationError,
    )
    await expect(f.candlestick.create({ interval: '2m' as '1m' })).rejects.toThrow(
      /interval "2m" is not one of/,
    )
    expect(statements).toBe(0)
  })
})

describe('determinism', () => {
  const session = async (seed: number) => {
    const f = createFactories(pool, { seed })
    const rows = [
      await f.candlestick.createList(3),
      await f.trade.buy().createList(2),
      await f.orderBook.create(),
      await f.marketMetric.create(),
      f.faker.commerce.productName(),
    ]
    await truncate()
    return rows
  }

  test('two runs with one seed store the same rows, whatever ran before in the process', async () => {
    const first = await session(77)
    // Other work in between — another "test" with other factories — changes nothing.
    await createFactories(pool, { seed: 77 }).candlestick.createList(10)
    await pool.query(sql.unsafe`TRUNCATE candlesticks RESTART IDENTITY`)
    expect(await session(77)).toEqual(first)
  })
})

describe('a query over factory rows', () => {
  test('the README examples: latest close of ETHUSDT, a metric with a faker note', async () => {
    const factories = createFactories(pool, { seed: 42 })
    const candles = await factories.candlestick.createList(24, { symbol: 'ETHUSDT', interval: '1h' })
    const latest = await pool.oneFirst(sql.type(z.object({ close_price: z.string() }))`
      SELECT close_price FROM candlesticks
      WHERE symbol = 'ETHUSDT' AND "interval" = '1h'
      ORDER BY "timestamp" DESC LIMIT 1`)
    expect(latest).toBe(candles.at(-1)?.close_price)
    const note = factories.faker.lorem.sentence()
    const metric = await factories.marketMetric.create({ metadata: { note } })
    expect(metric.metadata).toEqual({ note })
  })

  test('the latest close per symbol', async () => {
    const f = createFactories(pool, { seed: 8 })
    const btc = await f.candlestick.createList(24, { symbol: 'BTCUSDT' })
    await f.candlestick.createList(24, { symbol: 'ETHUSDT' })
    const latest = await pool.one(
      sql.type(z.object({ close_price: z.string(), timestamp: z.date() }))`
        SELECT DISTINCT ON (symbol) close_price, "timestamp" FROM candlesticks
        WHERE symbol = 'BTCUSDT' AND "interval" = '1h' ORDER BY symbol, "timestamp" DESC`,
    )
    expect(latest.close_price).toBe(btc.at(-1)?.close_price)
    expect(latest.timestamp.toISOString()).toBe('2026-01-01T23:00:00.000Z')
  })
})
