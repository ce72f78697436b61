import {
  type Candlestick,
  INTERVAL_MS,
  INTERVALS,
  type Interval,
  type OrderBook,
  type Trade,
} from '../schema/index.js'
import { BarAggregator, chooseInterval } from './bars.js'
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
import type { ChartData, ChartOptions, ChartRows, MarketChart } from './types.js'

interface MarketRows {
  exchange: string
  symbol: string
  candles: Candlestick[]
  trades: Trade[]
  books: OrderBook[]
}

/**
 * The chart of rows in memory (a test's factory rows, a fixture's): grouped by (exchange, symbol),
 * each market's bars made from its coarsest candles not coarser than the interval shown, or from its
 * trades when it has no candle.
 */
export function chartFromRows(
  rows: ChartRows,
  options: ChartOptions = {},
  label = 'rows in memory',
): ChartData {
  const keep = (row: { exchange: string; symbol: string }) =>
    (options.exchange === undefined || row.exchange === options.exchange) &&
    (options.symbols === undefined || options.symbols.includes(row.symbol))
  const candles = [...(rows.candlesticks ?? [])].filter(keep)
  const trades = [...(rows.trades ?? [])].filter(keep)
  const books = [...(rows.orderBooks ?? [])].filter(keep)
  const metrics = [...(rows.marketMetrics ?? [])]

  let first = Number.POSITIVE_INFINITY
  let endOfRows = Number.NEGATIVE_INFINITY
  const see = (row: { timestamp: Date }, length = 1) => {
    first = Math.min(first, row.timestamp.getTime())
    endOfRows = Math.max(endOfRows, row.timestamp.getTime() + length)
  }
  for (const row of candles) see(row, INTERVAL_MS[row.interval])
  for (const row of [...trades, ...books, ...metrics]) see(row)
  if (first > endOfRows) first = endOfRows = 0 // no rows at all: an empty page that says so
  const window = resolveBounds(boundsOf(options), first, endOfRows)
  const inWindow = (row: { timestamp: Date }) =>
    row.timestamp.getTime() >= window.startMs && row.timestamp.getTime() < window.endMs
  const at = options.at === undefined ? window.endMs - 1 : instantOf(options.at, 'at')

  const markets = new Map<string, MarketRows>()
  const market = (row: { exchange: string; symbol: string }) => {
    const key = `${row.exchange}\u0000${row.symbol}`
    const entry = markets.get(key) ?? {
      exchange: row.exchange,
      symbol: row.symbol,
      candles: [],
      trades: [],
      books: [],
    }
    markets.set(key, entry)
    return entry
  }
  for (const row of candles.filter(inWindow)) market(row).candles.push(row)
  for (const row of trades.filter(inWindow)) market(row).trades.push(row)
  for (const row of books) if (row.timestamp.getTime() <= at) market(row).books.push(row)

  const charts: MarketChart[] = []
  for (const entry of markets.values()) {
    const chart = marketChart(entry, window.endMs - window.startMs, options)
    if (chart) charts.push(chart)
  }
  return assemble(
    orderMarkets(charts, options.symbol),
    metricDays(metrics.filter(inWindow)),
    label,
    windowText(window.startMs, window.endMs),
    options.title,
  )
}

function marketChart(rows: MarketRows, spanMs: number, options: ChartOptions): MarketChart | null {
  const stored = INTERVALS.filter((interval) => rows.candles.some((row) => row.interval === interval))
  const finest = stored[0] ?? '1m'
  if (stored.length === 0 && rows.trades.length === 0 && rows.books.length === 0) return null
  const interval = chooseInterval(spanMs, finest, options.interval, options.targetBars)
  // the coarsest stored interval that fits in the one shown: fewest rows, same bars
  const from = stored.filter((candidate) => INTERVAL_MS[candidate] <= INTERVAL_MS[interval]).at(-1) as
    | Interval
    | undefined
  const bars = new BarAggregator(interval)
  if (from !== undefined)
    for (const row of rows.candles)
      if (row.interval === from)
        bars.add(
          row.timestamp.getTime(),
          row.open_price,
          row.high_price,
          row.low_price,
          row.close_price,
          row.volume,
          row.trades_count,
        )
  if (from === undefined)
    for (const row of rows.trades)
      bars.add(row.timestamp.getTime(), row.price, row.price, row.price, row.price, row.quantity, 1)
  const latestBook = rows.books.reduce<OrderBook | null>(
    (latest, book) => (latest === null || book.timestamp >= latest.timestamp ? book : latest),
    null,
  )
  const book = latestBook ? bookDepth(latestBook) : null
  return {
    exchange: rows.exchange,
    symbol: rows.symbol,
    interval,
    precision: Math.max(bars.precision, book?.precision ?? 0),
    bars: bars.bars(),
    rowsIn:
      from === undefined
        ? { table: 'trades', rows: bars.rows, trades: bars.trades }
        : { table: 'candlesticks', interval: from, rows: bars.rows, trades: bars.trades },
    book,
  }
}
