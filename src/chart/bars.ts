import { bucketStart, INTERVAL_MS, INTERVALS, type Interval } from '../schema/index.js'
import { type Bar, ChartOptionError, MAX_BARS } from './types.js'

export const DEFAULT_TARGET_BARS = 500

/**
 * The interval of the bars: the one asked for, or (`auto`) the finest that shows the span in at most
 * `targetBars` bars. Never finer than the data's own finest interval (1h candles are not drawn as
 * 1m bars). A choice that would give more than MAX_BARS bars is refused, naming a coarser one.
 */
export function chooseInterval(
  spanMs: number,
  finest: Interval,
  requested: Interval | 'auto' = 'auto',
  targetBars = DEFAULT_TARGET_BARS,
): Interval {
  const allowed = INTERVALS.filter((interval) => INTERVAL_MS[interval] >= INTERVAL_MS[finest])
  const bars = (interval: Interval) => Math.ceil(spanMs / INTERVAL_MS[interval])
  if (requested === 'auto')
    return allowed.find((interval) => bars(interval) <= targetBars) ?? (allowed.at(-1) as Interval)
  if (!INTERVALS.includes(requested))
    throw new ChartOptionError(`interval "${requested}": must be auto or one of ${INTERVALS.join(', ')}`)
  if (bars(requested) > MAX_BARS) {
    const fits = allowed.find((interval) => bars(interval) <= MAX_BARS)
    throw new ChartOptionError(
      `interval ${requested} gives ${bars(requested)} bars over this window; a chart holds at most ${MAX_BARS}: ` +
        `choose ${fits ?? '7d'} or coarser, or a shorter window`,
    )
  }
  return requested
}

interface Bucket {
  openMs: number
  closeMs: number
  bar: Bar
  trades: number
}

/**
 * Folds candles or trades into bars of one interval. Order-independent: the open is the earliest
 * row's, the close the latest's, so rows may come in any order (memory: one entry per bar).
 */
export class BarAggregator {
  readonly #buckets = new Map<number, Bucket>()
  #decimals = 0
  rows = 0
  trades = 0

  constructor(readonly interval: Interval) {}

  /** Adds one candle (or one trade: open = high = low = close = its price). */
  add(
    ms: number,
    open: string,
    high: string,
    low: string,
    close: string,
    volume: string,
    trades: number,
  ): void {
    this.rows++
    this.trades += trades
    this.#decimals = Math.max(this.#decimals, decimalsOf(close), decimalsOf(open))
    const start = bucketStart(ms, this.interval)
    const [o, h, l, c, v] = [Number(open), Number(high), Number(low), Number(close), Number(volume)]
    const bucket = this.#buckets.get(start)
    if (!bucket) {
      this.#buckets.set(start, { openMs: ms, closeMs: ms, bar: [start / 1000, o, h, l, c, v], trades })
      return
    }
    const bar = bucket.bar
    if (ms < bucket.openMs) [bucket.openMs, bar[1]] = [ms, o]
    if (ms >= bucket.closeMs) [bucket.closeMs, bar[4]] = [ms, c]
    if (h > bar[2]) bar[2] = h
    if (l < bar[3]) bar[3] = l
    bar[5] += v
    bucket.trades += trades
  }

  /** The bars in time order. */
  bars(): Bar[] {
    return [...this.#buckets.values()].map((bucket) => bucket.bar).sort((a, b) => a[0] - b[0])
  }

  /** Decimals the prices carry (trailing zeros ignored), at most 10. */
  get precision(): number {
    return Math.min(10, this.#decimals)
  }
}

/** Significant decimals of a decimal string: "43250.1200000000" → 2. */
export function decimalsOf(value: string): number {
  const dot = value.indexOf('.')
  if (dot < 0) return 0
  let end = value.length
  while (end > dot + 1 && value[end - 1] === '0') end--
  return end - dot - 1
}
