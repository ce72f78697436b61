import type pg from 'pg'
import { type DatabasePool, sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type GenerateOptions,
  type GenerateProgress,
  generate,
  generateTestData,
} from '../src/generate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type GenerateServer, startGenerateServer, withClient } from './generate-support.js'

let server: GenerateServer
const pools: DatabasePool[] = []
beforeAll(async () => {
  server = await startGenerateServer()
}, 120_000)
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await server?.stop()
})

async function freshPool(): Promise<DatabasePool> {
  const pool = await createDstaPool(await server.freshDatabase())
  pools.push(pool)
  return pool
}

const SMALL: GenerateOptions = {
  seed: 11,
  days: 0.5,
  end: '2025-12-08T06:00:00Z',
  symbols: ['BTCUSDT', 'DOGEUSDT'],
}
const tables = ['candlesticks', 'trades', 'order_books', 'market_metrics'] as const

async function tableCounts(db: Pick<DatabasePool, 'oneFirst'>): Promise<number[]> {
  const counts: number[] = []
  for (const table of tables)
    counts.push(Number(await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM ${sql.identifier([table])}`)))
  return counts
}

/** Rows as comparable text: no id, bigints as text, decimals without the trailing zeros of numeric(28,10). */
const normalise = (rows: readonly unknown[]) =>
  rows
    .map((row) =>
      JSON.stringify(
        Object.fromEntries(Object.entries(row as object).filter(([key]) => key !== 'id')),
        (_, v) =>
          typeof v === 'bigint'
            ? String(v)
            : typeof v === 'string' && /^\d+\.\d+$/.test(v)
              ? v.replace(/\.?0+$/, '')
              : v,
      ),
    )
    .sort()

describe('generateTestData', () => {
  test('COPY writes exactly the rows of the generators, and the counts it returns', async () => {
    const pool = await freshPool()
    const progress: GenerateProgress[] = []
    const counts = await generateTestData(pool, { ...SMALL, onProgress: (p) => progress.push(p) })
    expect(counts.candlesticks).toBe([...generate.candlesticks(SMALL)].length)
    expect(await tableCounts(pool)).toEqual([
      counts.candlesticks,
      counts.trades,
      counts.orderBooks,
      counts.marketMetrics,
    ])
    const order = sql.fragment`ORDER BY exchange, symbol, "timestamp"`
    const candles = await pool.any(sql.unsafe`SELECT * FROM candlesticks ${order}, "interval"`)
    expect(normalise(candles)).toEqual(normalise([...generate.candlesticks(SMALL)]))
    const trades = await pool.any(sql.unsafe`SELECT * FROM trades ORDER BY symbol, trade_id`)
    expect(normalise(trades)).toEqual(normalise([...generate.trades(SMALL)]))
    const books = await pool.any(sql.unsafe`SELECT * FROM order_books ${order}`)
    expect(normalise(books)).toEqual(normalise([...generate.orderBooks(SMALL)]))
    const metrics = await pool.any(sql.unsafe`SELECT * FROM market_metrics ORDER BY "timestamp", metric_type`)
    expect(metrics).toHaveLength(counts.marketMetrics)
    expect(progress.at(-1)?.percent).toBe(100)
    expect(progress.map((p) => p.percent)).toEqual([...progress.map((p) => p.percent)].sort((a, b) => a - b))
  })

  test('in SQL: 1m candles aggregate the trades, coarse candles the 1m candles, and two exchanges load side by side', async () => {
    const pool = await freshPool()
    const options = { seed: 5, days: 2, end: '2025-11-20T00:00:00Z', symbols: ['ETHUSDT', 'XRPUSDT'] }
    await generateTestData(pool, options)
    await generateTestData(pool, { ...options, exchange: 'gateio' }) // metrics shared, skipped on conflict
    const mismatchedMinutes = await pool.oneFirst(sql.unsafe`
      SELECT count(*)::int FROM candlesticks c
      JOIN LATERAL (
        SELECT (array_agg(price ORDER BY trade_id))[1] AS o, (array_agg(price ORDER BY trade_id DESC))[1] AS c,
               max(price) AS h, min(price) AS l, sum(quantity) AS v, sum(quote_quantity) AS q, count(*) AS n
        FROM trades t WHERE t.exchange = c.exchange AND t.symbol = c.symbol
          AND t."timestamp" >= c."timestamp" AND t."timestamp" < c."timestamp" + interval '1 minute'
      ) a ON true
      WHERE c."interval" = '1m' AND (a.o, a.h, a.l, a.c, a.v, a.q, a.n)
        IS DISTINCT FROM (c.open_price, c.high_price, c.low_price, c.close_price, c.volume, c.quote_volume, c.trades_count::bigint)`)
    expect(mismatchedMinutes).toBe(0)
    const mismatchedCoarse = await pool.oneFirst(sql.unsafe`
      SELECT count(*)::int FROM candlesticks c
      JOIN LATERAL (
        SELECT (array_agg(open_price ORDER BY "timestamp"))[1] AS o, (array_agg(close_price ORDER BY "timestamp" DESC))[1] AS c,
               max(high_price) AS h, min(low_price) AS l, sum(volume) AS v, sum(quote_volume) AS q, sum(trades_count) AS n
        FROM candlesticks m WHERE m.exchange = c.exchange AND m.symbol = c.symbol AND m."interval" = '1m'
          AND m."timestamp" >= c."timestamp" AND m."timestamp" < c."timestamp" + CASE c."interval"
            WHEN '5m' THEN interval '5 minutes' WHEN '15m' THEN interval '15 minutes' WHEN '30m' THEN interval '30 minutes'
            WHEN '1h' THEN interval '1 hour' WHEN '4h' THEN interval '4 hours' WHEN '1d' THEN interval '1 day' ELSE interval '7 days' END
      ) a ON true
      WHERE c."interval" <> '1m' AND (a.o, a.h, a.l, a.c, a.v, a.q, a.n)
        IS DISTINCT FROM (c.open_price, c.high_price, c.low_price, c.close_price, c.volume, c.quote_volume, c.trades_count::numeric)`)
    expect(mismatchedCoarse).toBe(0)
    expect(await pool.oneFirst(sql.unsafe`SELECT count(DISTINCT exchange)::int FROM trades`)).toBe(2)
    expect(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM market_metrics`)).toBe(6)
  })

  test('a failing load leaves the tables as they were (pool, transaction, pg client)', async () => {
    const pool = await freshPool()
    await generateTestData(pool, SMALL)
    const before = await tableCounts(pool)
    await expect(generateTestData(pool, SMALL)).rejects.toThrow(/duplicate key|unique/i)
    expect(await tableCounts(pool)).toEqual(before)
    // Inside the caller's transaction: a savepoint; the transaction goes on and sees its own load.
    await pool.transaction(async (tx) => {
      await expect(generateTestData(tx, SMALL)).rejects.toThrow(/duplicate key|unique/i)
      const other = await generateTestData(tx, { ...SMALL, exchange: 'huobi' })
      expect(other.trades).toBeGreaterThan(0)
      expect((await tableCounts(tx))[1]).toBe((before[1] ?? 0) + other.trades)
    })
    const huobi = Number(
      await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM trades WHERE exchange = 'huobi'`),
    )
    expect((await tableCounts(pool))[1]).toBe((before[1] ?? 0) + huobi)
    const url = await server.freshDatabase()
    await withClient(url, async (client) => {
      await generateTestData(client, SMALL) // BEGIN … COMMIT of its own
      await client.query('BEGIN')
      await expect(generateTestData(client, SMALL)).rejects.toThrow(/duplicate key|unique/i)
      expect((await client.query('SELECT count(*)::int AS n FROM trades')).rows[0].n).toBe(before[1])
      await client.query('ROLLBACK')
    })
  })

  test('a rolled-back caller transaction takes the generated rows with it', async () => {
    const pool = await freshPool()
    await expect(
      pool.transaction(async (tx) => {
        await generateTestData(tx, SMALL)
        throw new Error('test ends')
      }),
    ).rejects.toThrow('test ends')
    expect(await tableCounts(pool)).toEqual([0, 0, 0, 0])
    await pool.connect(async (connection) => {
      expect((await generateTestData(connection, SMALL)).orderBooks).toBeGreaterThan(0)
    })
    await expect(generateTestData({} as pg.Client)).rejects.toThrow(/Slonik pool or connection/)
  })
})
