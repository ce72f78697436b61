/** The enums of the DSTA schema; `sql/0001_initial.up.sql` checks the same lists (a test compares them). */
export const EXCHANGES = ['binance', 'gateio', 'huobi'] as const
export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '7d'] as const
export const METRIC_TYPES = ['btc_dominance', 'total_market_cap', 'fear_greed_index', 'other'] as const

export type Exchange = (typeof EXCHANGES)[number]
export type Interval = (typeof INTERVALS)[number]
export type MetricType = (typeof METRIC_TYPES)[number]

const MINUTE = 60_000
/** Length of each interval in milliseconds. `7d` buckets are aligned to Monday 00:00 UTC, as Binance's `1w`. */
export const INTERVAL_MS: Record<Interval, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
  '7d': 7 * 1440 * MINUTE,
}

/** The epoch (1970-01-01) was a Thursday; Monday 1970-01-05 00:00 UTC anchors the `7d` grid. */
const WEEK_ANCHOR_MS = 4 * 1440 * MINUTE

/** Opening time of the `interval` bucket holding `ms` (UTC, epoch milliseconds). */
export function bucketStart(ms: number, interval: Interval): number {
  const size = INTERVAL_MS[interval]
  const offset = interval === '7d' ? WEEK_ANCHOR_MS : 0
  return Math.floor((ms - offset) / size) * size + offset
}
