import { classify } from '../generate/metrics.js'
import { DAY_MS, resolveWindow, type Window } from '../generate/time.js'
import type { MarketMetric, OrderBook } from '../schema/index.js'
import { decimalsOf } from './bars.js'
import {
  type BookDepth,
  type ChartData,
  ChartOptionError,
  type ChartOptions,
  type MarketChart,
  type MetricDay,
} from './types.js'

/** The window the options ask for: `days` before `end`; either may be open (null: as far as the rows go). */
export interface Bounds {
  days: number | null
  endMs: number | null
}

export function boundsOf(options: Pick<ChartOptions, 'days' | 'end'>): Bounds {
  const { days, end } = options
  if (days !== undefined && !(days > 0 && Number.isFinite(days)))
    throw new ChartOptionError(`days must be a positive number, got ${days}`)
  return { days: days ?? null, endMs: end === undefined ? null : instantOf(end, 'end') }
}

/** The window itself, once the rows' own first and last instants are known. */
export function resolveBounds(bounds: Bounds, firstMs: number, endOfRowsMs: number): Window {
  const endMs = bounds.endMs ?? endOfRowsMs
  const startMs = bounds.days === null ? Math.min(firstMs, endMs) : endMs - Math.round(bounds.days * DAY_MS)
  return { startMs, endMs }
}

/** A moment given as a Date, epoch ms or an ISO string with its zone (as `--end` takes it). */
export function instantOf(value: Date | string | number, what: string): number {
  try {
    return resolveWindow(1, value).endMs
  } catch (error) {
    throw new ChartOptionError(`${what}: ${(error as Error).message.replace(/^end /, '')}`)
  }
}

/** The book as the depth chart reads it (levels given as decimal strings, best first). */
export function bookDepth(
  book: Pick<OrderBook, 'timestamp' | 'bids' | 'asks'> & { last_update_id: bigint | string },
): BookDepth {
  let precision = 0
  const levels = (side: readonly (readonly [string, string])[]) =>
    side.map(([price, quantity]): [number, number] => {
      precision = Math.max(precision, decimalsOf(price))
      return [Number(price), Number(quantity)]
    })
  const bids = levels(book.bids)
  const asks = levels(book.asks)
  return {
    timestamp: book.timestamp.toISOString(),
    lastUpdateId: String(book.last_update_id),
    precision: Math.min(10, precision),
    bids,
    asks,
  }
}

/** Metric rows folded into one entry per UTC day, in time order; `other` metrics are left out. */
export function metricDays(rows: Iterable<MarketMetric>): { days: MetricDay[]; rowsIn: number } {
  const byTime = new Map<number, MetricDay>()
  let rowsIn = 0
  for (const row of rows) {
    if (row.metric_type === 'other') continue
    rowsIn++
    const time = Math.floor(row.timestamp.getTime() / 1000)
    const day = byTime.get(time) ?? { time }
    byTime.set(time, day)
    const value = Number(row.value)
    if (row.metric_type === 'btc_dominance') day.btcDominance = value
    else if (row.metric_type === 'total_market_cap') day.totalMarketCap = value
    else {
      day.fearGreed = value
      const given = row.metadata.classification
      day.classification = typeof given === 'string' ? given : classify(value)
    }
  }
  return { days: [...byTime.values()].sort((a, b) => a.time - b.time), rowsIn }
}

/** Markets by exchange then symbol, the one asked for first. */
export function orderMarkets(markets: MarketChart[], first?: string): MarketChart[] {
  const sorted = markets.sort((a, b) =>
    a.exchange === b.exchange ? compare(a.symbol, b.symbol) : compare(a.exchange, b.exchange),
  )
  const index = first === undefined ? -1 : sorted.findIndex((market) => market.symbol === first)
  if (first !== undefined && index < 0 && sorted.length > 0)
    throw new ChartOptionError(
      `symbol ${first}: no rows of it to chart (found ${sorted.map((m) => m.symbol).join(', ')})`,
    )
  if (index > 0) sorted.unshift(...sorted.splice(index, 1))
  return sorted
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Assembles the page's data; the title names the markets. */
export function assemble(
  markets: MarketChart[],
  metrics: ChartData['metrics'],
  source: string,
  window: ChartData['window'],
  title?: string,
): ChartData {
  const symbols = [...new Set(markets.map((market) => market.symbol))].join(', ')
  const exchanges = [...new Set(markets.map((market) => market.exchange))].join(', ')
  const name = markets.length ? `${symbols} on ${exchanges}` : 'Market metrics'
  return { title: title ?? name, source, window, markets, metrics }
}

/** ISO text of a window, or null when it is empty. */
export function windowText(startMs: number, endMs: number): ChartData['window'] {
  return endMs > startMs
    ? { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }
    : null
}
