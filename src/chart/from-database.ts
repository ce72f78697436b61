import { type CommonQueryMethods, type FragmentSqlToken, sql } from 'slonik'
import { INTERVAL_MS, INTERVALS, type Interval, type MetricType } from '../schema/index.js'
import { chooseInterval } from './bars.js'
import {
  assemble,
  bookDepth,
  boundsOf,
  instantOf,
  metricDays,
  orderMarkets,
  resolveBounds,
  windowText,
} from './common.js'
import { type Extent, marketExtents } from './extents.js'
import type { Bar, BookDepth, ChartData, ChartOptions, MarketChart, RowsIn } from './types.js'

// Every value is cast in SQL to int4, float8 or text, so the rows read the same through any Slonik
// pool, with dsta-db's type parsers or Slonik's defaults.
const ms = (column: string) => sql.fragment`(extract(epoch FROM ${sql.identifier([column])}) * 1000)::float8`
const at = (instant: number) => sql.fragment`${new Date(instant).toISOString()}::timestamptz`
// date_bin from a Monday: 7d buckets start on Monday 00:00 UTC, and every shorter interval divides 4 days
const bucket = (interval: Interval) =>
  sql.fragment`(extract(epoch FROM date_bin(${`${INTERVAL_MS[interval] / 1000} seconds`}::interval, "timestamp", TIMESTAMPTZ '1970-01-05 00:00:00+00')))::float8`

/**
 * The chart of the rows in a database, aggregated by PostgreSQL: each market's bars come from its
 * coarsest stored candles not coarser than the interval shown (or from its trades when it has no
 * candle), grouped with `date_bin`, so a year of 1m candles reaches the page as a few hundred bars.
 * Reads only; works inside a test's transaction (it sees the test's rows).
 */
export async function chartFromDatabase(
  db: CommonQueryMethods,
  options: ChartOptions = {},
  label?: string,
): Promise<ChartData> {
  const filters: FragmentSqlToken[] = []
  if (options.exchange !== undefined) filters.push(sql.fragment`exchange = ${options.exchange}`)
  if (options.symbols !== undefined)
    filters.push(sql.fragment`symbol = ANY(${sql.array([...options.symbols], 'text')})`)
  const extents = await marketExtents(db, filters)
  const metricExtent = (await db.one(sql.unsafe`
    SELECT ${ms('first')} AS first_ms, ${ms('last')} AS last_ms
    FROM (SELECT min("timestamp") AS first, max("timestamp") AS last FROM market_metrics) m`)) as {
    first_ms: number | null
    last_ms: number | null
  }

  let first = metricExtent.first_ms ?? Number.POSITIVE_INFINITY
  let endOfRows = metricExtent.last_ms === null ? Number.NEGATIVE_INFINITY : metricExtent.last_ms + 1
  for (const extent of extents) {
    first = Math.min(first, extent.first_ms)
    endOfRows = Math.max(endOfRows, extent.last_ms + (extent.interval ? INTERVAL_MS[extent.interval] : 1))
  }
  if (first > endOfRows) first = endOfRows = 0
  const window = resolveBounds(boundsOf(options), first, endOfRows)
  const bookMoment = options.at === undefined ? window.endMs - 1 : instantOf(options.at, 'at')
  const overlaps = (extent: Extent) => extent.first_ms < window.endMs && extent.last_ms >= window.startMs

  const markets = new Map<string, Extent[]>()
  for (const extent of extents) {
    if (extent.table === 'order_books' ? extent.first_ms > bookMoment : !overlaps(extent)) continue
    const key = `${extent.exchange}\u0000${extent.symbol}`
    markets.set(key, [...(markets.get(key) ?? []), extent])
  }
  const charts: MarketChart[] = []
  for (const found of markets.values()) {
    const { exchange, symbol } = found[0] as Extent
    const stored = INTERVALS.filter((interval) => found.some((extent) => extent.interval === interval))
    const interval = chooseInterval(
      window.endMs - window.startMs,
      stored[0] ?? '1m',
      options.interval,
      options.targetBars,
    )
    const from = stored.filter((candidate) => INTERVAL_MS[candidate] <= INTERVAL_MS[interval]).at(-1)
    const inWindow = sql.fragment`exchange = ${exchange} AND symbol = ${symbol} AND "timestamp" >= ${at(window.startMs)} AND "timestamp" < ${at(window.endMs)}`
    const hasTrades = found.some((extent) => extent.table === 'trades')
    const { bars, precision, rowsIn } =
      from !== undefined
        ? await candleBars(db, interval, from, inWindow)
        : hasTrades
          ? await tradeBars(db, interval, inWindow)
          : { bars: [], precision: 0, rowsIn: { table: 'trades' as const, rows: 0, trades: 0 } }
    const book = await bookBefore(db, exchange, symbol, bookMoment)
    charts.push({
      exchange,
      symbol,
      interval,
      precision: Math.max(precision, book?.precision ?? 0),
      bars,
      rowsIn,
      book,
    })
  }

  const metrics = (await db.any(sql.unsafe`
    SELECT metric_type, ${ms('timestamp')} AS ms, value::text AS value, metadata->>'classification' AS classification
    FROM market_metrics
    WHERE metric_type <> 'other' AND "timestamp" >= ${at(window.startMs)} AND "timestamp" < ${at(window.endMs)}
    ORDER BY "timestamp", metric_type`)) as readonly {
    metric_type: MetricType
    ms: number
    value: string
    classification: string | null
  }[]
  const days = metricDays(
    metrics.map((row) => ({
      metric_type: row.metric_type,
      timestamp: new Date(row.ms),
      value: row.value,
      metadata: row.classification === null ? {} : { classification: row.classification },
    })),
  )
  const source = label ?? `database ${String(await db.oneFirst(sql.unsafe`SELECT current_database()`))}`
  return assemble(
    orderMarkets(charts, options.symbol),
    days,
    source,
    windowText(window.startMs, window.endMs),
    options.title,
  )
}

