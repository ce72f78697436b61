import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { type DatabasePool, sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { COPY_HEADER, COPY_TRAILER } from '../src/generate/encode.js'
import {
  type GenerateOptions,
  type GenerateProgress,
  generate,
  generateTestData,
} from '../src/generate/index.js'
import { formatUnits, type Units } from '../src/generate/units.js'
import { ByteWriter } from '../src/generate/writer.js'
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

/** The decimal text of units × 10^-decimals, negative values included. */
const decimalText = (units: Units, decimals: number) =>
  units < 0 ? `-${formatUnits(-units as Units, decimals)}` : formatUnits(units, decimals)

describe('binary COPY encoding', () => {
  test('numeric, timestamptz and int8 reach the server exactly, edge cases included', async () => {
    const numerics: [Units, number][] = [
      [0, 0],
      [0, 10],
      [1, 0],
      [1, 10],
      [5, 1],
      [10_000, 4], // a whole base-10 000 digit and an all-zero fraction
      [100_000_000, 8],
      [4_325_012, 2],
      [51_230, 5],
      [1_234_567_890_123, 7], // quote units: 4 fraction groups
      [99_990_000, 4],
      [Number.MAX_SAFE_INTEGER, 0],
      [Number.MAX_SAFE_INTEGER, 12],
      [123_456_789, 13], // beyond the fast path
      [10n ** 27n + 1n, 10], // a bigint sum: 28 digits
      [2n ** 64n, 3],
      [-4_325_012, 2],
      [-1n, 14],
    ]
    const instants = [
      Date.UTC(2025, 11, 8, 6, 0, 0, 123),
      Date.UTC(2026, 0, 1),
      Date.UTC(2000, 0, 1),
      Date.UTC(1999, 11, 31, 23, 59, 59, 999), // before PostgreSQL's epoch: negative microseconds
      0,
      Date.UTC(2199, 5, 30, 12, 34, 56, 789),
    ]
    const integers = [
      0,
      1,
      -1,
      29_000_000_000_123,
      2 ** 32,
      -(2 ** 32) - 1,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]
    const rows = Math.max(numerics.length, instants.length, integers.length)
    const writer = new ByteWriter()
    writer.bytes(COPY_HEADER)
    for (let i = 0; i < rows; i++) {
      const [units, decimals] = numerics[i % numerics.length] as [Units, number]
      writer.int16(4)
      writer.int32(4)
      writer.int32(i)
      writer.numericField(units, decimals)
      writer.timestampField(instants[i % instants.length] as number)
      writer.int32(8)
      writer.int64(integers[i % integers.length] as number)
    }
    writer.bytes(COPY_TRAILER)
    await withClient(await server.freshDatabase(), async (client) => {
      await client.query('CREATE TABLE encoded (n int, value numeric, at timestamptz, big bigint)')
      const stream = client.query(copyFrom('COPY encoded FROM STDIN (FORMAT binary)'))
      await new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve).on('error', reject)
        stream.end(writer.take())
      })
      const result = await client.query(
        'SELECT n, value::text AS value, at, big::text AS big FROM encoded ORDER BY n',
      )
      expect(result.rows).toEqual(
        Array.from({ length: rows }, (_, i) => {
          const [units, decimals] = numerics[i % numerics.length] as [Units, number]
          return {
            n: i,
            value: decimalText(units, decimals),
            at: new Date(instants[i % instants.length] as number),
            big: String(integers[i % integers.length]),
          }
        }),
      )
    })
  })
})

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
    // the guide's keys too
    expect([counts.order_books, counts.market_metrics]).toEqual([counts.orderBooks, counts.marketMetrics])
    const order = sql.fragment`ORDER BY exchange, symbol, "timestamp"`
    const candles = await pool.any(sql.unsafe`SELECT * FROM candlesticks ${order}, "interval"`)
    expect(normalise(candles)).toEqual(normalise([...generate.candlesticks(SMALL)]))
    const trades = await pool.any(sql.unsafe`SELECT * FROM trades ORDER BY symbol, trade_id`)
    expect(normalise(trades)).toEqual(normalise([...generate.trades(SMALL)]))
    const books = await pool.any(sql.unsafe`SELECT * FROM order_books ${order}`)
    expect(normalise(books)).toEqual(normalise([...generate.orderBooks(SMALL)]))
    const metrics = await pool.any(
      sql.unsafe`SELECT metric_type, "timestamp", value, metadata FROM market_metrics ORDER BY "timestamp", metric_type`,
    )
    const byTimeAndType = (a: { timestamp: Date; metric_type: string }, b: typeof a) =>
      a.timestamp.getTime() - b.timestamp.getTime() || a.metric_type.localeCompare(b.metric_type)
    const strip = (rows: readonly unknown[]) =>
      rows.map((row) => {
        const { value, ...rest } = row as { value: string }
        return { ...rest, value: value.replace(/\.?0+$/, '') }
      })
    expect(strip(metrics)).toEqual(strip([...generate.marketMetrics(SMALL)].sort(byTimeAndType)))
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
