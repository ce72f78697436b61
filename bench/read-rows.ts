/**
 * Reading many rows back: 100 000 candlesticks through raw pg, through dsta-db's Slonik pool
 * (`createDstaPool`, which the `db` fixture uses) untyped and typed with the row schema, and through
 * a plain Slonik pool, on a real embedded PostgreSQL. Rounds interleave the ways; medians.
 *
 *   npm run bench -- bench/read-rows.ts [ROWS=100000 ROUNDS=7]
 */
import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createPool, sql } from 'slonik'
import { Candlestick, createDstaPool } from '../src/schema/index.js'
import { startPostgres } from '../src/server/index.js'

const ROWS = Number(process.env.ROWS ?? 100_000)
const ROUNDS = Number(process.env.ROUNDS ?? 7)
const SELECT = 'SELECT * FROM candlesticks ORDER BY id' // the Slonik ways spell it out (a template literal)

const server = await startPostgres()
try {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query('CREATE DATABASE read_bench')
  await admin.end()
  const url = server.url.replace(/\/postgres$/, '/read_bench')
  const raw = new pg.Client(url)
  raw.on('error', () => {}) // the server stops under it if a way fails
  await raw.connect()
  await raw.query(await readFile(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8'))
  await raw.query(
    `INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price,
       close_price, volume, quote_volume, trades_count)
     SELECT 'binance', 'BTCUSDT', '1m', '2026-01-01'::timestamptz + n * interval '1 minute',
       100 + n % 7, 108 + n % 7, 99 + n % 7, 104 + n % 7, 1.5, 150, 10 FROM generate_series(1, $1) AS n`,
    [ROWS],
  )
  const dsta = await createDstaPool(url, { maximumPoolSize: 1 })
  const slonik = await createPool(url, { maximumPoolSize: 1 })
  const ways: Record<string, () => Promise<number>> = {
    'raw pg (client.query)': async () => (await raw.query(SELECT)).rowCount ?? 0,
    'dsta-db pool, untyped (sql.unsafe)': async () =>
      (await dsta.any(sql.unsafe`SELECT * FROM candlesticks ORDER BY id`)).length,
    'dsta-db pool, typed (sql.type(Candlestick))': async () =>
      (await dsta.any(sql.type(Candlestick)`SELECT * FROM candlesticks ORDER BY id`)).length,
    'plain Slonik pool, untyped': async () =>
      (await slonik.any(sql.unsafe`SELECT * FROM candlesticks ORDER BY id`)).length,
  }
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((way) => [way, []]))
  for (const read of Object.values(ways)) await read() // warm-up
  for (let round = 0; round < ROUNDS; round++)
    for (const [way, read] of Object.entries(ways)) {
      const started = performance.now()
      if ((await read()) !== ROWS) throw new Error(`${way}: wrong row count`)
      times[way]?.push(performance.now() - started)
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0
  const floor = median(times['raw pg (client.query)'] ?? [])
  console.log(`${ROWS} candlesticks read, ${ROUNDS} interleaved rounds, medians:`)
  for (const [way, list] of Object.entries(times))
    console.log(
      `  ${way.padEnd(44)} ${median(list).toFixed(0).padStart(6)} ms  ×${(median(list) / floor).toFixed(2)} raw pg`,
    )
  await raw.end()
  await dsta.end()
  await slonik.end()
} finally {
  await server.stop()
}
