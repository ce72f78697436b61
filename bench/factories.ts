/**
 * createList(1000) against 1000 single create() calls and against a hand-written multi-row INSERT,
 * on a real embedded PostgreSQL, in one run. Medians of REPS timed repetitions after one warm-up.
 *
 *   npm run bench -- bench/factories.ts
 */
import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { type CommonQueryMethods, sql } from 'slonik'
import { createFactories } from '../src/factories/index.js'
import { Candlestick, createDstaPool } from '../src/schema/index.js'
import { startPostgres } from '../src/server/index.js'

const N = 1000
const REPS = Number(process.env.REPS ?? 7)

const server = await startPostgres()
try {
  const admin = new pg.Client(server.url)
  await admin.connect()
  await admin.query('CREATE DATABASE factories_bench')
  await admin.end()
  const url = server.url.replace(/\/postgres$/, '/factories_bench')
  const schema = new pg.Client(url)
  await schema.connect()
  await schema.query(await readFile(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8'))
  await schema.end()
  const pool = await createDstaPool(url)

  const cases: Record<string, (db: CommonQueryMethods, seed: number) => Promise<unknown>> = {
    'createList(1000)': (db, seed) =>
      createFactories(db, { seed }).candlestick.createList(N, { interval: '1m' }),
    '1000 × create()': async (db, seed) => {
      const candle = createFactories(db, { seed }).candlestick.params({ interval: '1m' })
      for (let i = 0; i < N; i++) await candle.create()
    },
    'hand-written INSERT … VALUES (1000 rows)': async (db, seed) => {
      // The floor: rows made beforehand, one multi-row statement written by hand.
      const rows = rowsFor(seed)
      const start = performance.now()
      await db.any(sql.type(Candlestick)`
        INSERT INTO candlesticks (exchange, symbol, "interval", "timestamp", open_price, high_price, low_price,
          close_price, volume, quote_volume, trades_count)
        VALUES ${sql.join(
          rows.map(
            (
              r,
            ) => sql.fragment`(${r.exchange}, ${r.symbol}, ${r.interval}, ${r.timestamp.toISOString()}, ${r.open_price},
              ${r.high_price}, ${r.low_price}, ${r.close_price}, ${r.volume}, ${r.quote_volume}, ${r.trades_count})`,
          ),
          sql.fragment`, `,
        )}
        RETURNING *`)
      return performance.now() - start
    },
    'buildList(1000), no database': async (_, seed) =>
      createFactories(pool, { seed }).candlestick.buildList(N, { interval: '1m' }),
  }
  const rowsFor = (seed: number) =>
    createFactories(pool, { seed }).candlestick.buildList(N, { interval: '1m' })

  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
  for (let rep = 0; rep <= REPS; rep++) {
    for (const [name, run] of Object.entries(cases)) {
      await pool.query(sql.unsafe`TRUNCATE candlesticks RESTART IDENTITY`)
      const start = performance.now()
      const result = await run(pool, rep)
      const elapsed = typeof result === 'number' ? result : performance.now() - start
      if (rep > 0) times[name]?.push(elapsed) // rep 0 warms up the JIT and the connections
    }
  }
  await pool.end()

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    return sorted.length % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  }
  const reference = median(times['createList(1000)'] ?? [])
  console.log(`\n${N} candlesticks (BTCUSDT 1m), median of ${REPS} runs after one warm-up\n`)
  console.log(
    `${'case'.padEnd(42)} ${'median ms'.padStart(10)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'× createList'.padStart(13)}`,
  )
  for (const [name, values] of Object.entries(times)) {
    const m = median(values)
    const line = [
      name.padEnd(42),
      m.toFixed(1).padStart(10),
      Math.min(...values)
        .toFixed(1)
        .padStart(8),
      Math.max(...values)
        .toFixed(1)
        .padStart(8),
      (m / reference).toFixed(2).padStart(13),
    ]
    console.log(line.join(' '))
  }
} finally {
  await server.stop()
}
