/**
 * Rows per second loaded by `generateTestData` (COPY), against the same row counts written by
 * `INSERT … SELECT generate_series` (the server's own ceiling: no client, no parsing of text) and
 * by batched `sql.unnest` inserts of the generators' rows, each into a fresh database of one server.
 *   npm run bench -- bench/generate-load.ts [days]
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

async function freshPool(): Promise<DatabasePool> {
  const name = `bench_${databases++}`
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
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

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return (performance.now() - started) / 1000
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
  const options: GenerateOptions = { seed: 42, days, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] }
  await generateTestData(await freshPool(), { ...options, days: 1 }) // warm-up: JIT and server caches
  let counts: GeneratedCounts | undefined
  const copySeconds = await timed(async () => {
    counts = await generateTestData(await freshPool(), { ...options, analyze: false })
  })
  if (!counts) throw new Error('no counts')
  const rows = counts.candlesticks + counts.trades + counts.orderBooks
  const ceilingPool = await freshPool()
  const ceilingSeconds = await timed(() => ceiling(ceilingPool, counts as GeneratedCounts))
  const unnestPool = await freshPool()
  const unnestSeconds = await timed(() => unnest(unnestPool, options))
  const rate = (seconds: number) =>
    `${Math.round(rows / seconds)
      .toLocaleString('en')
      .padStart(9)} rows/s`
  console.log(
    `PostgreSQL ${server.version} (${server.provider}), node ${process.version}; ${days} days × 3 symbols:`,
  )
  console.log(
    `  ${counts.candlesticks} candlesticks + ${counts.trades} trades + ${counts.orderBooks} order books = ${rows} rows`,
  )
  console.log(
    `  generateTestData (COPY)         ${copySeconds.toFixed(2)} s  ${rate(copySeconds)}  ${(ceilingSeconds / copySeconds).toFixed(2)}× of the ceiling`,
  )
  console.log(
    `  INSERT … SELECT generate_series ${ceilingSeconds.toFixed(2)} s  ${rate(ceilingSeconds)}  (ceiling)`,
  )
  console.log(
    `  batched sql.unnest (5 000 rows) ${unnestSeconds.toFixed(2)} s  ${rate(unnestSeconds)}  ${(ceilingSeconds / unnestSeconds).toFixed(2)}× of the ceiling`,
  )
} finally {
  await server.stop()
}
