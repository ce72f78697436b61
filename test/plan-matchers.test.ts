// Query-plan assertions: the guide's "Analyze Queries" as tests. Every index of the schema has a query
// it must serve, on the test's own (small) tables.
import { sql } from 'slonik'
import { explain } from '../src/explain/index.js'
import { generateTestData } from '../src/generate/index.js'
import { describe, expect, test } from '../src/vitest/index.js'

// The guide's main query: the latest candles of one market.
const GUIDE = sql.unsafe`SELECT * FROM candlesticks
  WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND "interval" = '1h'
  ORDER BY "timestamp" DESC LIMIT 100`

// The last hour of the generated window (two days ending 2026-01-01): a narrow range, as dashboards ask.
const SINCE = `'2025-12-31T23:00:00Z'::timestamptz`
// One query per index (primary keys aside), each one only that index can serve well.
const BY_INDEX: Record<string, string> = {
  candlesticks_exchange_symbol_interval_timestamp_key: `SELECT * FROM candlesticks WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND "interval" = '1m' AND "timestamp" >= ${SINCE}`,
  candlesticks_symbol_timestamp_idx: `SELECT * FROM candlesticks WHERE symbol = 'BTCUSDT' AND "timestamp" >= ${SINCE}`,
  candlesticks_exchange_timestamp_idx: `SELECT * FROM candlesticks WHERE exchange = 'binance' AND "timestamp" >= ${SINCE}`,
  trades_exchange_symbol_trade_id_key: `SELECT * FROM trades WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND trade_id = 42`,
  trades_exchange_symbol_timestamp_idx: `SELECT * FROM trades WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND "timestamp" >= ${SINCE}`,
  order_books_exchange_symbol_timestamp_idx: `SELECT * FROM order_books WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND "timestamp" >= ${SINCE}`,
  order_books_symbol_timestamp_idx: `SELECT * FROM order_books WHERE symbol = 'BTCUSDT' AND "timestamp" >= ${SINCE}`,
  order_books_timestamp_idx: `SELECT * FROM order_books WHERE "timestamp" >= ${SINCE}`,
  market_metrics_metric_type_timestamp_key: `SELECT * FROM market_metrics WHERE metric_type = 'btc_dominance' AND "timestamp" >= ${SINCE}`,
}

// The planner's choice between indexes depends on the rows: on empty tables every index ties. Like a
// team using `dstaDb({ testData })`, this file gives it two days of three markets (in the file's
// transaction) on two exchanges; the matchers ANALYZE the tables they read inside their own rolled-back transaction.
test.beforeAll(async ({ fileDb }) => {
  for (const exchange of ['binance', 'gateio'] as const)
    await generateTestData(fileDb, { days: 2, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], seed: 5, exchange })
})

describe("the guide's query", () => {
  test('uses the composite index and never scans candlesticks sequentially', async ({ db }) => {
    await expect(db).toUseIndex(GUIDE, 'candlesticks_exchange_symbol_interval_timestamp_key')
    await expect(db).not.toSeqScan(GUIDE, 'candlesticks')
  })

  test('the same matchers take the pool fixture (pg), SQL text or a Slonik query', async ({ pool }) => {
    await expect(pool).toUseIndex(GUIDE, 'candlesticks_exchange_symbol_interval_timestamp_key')
    await expect(pool).not.toSeqScan(GUIDE.sql, 'candlesticks')
    await expect(pool).toSeqScan('SELECT * FROM trades WHERE quantity > 1', 'trades')
    // the pool is still usable afterwards, in the test's transaction
    expect((await pool.query('SELECT count(*)::int AS n FROM market_metrics')).rows[0]?.n).toBeGreaterThan(0)
  })

  test('explain() gives the plan as data, with actual rows under analyze', async ({ db }) => {
    const plan = await explain(db, GUIDE, { analyze: true, freshStatistics: true })
    expect(plan.indexes).toEqual(['candlesticks_exchange_symbol_interval_timestamp_key'])
    expect(plan.seqScans).toEqual([])
    expect(plan.actualRows).toBe(48) // two days of hourly candles of one market
    expect(plan.nodes[0]?.type).toBe('Limit')
    expect(plan.nodes.some((node) => node.direction === 'Backward')).toBe(true)
  })
})

// Found by these tests: PostgreSQL 18's skip scan serves a symbol-only query on trades from
// trades_exchange_symbol_timestamp_idx when the exchanges are few (here 2, in the guide at most 3),
// and prefers it to trades_symbol_timestamp_idx. The query must still be served by an index.
const SERVED_BY_SKIP_SCAN: Record<string, string> = {
  trades_symbol_timestamp_idx: `SELECT * FROM trades WHERE symbol = 'BTCUSDT' AND "timestamp" >= ${SINCE}`,
}

describe('every index of the schema serves its query', () => {
  test('the list covers every index (a new index needs its query here)', async ({ db }) => {
    const indexes = await db.anyFirst(sql.unsafe`
      SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY 1`)
    expect([...indexes].sort()).toEqual(
      [...Object.keys(BY_INDEX), ...Object.keys(SERVED_BY_SKIP_SCAN)].sort(),
    )
  })

  test.for(Object.entries(BY_INDEX))('%s', async ([index, query], { db }) => {
    await expect(db).toUseIndex(query, index)
  })

  test.for(Object.entries(SERVED_BY_SKIP_SCAN))(
    '%s: its query is served by an index (skip scan)',
    async ([, query], { db }) => {
      await expect(db).not.toSeqScan(query, 'trades')
      await expect(db).toUseIndex(query, 'trades_exchange_symbol_timestamp_idx')
    },
  )
})

describe('a failing plan assertion explains itself', () => {
  test('names the index expected, what ran instead, and how it was planned, with the plan drawn', async ({
    db,
  }) => {
    const query = `SELECT * FROM trades WHERE quantity > 1`
    const failure = await expect(db)
      .toUseIndex(query, 'trades_symbol_timestamp_idx')
      .then(
        () => undefined,
        (error: Error) => error,
      )
    expect(failure?.message).toMatch(
      /expected the plan to use index trades_symbol_timestamp_idx; it read no index and a sequential scan of trades/,
    )
    expect(failure?.message).toMatch(/planned with enable_seqscan = off/)
    expect(failure?.message).toMatch(/Seq Scan on trades/)
    await expect(db).toSeqScan(query, 'trades')
  })

  test('takes db or pool, and says so when given something else', async () => {
    await expect(expect({}).toUseIndex('SELECT 1', 'x')).rejects.toThrow(/take the db or pool fixture/)
  })
})
