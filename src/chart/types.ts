import type { CommonQueryMethods } from 'slonik'
import type { GenerateOptions } from '../generate/index.js'
import type { Candlestick, Exchange, Interval, MarketMetric, OrderBook, Trade } from '../schema/index.js'

/** One bar as the page draws it: [time in epoch seconds, open, high, low, close, volume]. */
export type Bar = [number, number, number, number, number, number]

/** What went into a market's bars, said on the page: the chart aggregates, it never hides rows. */
export interface RowsIn {
  /** The table the bars were made from: candlesticks of `interval`, or trades when no candle exists. */
  table: 'candlesticks' | 'trades'
  /** The candles' own interval (absent for trades). */
  interval?: Interval
  rows: number
  /** Trades behind the bars (the candles' `trades_count`, or the trades themselves). */
  trades: number
}

/** The order book's depth at one moment: levels as [price, quantity], best first. */
export interface BookDepth {
  timestamp: string
  lastUpdateId: string
  /** Decimals its prices carry. */
  precision: number
  bids: [number, number][]
  asks: [number, number][]
}

/** Candles, volume and book of one (exchange, symbol). */
export interface MarketChart {
  exchange: string
  symbol: string
  interval: Interval
  /** Decimals shown on the price scale (the most any price of the market carries, at most 10). */
  precision: number
  bars: Bar[]
  rowsIn: RowsIn
  book: BookDepth | null
}

/** One UTC day of the market-wide metrics; a metric missing that day is absent. */
export interface MetricDay {
  time: number
  btcDominance?: number
  totalMarketCap?: number
  fearGreed?: number
  classification?: string
}

/** Everything the page shows; serialised into it as JSON. */
export interface ChartData {
  title: string
  /** Where the rows came from, one line (a database's address has its password masked). */
  source: string
  /** The window shown, ISO instants [start, end), or null when there was nothing to show. */
  window: { start: string; end: string } | null
  markets: MarketChart[]
  metrics: { days: MetricDay[]; rowsIn: number }
}

/** Rows already in memory (a test's factory rows, a fixture's): every table optional. */
export interface ChartRows {
  candlesticks?: Iterable<Candlestick>
  trades?: Iterable<Trade>
  orderBooks?: Iterable<OrderBook>
  marketMetrics?: Iterable<MarketMetric>
}

/** Where the rows come from. */
export type ChartSource =
  | { db: CommonQueryMethods; label?: string }
  | { generate: GenerateOptions }
  | { rows: ChartRows; label?: string }

/** What to draw; every field has a default. */
export interface ChartOptions {
  /** The market shown first (default: the first symbol; markets are listed by exchange, then symbol). */
  symbol?: string
  /** Only these symbols (default: every symbol found, or the generator's `symbols`). */
  symbols?: readonly string[]
  /** Only this exchange (default: every exchange found, or the generator's `exchange`). */
  exchange?: Exchange
  /** Interval of the bars (default `auto`: the finest with at most `targetBars` bars in the window). */
  interval?: Interval | 'auto'
  /** Length of the window in days (database and rows only; default: all the rows). */
  days?: number
  /** End of the window, exclusive (database and rows only; default: just after the last row). */
  end?: Date | string | number
  /** Moment of the order book shown: the last snapshot at or before it (default: the window's end). */
  at?: Date | string | number
  /** Bars the automatic interval aims at, at most (default 500). */
  targetBars?: number
  /** The page's title (default: the first market shown and where it comes from). */
  title?: string
}

/** Most bars one market may hold: more would make a page slow to open; choose a coarser interval. */
export const MAX_BARS = 20_000

/** An option the chart cannot follow (an interval too fine for the window, a symbol without rows …). */
export class ChartOptionError extends Error {
  override readonly name = 'ChartOptionError'
}
