/**
 * Rows per second loaded by `generateTestData` (binary COPY), against the same row counts written by
 * `INSERT … SELECT generate_series` (the server's own ceiling: no client, no parsing of text) and
 * by batched `sql.unnest` inserts of the generators' rows. Each load goes into a fresh database of
 * one server (same schema, same indexes), created and dropped outside the timing; the three take
 * turns in a rotating order, and the medians of the rounds are compared. No ANALYZE on either side.
 *   npm run bench -- bench/generate-load.ts [days] [rounds]
 */
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { type DatabasePool, sql } from 'slonik'
import {
  type GeneratedCounts,
  type GenerateOptions,
  generate,
  generateTestData,
} from '../src/generate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { startPostgres } from '../src/server/index.js'

const schema = readFileSync(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8')
const server = await startPostgres()
let databases = 0

const admin = new pg.Client({ connectionString: server.url })
await admin.connect()

async function freshPool(): Promise<DatabasePool> {
  const name = `bench_${databases++}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(server.url)
  url.pathname = `/${name}`
  const pool = await createDstaPool(url.toString())
  await pool.query(sql.unsafe`SELECT 1`)
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  await client.query(schema)
  await client.end()
  return pool
}

/** Seconds `load` takes to fill a fresh database; the database is made before and dropped after. */
async function timed(load: (pool: DatabasePool) => Promise<unknown>): Promise<number> {
  const pool = await freshPool()
  const started = performance.now()
  await load(pool)
  const seconds = (performance.now() - started) / 1000
  await pool.end()
  await admin.query(`DROP DATABASE bench_${databases - 1} WITH (FORCE)`)
  return seconds
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const LEVELS = JSON.stringify(
  Array.from({ length: 20 }, (_, i) => [(43250 - i * 0.03).toFixed(2), '0.12345']),
)

/** The ceiling: the same number of rows per table, made by the server itself. */
async function ceiling(pool: DatabasePool, counts: GeneratedCounts): Promise<void> {
  await pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume, trades_count)
      SELECT 'binance', 'BTCUSDT', '1m', timestamptz '2020-01-01' + i * interval '1 minute', 43250.12 + i % 100, 43260.55 + i % 100,
             43240.01 + i % 100, 43255.37 + i % 100, 0.12345 + i % 7, 5339.0000123 + i % 11, 4 + i % 5
      FROM generate_series(1, ${counts.candlesticks}) AS i`)
    await tx.query(sql.unsafe`
      INSERT INTO trades (exchange, symbol, trade_id, "timestamp", price, quantity, quote_quantity, is_buyer_maker)
      SELECT 'binance', 'BTCUSDT', i, timestamptz '2020-01-01' + i * interval '15 seconds', 43250.12 + i % 100, 0.01234 + i % 7,
             533.7051 + i % 11, i % 2 = 0
      FROM generate_series(1, ${counts.trades}) AS i`)
    await tx.query(sql.unsafe`
      INSERT INTO order_books (exchange, symbol, "timestamp", bids, asks, last_update_id)
      SELECT 'binance', 'BTCUSDT', timestamptz '2020-01-01' + i * interval '1 hour', ${LEVELS}::jsonb, ${LEVELS}::jsonb, i
      FROM generate_series(1, ${counts.orderBooks}) AS i`)
  })
}

