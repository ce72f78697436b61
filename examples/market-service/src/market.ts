// The service under test: the queries a market-data API answers. Plain SQL through Slonik, typed at
// the edge with zod, as an application would write them. Nothing here knows about tests.
import { type CommonQueryMethods, sql } from 'slonik'
import { z } from 'zod'

const Candle = z.object({
  timestamp: z.date(),
  open: z.string(),
  high: z.string(),
  low: z.string(),
  close: z.string(),
  volume: z.string(),
})
export type Candle = z.infer<typeof Candle>

/** The latest `limit` candles of a symbol and interval, newest first (the guide's main query). */
export function latestCandles(
  db: CommonQueryMethods,
  market: { exchange: string; symbol: string; interval: string },
  limit = 100,
): Promise<readonly Candle[]> {
  return db.any(sql.type(Candle)`
    SELECT "timestamp", open_price::text AS open, high_price::text AS high, low_price::text AS low,
           close_price::text AS close, volume::text AS volume
    FROM candlesticks
    WHERE exchange = ${market.exchange} AND symbol = ${market.symbol} AND "interval" = ${market.interval}
    ORDER BY "timestamp" DESC
    LIMIT ${limit}`)
}

/** Volume-weighted average price of a symbol's trades in [from, to), exact to 10 decimals; null without trades. */
export async function vwap(
  db: CommonQueryMethods,
  symbol: string,
  from: Date,
  to: Date,
): Promise<string | null> {
  return db.oneFirst(sql.type(z.object({ vwap: z.string().nullable() }))`
    SELECT round(sum(price * quantity) / nullif(sum(quantity), 0), 10)::text AS vwap
    FROM trades
    WHERE symbol = ${symbol} AND "timestamp" >= ${from.toISOString()} AND "timestamp" < ${to.toISOString()}`)
}

const TopOfBook = z.object({ timestamp: z.date(), bid: z.string(), ask: z.string(), spread: z.string() })
export type TopOfBook = z.infer<typeof TopOfBook>

/** Best bid and ask of the latest order book snapshot of a symbol at or before `at`. */
export function topOfBook(db: CommonQueryMethods, symbol: string, at: Date): Promise<TopOfBook | null> {
  return db.maybeOne(sql.type(TopOfBook)`
    SELECT "timestamp", bids->0->>0 AS bid, asks->0->>0 AS ask,
           ((asks->0->>0)::numeric - (bids->0->>0)::numeric)::text AS spread
    FROM order_books
    WHERE symbol = ${symbol} AND "timestamp" <= ${at.toISOString()}
    ORDER BY "timestamp" DESC
    LIMIT 1`)
}

const Sentiment = z.object({ day: z.string(), value: z.number(), classification: z.string() })
export type Sentiment = z.infer<typeof Sentiment>

/** The daily Fear & Greed index over the last `days` days up to `until`, oldest first. */
export function fearGreedTrend(
  db: CommonQueryMethods,
  until: Date,
  days: number,
): Promise<readonly Sentiment[]> {
  return db.any(sql.type(Sentiment)`
    SELECT to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, value::int AS value,
           metadata->>'classification' AS classification
    FROM market_metrics
    WHERE metric_type = 'fear_greed_index'
      AND "timestamp" > ${until.toISOString()}::timestamptz - make_interval(days => ${days})
      AND "timestamp" <= ${until.toISOString()}
    ORDER BY "timestamp"`)
}
