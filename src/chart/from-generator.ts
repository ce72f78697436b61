import { DEFAULT_SYMBOLS, type GenerateOptions, generate } from '../generate/index.js'
import { resolveOptions } from '../generate/options.js'
import { MINUTE_MS } from '../generate/time.js'
import { bucketStart, INTERVAL_MS, INTERVALS, type Interval, type OrderBook } from '../schema/index.js'
import { BarAggregator, chooseInterval } from './bars.js'
import { assemble, bookDepth, instantOf, metricDays, orderMarkets, windowText } from './common.js'
import { type ChartData, ChartOptionError, type ChartOptions, type MarketChart } from './types.js'

/**
 * The chart straight from the generator, no database: the generator's candles folded into the
 * interval shown (one pass, memory of one bar per bucket), the book at the chosen moment generated
 * alone (keyed randomness: the same book as in the whole window), the window's daily metrics.
 */
export function chartFromGenerator(
  generateOptions: GenerateOptions = {},
  options: ChartOptions = {},
): ChartData {
  if (options.days !== undefined || options.end !== undefined)
    throw new ChartOptionError(
      'chart of generated data: give days and end in the generator options, not in the chart options',
    )
  // the symbol asked for is drawn even when the list leaves it out
  const listed = options.symbols ?? generateOptions.symbols ?? DEFAULT_SYMBOLS
  const resolved = resolveOptions({
    ...generateOptions,
    symbols:
      options.symbol === undefined || listed.includes(options.symbol) ? listed : [options.symbol, ...listed],
    ...(options.exchange ? { exchange: options.exchange } : {}),
  })
  const { window, symbols, exchange, seed } = resolved
  const base: GenerateOptions = { ...generateOptions, seed, exchange, symbols, end: new Date(window.endMs) }
  const interval = chooseInterval(window.endMs - window.startMs, '1m', options.interval, options.targetBars)

  // The generator's coarsest candles whose buckets the window holds whole: the same bars from
  // fewer rows (a year of 1d bars from 365 daily candles, not 525 600 minutes).
  const aligned = (ms: number, candidate: Interval) => bucketStart(ms, candidate) === ms
  const from =
    INTERVALS.filter(
      (candidate) =>
        INTERVAL_MS[candidate] <= INTERVAL_MS[interval] &&
        aligned(window.startMs, candidate) &&
        aligned(window.endMs, candidate),
    ).at(-1) ?? '1m'
  const bars = new Map(symbols.map((symbol) => [symbol, new BarAggregator(interval)]))
  for (const row of generate.candlesticks({ ...base, days: resolved.days, intervals: [from] }))
    bars
      .get(row.symbol)
      ?.add(
        row.timestamp.getTime(),
        row.open_price,
        row.high_price,
        row.low_price,
        row.close_price,
        row.volume,
        row.trades_count,
      )

  const books = bookAt(base, window, options.at)
  const markets: MarketChart[] = symbols.map((symbol) => {
    const aggregated = bars.get(symbol) as BarAggregator
    const book = books.get(symbol)
    return {
      exchange,
      symbol,
      interval,
      precision: Math.max(aggregated.precision, book ? bookDepth(book).precision : 0),
      bars: aggregated.bars(),
      rowsIn: { table: 'candlesticks', interval: from, rows: aggregated.rows, trades: aggregated.trades },
      book: book ? bookDepth(book) : null,
    }
  })
  const metrics = metricDays(
    generate.marketMetrics({ seed, days: resolved.days, end: new Date(window.endMs) }),
  )
  const source = `generated · seed ${seed} · ${exchange}`
  return assemble(
    orderMarkets(markets, options.symbol),
    metrics,
    source,
    windowText(window.startMs, window.endMs),
    options.title,
  )
}

/** The last snapshot of each symbol at or before `at` (default: the window's end), inside the window. */
function bookAt(
  base: GenerateOptions,
  window: { startMs: number; endMs: number },
  at: ChartOptions['at'],
): Map<string, OrderBook> {
  const every = (base.orderBookEveryMinutes ?? 60) * MINUTE_MS
  const moment = Math.min(at === undefined ? window.endMs - 1 : instantOf(at, 'at'), window.endMs - 1)
  const snapshot = Math.floor(moment / every) * every
  const found = new Map<string, OrderBook>()
  if (snapshot < window.startMs) return found
  // a window of one grid step ending just after the snapshot holds that snapshot alone
  for (const book of generate.orderBooks({ ...base, end: new Date(snapshot + MINUTE_MS), days: 1 / 1440 }))
    if (book.timestamp.getTime() <= snapshot) found.set(book.symbol, book)
  return found
}