/** Batched INSERT … SELECT FROM unnest(…) of the generators' row objects, 5 000 rows a batch. */
async function unnest(pool: DatabasePool, options: GenerateOptions): Promise<void> {
  await pool.transaction(async (tx) => {
    const batches = async <T>(rows: Iterable<T>, insert: (batch: T[]) => Promise<unknown>) => {
      let batch: T[] = []
      for (const row of rows) {
        batch.push(row)
        if (batch.length === 5000) {
          await insert(batch)
          batch = []
        }
      }
      if (batch.length) await insert(batch)
    }
    await batches(generate.candlesticks(options), (b) =>
      tx.query(sql.unsafe`INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price, close_price, volume, quote_volume, trades_count)
        SELECT * FROM ${sql.unnest(
          b.map((c) => [
            c.exchange,
            c.symbol,
            c.interval,
            c.timestamp.toISOString(),
            c.open_price,
            c.high_price,
            c.low_price,
            c.close_price,
            c.volume,
            c.quote_volume,
            c.trades_count,
          ]),
          [
            'text',
            'text',
            'text',
            'timestamptz',
            'numeric',
            'numeric',
            'numeric',
            'numeric',
            'numeric',
            'numeric',
            'int4',
          ],
        )}`),
    )
    await batches(generate.trades(options), (b) =>
      tx.query(sql.unsafe`INSERT INTO trades (exchange, symbol, trade_id, "timestamp", price, quantity, quote_quantity, is_buyer_maker)
        SELECT * FROM ${sql.unnest(
          b.map((t) => [
            t.exchange,
            t.symbol,
            String(t.trade_id),
            t.timestamp.toISOString(),
            t.price,
            t.quantity,
            t.quote_quantity,
            t.is_buyer_maker,
          ]),
          ['text', 'text', 'int8', 'timestamptz', 'numeric', 'numeric', 'numeric', 'bool'],
        )}`),
    )
    await batches(generate.orderBooks(options), (b) =>
      tx.query(sql.unsafe`INSERT INTO order_books (exchange, symbol, "timestamp", bids, asks, last_update_id)
        SELECT * FROM ${sql.unnest(
          b.map((o) => [
            o.exchange,
            o.symbol,
            o.timestamp.toISOString(),
            JSON.stringify(o.bids),
            JSON.stringify(o.asks),
            String(o.last_update_id),
          ]),
          ['text', 'text', 'timestamptz', 'jsonb', 'jsonb', 'int8'],
        )}`),
    )
  })
}

try {
  const days = Number(process.argv[2] ?? 30)
  const rounds = Number(process.argv[3] ?? 5)
  const options: GenerateOptions = { seed: 42, days, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] }
  let counts: GeneratedCounts | undefined
  await timed(async (pool) => {
    counts = await generateTestData(pool, { ...options, analyze: false }) // warm-up, and the counts
  })
  if (!counts) throw new Error('no counts')
  const target = counts
  const rows = counts.candlesticks + counts.trades + counts.orderBooks
  const loads = {
    copy: (pool: DatabasePool) => generateTestData(pool, { ...options, analyze: false }),
    ceiling: (pool: DatabasePool) => ceiling(pool, target),
    unnest: (pool: DatabasePool) => unnest(pool, options),
  }
  const names = Object.keys(loads) as (keyof typeof loads)[]
  const seconds: Record<keyof typeof loads, number[]> = { copy: [], ceiling: [], unnest: [] }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as keyof typeof loads
      seconds[name].push(await timed(loads[name]))
    }
    const line = names.map((name) => `${name} ${seconds[name].at(-1)?.toFixed(2)} s`).join(', ')
    console.log(`round ${round + 1}: ${line}`)
  }
  const rate = (s: number) =>
    `${Math.round(rows / s)
      .toLocaleString('en')
      .padStart(9)} rows/s`
  const ceilingMedian = median(seconds.ceiling)
  /** Median ratio of the medians, and the range of the per-round ratios (same round, same load). */
  const ratio = (name: keyof typeof loads) => {
    const perRound = seconds[name].map((s, round) => (seconds.ceiling[round] as number) / s)
    return `${(ceilingMedian / median(seconds[name])).toFixed(2)}× of the ceiling (rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}×)`
  }
  console.log(
    `PostgreSQL ${server.version} (${server.provider}), node ${process.version}; ${days} days × 3 symbols, median of ${rounds} rounds:`,
  )
  console.log(
    `  ${counts.candlesticks} candlesticks + ${counts.trades} trades + ${counts.orderBooks} order books = ${rows} rows`,
  )
  const copyMedian = median(seconds.copy)
  const unnestMedian = median(seconds.unnest)
  console.log(
    `  generateTestData (binary COPY)  ${copyMedian.toFixed(2)} s  ${rate(copyMedian)}  ${ratio('copy')}`,
  )
  console.log(
    `  INSERT … SELECT generate_series ${ceilingMedian.toFixed(2)} s  ${rate(ceilingMedian)}  (ceiling)`,
  )
  console.log(
    `  batched sql.unnest (5 000 rows) ${unnestMedian.toFixed(2)} s  ${rate(unnestMedian)}  ${ratio('unnest')}`,
  )
  console.log(`  generateTestData is ${(unnestMedian / copyMedian).toFixed(2)}× as fast as sql.unnest`)
} finally {
  await admin.end()
  await server.stop()
}