interface Aggregated {
  bars: Bar[]
  precision: number
  rowsIn: RowsIn
}

type BarRow = {
  t: number
  o: number
  h: number
  l: number
  c: number
  v: number
  n: number
  trades: number
  decimals: number
}

function toAggregated(rows: readonly BarRow[], rowsIn: Omit<RowsIn, 'rows' | 'trades'>): Aggregated {
  let [count, trades, precision] = [0, 0, 0]
  const bars = rows.map((row): Bar => {
    count += row.n
    trades += row.trades
    precision = Math.max(precision, row.decimals)
    return [row.t, row.o, row.h, row.l, row.c, row.v]
  })
  return { bars, precision: Math.min(10, precision), rowsIn: { ...rowsIn, rows: count, trades } }
}

async function candleBars(
  db: CommonQueryMethods,
  interval: Interval,
  from: Interval,
  inWindow: FragmentSqlToken,
): Promise<Aggregated> {
  const rows = (await db.any(sql.unsafe`
    SELECT ${bucket(interval)} AS t,
      ((array_agg(open_price ORDER BY "timestamp"))[1])::float8 AS o,
      max(high_price)::float8 AS h, min(low_price)::float8 AS l,
      ((array_agg(close_price ORDER BY "timestamp" DESC))[1])::float8 AS c,
      sum(volume)::float8 AS v, count(*)::int AS n, sum(trades_count)::float8 AS trades,
      max(greatest(scale(trim_scale(open_price)), scale(trim_scale(close_price))))::int AS decimals
    FROM candlesticks WHERE ${inWindow} AND "interval" = ${from}
    GROUP BY 1 ORDER BY 1`)) as readonly BarRow[]
  return toAggregated(rows, { table: 'candlesticks', interval: from })
}

async function tradeBars(
  db: CommonQueryMethods,
  interval: Interval,
  inWindow: FragmentSqlToken,
): Promise<Aggregated> {
  const rows = (await db.any(sql.unsafe`
    SELECT ${bucket(interval)} AS t,
      ((array_agg(price ORDER BY "timestamp", trade_id))[1])::float8 AS o,
      max(price)::float8 AS h, min(price)::float8 AS l,
      ((array_agg(price ORDER BY "timestamp" DESC, trade_id DESC))[1])::float8 AS c,
      sum(quantity)::float8 AS v, count(*)::int AS n, count(*)::float8 AS trades,
      max(scale(trim_scale(price)))::int AS decimals
    FROM trades WHERE ${inWindow}
    GROUP BY 1 ORDER BY 1`)) as readonly BarRow[]
  return toAggregated(rows, { table: 'trades' })
}

async function bookBefore(
  db: CommonQueryMethods,
  exchange: string,
  symbol: string,
  moment: number,
): Promise<BookDepth | null> {
  const row = (await db.maybeOne(sql.unsafe`
    SELECT ${ms('timestamp')} AS ms, bids::text AS bids, asks::text AS asks, last_update_id::text AS last_update_id
    FROM order_books
    WHERE exchange = ${exchange} AND symbol = ${symbol} AND "timestamp" <= ${at(moment)}
    ORDER BY "timestamp" DESC, id DESC LIMIT 1`)) as {
    ms: number
    bids: string
    asks: string
    last_update_id: string
  } | null
  if (!row) return null
  return bookDepth({
    timestamp: new Date(row.ms),
    last_update_id: row.last_update_id,
    bids: JSON.parse(row.bids) as [string, string][],
    asks: JSON.parse(row.asks) as [string, string][],
  })
}
